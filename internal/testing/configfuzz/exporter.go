package configfuzz

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
)

// CheckLogsExporter is the body of a logs exporter's config fuzz target:
// raw is decoded onto the factory's default config and validated. Nothing
// may panic, no error may quote one of secrets(cfg), and a config that
// validates must create the exporter, since Validate is the only gate before
// it. The exporter is created and shut down, never started: starting could
// touch whatever the fuzzed input points at.
func CheckLogsExporter[C component.Config](t *testing.T, raw []byte, f exporter.Factory, secrets func(C) []configopaque.String) {
	t.Helper()
	cfg := f.CreateDefaultConfig().(C)
	if !Unmarshal(raw, cfg) {
		return
	}
	if err := confmap.Validate(cfg); err != nil {
		RequireNoSecret(t, err.Error(), secrets(cfg))
		return
	}
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		RequireNoSecret(t, err.Error(), secrets(cfg))
		t.Fatalf("valid config refused by the factory: %v", err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
