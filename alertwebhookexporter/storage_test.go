package alertwebhookexporter

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
)

// storageHost serves one started file_storage extension.
type storageHost struct {
	exts map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.exts }

var fileStorageID = component.MustNewID("file_storage")

// startFileStorage starts a real file_storage extension on dir.
func startFileStorage(t *testing.T, dir string) (storageHost, func()) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	cfg.Compaction.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	host := storageHost{exts: map[component.ID]component.Component{fileStorageID: ext}}
	require.NoError(t, ext.Start(context.Background(), host))
	return host, func() { require.NoError(t, ext.Shutdown(context.Background())) }
}

// runWithStorage starts an exporter on the storage in dir, runs fn, and shuts both down.
func runWithStorage(t *testing.T, dir string, cfg *Config, clock *fakeClock, fn func(e *alertExporter)) {
	t.Helper()
	host, stopStorage := startFileStorage(t, dir)
	set := exportertest.NewNopSettings(metadata.Type)
	// The same component ID across runs finds the same storage file.
	set.ID = component.NewID(metadata.Type)
	e, err := newExporter(cfg, set)
	require.NoError(t, err)
	e.clock = clock.Now
	require.NoError(t, e.start(context.Background(), host))
	fn(e)
	require.NoError(t, e.shutdown(context.Background()))
	stopStorage()
}

func TestRestartWithStorageKeepsDedupState(t *testing.T) {
	tests := []struct {
		name      string
		withStore bool
		// notifications after the restart for the same event, a duplicate firing and the resolution
		wantAfter int
	}{
		{name: "file_storage keeps the state", withStore: true, wantAfter: 1},
		{name: "in memory forgets it", withStore: false, wantAfter: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRecorder(t, 200)
			cfg := testConfig(srv.URL, FormatJSON)
			if tt.withStore {
				id := fileStorageID
				cfg.Storage = &id
			}
			dir := t.TempDir()
			clock := &fakeClock{now: t0}
			ctx := context.Background()
			runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
				require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
			})
			require.Equal(t, 1, len(srv.requests()))

			clock.Add(time.Minute)
			runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
				require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
				dup := firing("ev-2")
				dup.Time = t0.Add(time.Minute)
				require.NoError(t, e.pushLogs(ctx, logs(dup)))
				require.NoError(t, e.pushLogs(ctx, logs(resolved("ev-3"))))
			})
			assert.Equal(t, 1+tt.wantAfter, len(srv.requests()))
			assert.Equal(t, "resolved", statusOf(t, srv, len(srv.requests())-1))
		})
	}
}

// TestRestartResendsToAlertmanager: a restarted exporter re-sends the alerts
// it had posted, so that Alertmanager does not let them expire.
func TestRestartResendsToAlertmanager(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatAlertmanager)
	id := fileStorageID
	cfg.Storage = &id
	dir := t.TempDir()
	clock := &fakeClock{now: t0}
	ctx := context.Background()
	runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
		require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
	})
	clock.Add(2 * time.Minute)
	runWithStorage(t, dir, cfg, clock, func(e *alertExporter) {
		e.tick(ctx)
	})
	reqs := srv.requests()
	require.Equal(t, 2, len(reqs))
	assert.Equal(t, "/api/v2/alerts", reqs[1].Path)
	alerts := srv.bodies(t)[1].([]any)
	require.Len(t, alerts, 1)
	a := alerts[0].(map[string]any)
	assert.Equal(t, "accuracy_low", a["labels"].(map[string]any)["alertname"])
	assert.Equal(t, "2026-11-29T07:06:00Z", a["endsAt"], "four resend intervals after the re-send")
}
