package alertwebhookexporter

import (
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/visutility/otelcol-modelmon/internal/testing/configfuzz"
)

// FuzzConfig unmarshals arbitrary YAML into the exporter's config the way the
// collector does and validates it. Nothing may panic, no error may quote a
// secret (signing_secret, routing_key, header values), and a config that
// validates must create the exporter: Validate is the only gate before it.
func FuzzConfig(f *testing.F) {
	configfuzz.AddSeeds(f, filepath.Join("testdata", "config.yaml"))
	f.Add([]byte("format: pagerduty\nrouting_key: route-SECRET-0123456789abcdef\n"))
	f.Add([]byte("format: slack\nendpoint: https://hooks.example/x\nsigning_secret: [whsec_!!notbase64-secret-value]\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		configfuzz.CheckLogsExporter(t, raw, NewFactory(), configSecrets)
	})
}

func configSecrets(cfg *Config) []configopaque.String {
	out := append([]configopaque.String{cfg.RoutingKey}, cfg.SigningSecret...)
	for _, p := range cfg.ClientConfig.Headers {
		out = append(out, p.Value)
	}
	return out
}
