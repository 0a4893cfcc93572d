package modelmonprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/internal/testing/configfuzz"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// FuzzConfig unmarshals arbitrary YAML into the processor's config the way
// the collector does, then validates it. Nothing may panic, a refusal must
// say why, and a config that validates must build an engine: Validate is the
// only gate the collector applies before creating the component.
func FuzzConfig(f *testing.F) {
	configfuzz.AddSeeds(f, filepath.Join("testdata", "config.yaml"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		cfg := createDefaultConfig().(*Config)
		if !configfuzz.Unmarshal(raw, cfg) {
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
