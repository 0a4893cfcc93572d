package redisstorageextension

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/testing/metadatatest"
	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
)

// TestMetadataMatchesCode fails when metadata.yaml and internal/metadata
// disagree on the component's identity or any instrument.
func TestMetadataMatchesCode(t *testing.T) {
	md := metadatatest.Load(t, "metadata.yaml")
	assert.Equal(t, metadata.Type.String(), md.Type)
	assert.Equal(t, "extension", md.Status.Class)
	assert.Equal(t, []string{"extension"}, md.Status.Stability[strings.ToLower(metadata.ExtensionStability.String())])

	tel, reader := metadatatest.NewTelemetry(t)
	b, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	metadatatest.RecordAll(b)
	metadatatest.AssertTelemetry(t, md, reader)
	metadatatest.AssertDocumentation(t, md, "documentation.md")
	metadatatest.AssertStatusTable(t, md, "README.md")
}
