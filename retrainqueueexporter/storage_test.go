package retrainqueueexporter

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensiontest"
)

// storageHost offers a real file_storage extension, as a collector would.
type storageHost struct {
	exts map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.exts }

var storageID = component.MustNewID("file_storage")

// newStorageHost starts a file_storage extension over dir; it is shut down
// with the test or by the returned function.
func newStorageHost(t *testing.T, dir string) (storageHost, func()) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	cfg.Compaction.Directory = dir
	cfg.FSync = true
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), nil))
	var once bool
	stop := func() {
		if !once {
			once = true
			require.NoError(t, ext.Shutdown(context.Background()))
		}
	}
	t.Cleanup(stop)
	return storageHost{exts: map[component.ID]component.Component{storageID: ext}}, stop
}

func TestRestartWithStorageKeepsCooldown(t *testing.T) {
	storeDir := t.TempDir()
	cfg := fileConfig(t)
	cfg.Storage = &storageID

	host, stop := newStorageHost(t, storeDir)
	h := newHarness(t, cfg, host)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
	h.clock.advance(cfg.CoalesceWindow)
	require.NoError(t, h.flush(ctx, false))
	require.Len(t, readyJobs(t, cfg), 1)
	require.NoError(t, h.shutdown(ctx))
	stop()

	host2, _ := newStorageHost(t, storeDir)
	h2 := newHarness(t, cfg, host2)
	h2.clock.advance(30 * time.Minute)
	require.NoError(t, h2.consumeLogs(ctx, logsOf(violation("fraud", "latency_high", "e2"))))
	h2.clock.advance(cfg.CoalesceWindow)
	require.NoError(t, h2.flush(ctx, false))
	assert.Len(t, readyJobs(t, cfg), 1, "no second job inside the cooldown after a restart")
	assert.Equal(t, int64(1), h2.counter(t, "jobs_suppressed", reasonCooldown))
}

func TestRestartWithStorageKeepsOpenJob(t *testing.T) {
	storeDir := t.TempDir()
	cfg := fileConfig(t)
	cfg.Storage = &storageID

	host, stop := newStorageHost(t, storeDir)
	h := newHarness(t, cfg, host)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
	require.NoError(t, h.shutdown(ctx))
	stop()
	assert.Empty(t, readyJobs(t, cfg), "with storage an open job waits for its window across the restart")

	host2, _ := newStorageHost(t, storeDir)
	h2 := newHarness(t, cfg, host2)
	assert.EqualValues(t, 1, h2.pending())
	require.NoError(t, h2.consumeLogs(ctx, logsOf(violation("fraud", "drift", "e2"))))
	h2.clock.advance(cfg.CoalesceWindow)
	require.NoError(t, h2.flush(ctx, false))
	jobs := readyJobs(t, cfg)
	require.Len(t, jobs, 1)
	assert.Equal(t, []string{"e1", "e2"}, jobs[0].EventIDs(), "the restored job kept coalescing")
}

func TestStorageMisconfigured(t *testing.T) {
	cfg := fileConfig(t)
	missing := component.MustNewID("nope")
	cfg.Storage = &missing
	e, err := newExporter(cfg, exportertestSettings(), time.Now)
	require.NoError(t, err)
	assert.ErrorContains(t, e.start(ctx, nopHost()), `storage extension "nope" not found`)
	require.NoError(t, e.shutdown(ctx))
}

func TestRestartWithStorageKeepsHourlyCap(t *testing.T) {
	storeDir := t.TempDir()
	cfg := fileConfig(t)
	cfg.Storage = &storageID
	cfg.CoalesceWindow, cfg.MaxJobsPerHour = 0, 1

	host, stop := newStorageHost(t, storeDir)
	h := newHarness(t, cfg, host)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	require.NoError(t, h.shutdown(ctx))
	stop()

	host2, stop2 := newStorageHost(t, storeDir)
	h2 := newHarness(t, cfg, host2)
	require.NoError(t, h2.consumeLogs(ctx, logsOf(violation("b", "acc", "e2"))))
	assert.Len(t, readyJobs(t, cfg), 1, "the slot used before the restart still counts")
	require.NoError(t, h2.shutdown(ctx))
	stop2()

	host3, _ := newStorageHost(t, storeDir)
	h3 := newHarness(t, cfg, host3)
	h3.clock.advance(time.Hour)
	require.NoError(t, h3.flush(ctx, false))
	jobs := readyJobs(t, cfg)
	require.Len(t, jobs, 2, "the held job survived the restart and goes out as the hour rolls")
	assert.Equal(t, "b", jobs[1].Model.Name)
}
