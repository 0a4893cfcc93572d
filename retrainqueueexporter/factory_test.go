package retrainqueueexporter

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
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

func TestBadSigningSecretFailsValidation(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Backend = BackendHTTP
	cfg.HTTP.Endpoint = "https://hooks.example"
	cfg.HTTP.Generic.SigningSecret = "whsec_not base64!"
	err := cfg.Validate()
	require.ErrorContains(t, err, "http.generic.signing_secret[0]")
	assert.NotContains(t, err.Error(), "not base64!")
}

// TestRetryDeliversAfterOutage runs the exporter through exporterhelper's
// retry: the orchestrator is down for the first attempt, and the job still
// arrives exactly once.
func TestRetryDeliversAfterOutage(t *testing.T) {
	o := newOrchestrator(t, http.StatusServiceUnavailable)
	cfg := httpConfig(o.URL, PresetGeneric)
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.InitialInterval = 50 * time.Millisecond
	cfg.RetryConfig.MaxInterval = 200 * time.Millisecond

	exp, err := NewFactory().CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(ctx)) })

	result := make(chan error, 1)
	go func() { result <- exp.ConsumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))) }()
	require.Eventually(t, func() bool { return len(o.got()) == 1 }, 5*time.Second, 10*time.Millisecond)
	o.mu.Lock()
	o.status = http.StatusOK
	o.mu.Unlock()
	require.NoError(t, <-result, "the export call returns once the job is accepted")
	reqs := o.got()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].header.Get("Idempotency-Key"), reqs[1].header.Get("Idempotency-Key"))
	assert.Equal(t, reqs[0].body, reqs[1].body, "the retry sends the same job")
}
