package alertwebhookexporter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
)

// TestLifecycle creates, starts and shuts down the exporter through its
// factory for every format, with the default queue and retry settings;
// goleak (package_test.go) fails the package if anything outlives Shutdown.
func TestLifecycle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	for _, format := range []string{FormatJSON, FormatAlertmanager, FormatSlack, FormatPagerDuty} {
		t.Run(format, func(t *testing.T) {
			ctx := context.Background()
			f := NewFactory()
			cfg := f.CreateDefaultConfig().(*Config)
			cfg.Format = format
			cfg.ClientConfig.Endpoint = srv.URL
			if format == FormatPagerDuty {
				cfg.RoutingKey = "R0UTINGKEY-secret-123"
			}
			require.NoError(t, cfg.Validate())
			exp, err := f.CreateLogs(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
			require.NoError(t, err)
			require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
			require.NoError(t, exp.Shutdown(ctx))
		})
	}
}
