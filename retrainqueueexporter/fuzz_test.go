package retrainqueueexporter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.yaml.in/yaml/v3"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// FuzzConfig unmarshals arbitrary YAML into the exporter's config the way the
// collector does and validates it. Nothing may panic, no error may quote a
// secret (Redis password, http signing_secret, header values), and a config
// that validates must create the exporter: Validate is the only gate before
// it. The exporter is created, not started: starting would create the file
// queue directory wherever the input points.
func FuzzConfig(f *testing.F) {
	addConfigSeeds(f, filepath.Join("testdata", "config.yaml"))
	f.Add([]byte("backend: redis\nredis:\n  password: redis-SECRET-0123456789abcdef\n  db: -1\n"))
	f.Add([]byte("backend: http\nhttp:\n  preset: argo\n  generic:\n    signing_secret: sign-SECRET-0123456789abcdef\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, ok := unmarshalConfig(raw)
		if !ok {
			return
		}
		if err := confmap.Validate(cfg); err != nil {
			requireNoSecret(t, err.Error(), configSecrets(cfg))
			return
		}
		exp, err := NewFactory().CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
		if err != nil {
			requireNoSecret(t, err.Error(), configSecrets(cfg))
			t.Fatalf("valid config refused by the factory: %v", err)
		}
		if err := exp.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func configSecrets(cfg *Config) []configopaque.String {
	out := []configopaque.String{cfg.Redis.Password, cfg.HTTP.Generic.SigningSecret}
	for _, p := range cfg.HTTP.Headers {
		out = append(out, p.Value)
	}
	return out
}

// requireNoSecret fails when text quotes a secret. Short secrets are skipped:
// they can occur in an error message by chance ("format" is a word in it).
func requireNoSecret(t *testing.T, text string, secrets []configopaque.String) {
	t.Helper()
	for _, s := range secrets {
		if len(s) >= 16 && strings.Contains(text, string(s)) {
			t.Fatalf("error quotes a secret: %s", text)
		}
	}
}

// unmarshalConfig decodes raw onto the default config as the collector's
// YAML provider and confmap would; ok is false when they refuse it.
func unmarshalConfig(raw []byte) (*Config, bool) {
	r, err := confmap.NewRetrievedFromYAML(raw)
	if err != nil {
		return nil, false
	}
	conf, err := r.AsConf()
	if err != nil {
		return nil, false
	}
	cfg := createDefaultConfig().(*Config)
	if err := conf.Unmarshal(cfg); err != nil {
		return nil, false
	}
	return cfg, true
}

// addConfigSeeds adds every component block of a config test file.
func addConfigSeeds(f *testing.F, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var blocks map[string]any
	if err := yaml.Unmarshal(raw, &blocks); err != nil {
		f.Fatal(err)
	}
	for _, b := range blocks {
		out, err := yaml.Marshal(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
}
