package alertwebhookexporter

import (
	"go.opentelemetry.io/collector/confmap"
)

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal accepts signing_secret as one string as well as a list, since
// most operators start with a single secret and add a second only to rotate.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	if s, ok := conf.Get("signing_secret").(string); ok {
		raw := conf.ToStringMap()
		raw["signing_secret"] = []any{s}
		conf = confmap.NewFromStringMap(raw)
	}
	return conf.Unmarshal(cfg)
}
