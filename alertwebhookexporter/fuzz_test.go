package alertwebhookexporter

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
	"github.com/visutility/otelcol-modelmon/internal/configfuzz"
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
		cfg := createDefaultConfig().(*Config)
		if !configfuzz.Unmarshal(raw, cfg) {
			return
		}
		if err := confmap.Validate(cfg); err != nil {
			configfuzz.RequireNoSecret(t, err.Error(), configSecrets(cfg))
			return
		}
		exp, err := NewFactory().CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
		if err != nil {
			configfuzz.RequireNoSecret(t, err.Error(), configSecrets(cfg))
			t.Fatalf("valid config refused by the factory: %v", err)
		}
		if err := exp.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func configSecrets(cfg *Config) []configopaque.String {
	out := append([]configopaque.String{cfg.RoutingKey}, cfg.SigningSecret...)
	for _, p := range cfg.ClientConfig.Headers {
		out = append(out, p.Value)
	}
	return out
}
