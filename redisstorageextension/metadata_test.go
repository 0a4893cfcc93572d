package redisstorageextension

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
)

// TestMetadataYAMLMatchesCode keeps the hand-written metadata.yaml and
// internal/metadata in step: type, stability and every telemetry metric.
func TestMetadataYAMLMatchesCode(t *testing.T) {
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	assert.Equal(t, metadata.Type.String(), cm.Get("type"))
	assert.Equal(t, []any{"extension"}, cm.Get("status::stability::"+strings.ToLower(metadata.ExtensionStability.String())))

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	b, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	// The SDK exports only instruments that recorded something.
	b.Errors.Add(context.Background(), 1)

	metrics, ok := cm.Get("telemetry::metrics").(map[string]any)
	require.True(t, ok)
	require.Len(t, metrics, 1, "one entry per instrument")
	for name, raw := range metrics {
		t.Run(name, func(t *testing.T) {
			got, err := tel.GetMetric(name)
			require.NoError(t, err, "metadata.yaml lists a metric the code does not create")
			spec := raw.(map[string]any)
			assert.Equal(t, spec["description"], got.Description)
			assert.Equal(t, spec["unit"], got.Unit)
		})
	}
}
