package retrainqueueexporter

import (
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/visutility/otelcol-modelmon/internal/testing/configfuzz"
)

// FuzzConfig unmarshals arbitrary YAML into the exporter's config the way the
// collector does and validates it. Nothing may panic, no error may quote a
// secret (Redis password, http signing_secret, header values), and a config
// that validates must create the exporter: Validate is the only gate before
// it. The exporter is created, not started: starting would create the file
// queue directory wherever the input points.
func FuzzConfig(f *testing.F) {
	configfuzz.AddSeeds(f, filepath.Join("testdata", "config.yaml"))
	f.Add([]byte("backend: redis\nredis:\n  password: redis-SECRET-0123456789abcdef\n  db: -1\n"))
	f.Add([]byte("backend: http\nhttp:\n  preset: argo\n  generic:\n    signing_secret: sign-SECRET-0123456789abcdef\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		configfuzz.CheckLogsExporter(t, raw, NewFactory(), configSecrets)
	})
}

func configSecrets(cfg *Config) []configopaque.String {
	out := []configopaque.String{cfg.Redis.Password, cfg.HTTP.Generic.SigningSecret}
	for _, p := range cfg.HTTP.Headers {
		out = append(out, p.Value)
	}
	return out
}
