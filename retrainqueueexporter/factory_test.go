package retrainqueueexporter

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/filequeue"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// TestFactoryEndToEnd runs the exporter as the collector builds it: through
// exporterhelper with its sending queue and retries.
func TestFactoryEndToEnd(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	assert.Equal(t, metadata.LogsStability, f.LogsStability())
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.File.Directory = filepath.Join(t.TempDir(), "q")
	cfg.CoalesceWindow = 0

	exp, err := f.CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, exp.ConsumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"), violation("churn", "acc", "e2"))))
	require.Eventually(t, func() bool {
		ents, _ := os.ReadDir(filepath.Join(cfg.File.Directory, filequeue.DirReady))
		return len(ents) == 2
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(ctx))
}

func TestFactoryRejectsBadSecret(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Backend = BackendHTTP
	cfg.HTTP.Endpoint = "https://hooks.example"
	cfg.HTTP.Generic.SigningSecret = "whsec_not base64!"
	_, err := NewFactory().CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "not base64!")
}
