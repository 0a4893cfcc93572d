package retrainqueueexporter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// TestLifecycle creates, starts and shuts down the exporter through its
// factory for the file and HTTP backends, with the default queue and retry
// settings; goleak (package_test.go) fails the package if anything outlives
// Shutdown.
func TestLifecycle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name   string
		config func(t *testing.T, c *Config)
	}{
		{name: "file", config: func(t *testing.T, c *Config) {
			c.File.Directory = filepath.Join(t.TempDir(), "queue")
		}},
		{name: "http", config: func(_ *testing.T, c *Config) {
			c.Backend = BackendHTTP
			c.HTTP.Endpoint = srv.URL
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := NewFactory()
			cfg := f.CreateDefaultConfig().(*Config)
			tt.config(t, cfg)
			require.NoError(t, cfg.Validate())
			exp, err := f.CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
			require.NoError(t, err)
			require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
			require.NoError(t, exp.Shutdown(ctx))
		})
	}
}
