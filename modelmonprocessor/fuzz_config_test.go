package modelmonprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// FuzzConfig unmarshals arbitrary YAML into the processor's config the way
// the collector does, then validates it. Nothing may panic, a refusal must
// say why, and a config that validates must build an engine: Validate is the
// only gate the collector applies before creating the component.
func FuzzConfig(f *testing.F) {
	addConfigSeeds(f, filepath.Join("testdata", "config.yaml"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg, ok := unmarshalConfig(raw)
		if !ok {
			return
		}
		if err := confmap.Validate(cfg); err != nil {
			if err.Error() == "" {
				t.Fatal("validation error without a message")
			}
			return
		}
		set := processortest.NewNopSettings(metadata.Type)
		e, err := newEngine(cfg, set)
		if err != nil {
			t.Fatalf("valid config refused by the engine: %v", err)
		}
		if err := e.shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
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
