package alertwebhookexporter

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/metric"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
	"github.com/visutility/otelcol-modelmon/internal/testing/metadatatest"
)

// TestMetadataMatchesCode fails when metadata.yaml and internal/metadata
// disagree on the component's identity or any instrument.
func TestMetadataMatchesCode(t *testing.T) {
	md := metadatatest.Load(t, "metadata.yaml")
	assert.Equal(t, metadata.Type.String(), md.Type)
	assert.Equal(t, "exporter", md.Status.Class)
	assert.Equal(t, []string{"logs"}, md.Status.Stability[strings.ToLower(metadata.LogsStability.String())])

	tel, reader := metadatatest.NewTelemetry(t)
	b, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	t.Cleanup(b.Shutdown)
	metadatatest.RecordAll(b)
	require.NoError(t, b.RegisterExporterAlertWebhookAlertsTrackedCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(1)
		return nil
	}))
	metadatatest.AssertTelemetry(t, md, reader)
	metadatatest.AssertDocumentation(t, md, "documentation.md")
	metadatatest.AssertStatusTable(t, md, "README.md")
}
