package retrainqueueexporter

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// flakyStorage is a storage extension with one map-backed client whose
// batches fail while failing is set.
type flakyStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu      sync.Mutex
	data    map[string][]byte
	failing bool
	batches int
}

var _ storage.Extension = (*flakyStorage)(nil)

func (f *flakyStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return flakyClient{f}, nil
}

type flakyClient struct{ f *flakyStorage }

func (c flakyClient) Get(_ context.Context, k string) ([]byte, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	return c.f.data[k], nil
}

func (c flakyClient) Set(ctx context.Context, k string, v []byte) error {
	return c.Batch(ctx, storage.SetOperation(k, v))
}

func (c flakyClient) Delete(ctx context.Context, k string) error {
	return c.Batch(ctx, storage.DeleteOperation(k))
}

func (c flakyClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if c.f.failing {
		return errors.New("disk full")
	}
	c.f.batches++
	for _, op := range ops {
		switch op.Type {
		case storage.Set:
			c.f.data[op.Key] = op.Value
		case storage.Delete:
			delete(c.f.data, op.Key)
		}
	}
	return nil
}

func (flakyClient) Close(context.Context) error { return nil }

func TestStatePersistFailureIsRetryableAndRecovers(t *testing.T) {
	fs := &flakyStorage{data: map[string][]byte{}}
	host := storageHost{exts: map[component.ID]component.Component{storageID: fs}}
	cfg := fileConfig(t)
	cfg.Storage = &storageID
	h := newHarness(t, cfg, host)

	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	fs.mu.Lock()
	fs.failing = true
	fs.mu.Unlock()
	err := h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2")))
	require.ErrorContains(t, err, "disk full")
	assert.False(t, consumererror.IsPermanent(err))

	fs.mu.Lock()
	fs.failing = false
	fs.mu.Unlock()
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2"))), "the retried batch persists")

	// A second exporter over the same storage, before the first shuts down
	// (as after a crash), sees both jobs.
	h2 := newHarness(t, cfg, host)
	assert.EqualValues(t, 2, h2.pending())
}

func TestCorruptStateRefusesToStart(t *testing.T) {
	fs := &flakyStorage{data: map[string][]byte{
		stateModelPrefix + "k": []byte(`{"version":1,"model":`),
		"storagekv.index":      []byte(`["model/k"]`),
	}}
	host := storageHost{exts: map[component.ID]component.Component{storageID: fs}}
	cfg := fileConfig(t)
	cfg.Storage = &storageID
	e, err := newExporter(cfg, exportertestSettings(), nil)
	require.NoError(t, err)
	err = e.start(ctx, host)
	require.ErrorContains(t, err, "reading retrain_queue state from file_storage")
	require.NoError(t, e.shutdown(ctx))
}

func TestStateRecordsFollowModels(t *testing.T) {
	fs := &flakyStorage{data: map[string][]byte{}}
	host := storageHost{exts: map[component.ID]component.Component{storageID: fs}}
	cfg := fileConfig(t)
	cfg.Storage = &storageID
	cfg.CoalesceWindow, cfg.Cooldown = 0, time.Hour
	h := newHarness(t, cfg, host)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"), violation("b", "acc", "e2"))))
	fs.mu.Lock()
	n := len(fs.data)
	fs.mu.Unlock()
	assert.Equal(t, 4, n, "index, slots and one record per model")

	h.clock.advance(time.Hour)
	require.NoError(t, h.flush(ctx, false))
	fs.mu.Lock()
	defer fs.mu.Unlock()
	assert.Equal(t, []byte(`["slots"]`), fs.data["storagekv.index"], "expired cooldowns leave the storage")
	assert.Len(t, fs.data, 2)
}

// TestStateFailedDeletionIsRetried: a model the planner forgot while the
// storage refused the batch still leaves the storage at the next persist,
// so a restart does not bring its cooldown back.
func TestStateFailedDeletionIsRetried(t *testing.T) {
	fs := &flakyStorage{data: map[string][]byte{}}
	host := storageHost{exts: map[component.ID]component.Component{storageID: fs}}
	cfg := fileConfig(t)
	cfg.Storage = &storageID
	cfg.CoalesceWindow, cfg.Cooldown = 0, time.Hour
	h := newHarness(t, cfg, host)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))

	h.clock.advance(time.Hour)
	fs.mu.Lock()
	fs.failing = true
	fs.mu.Unlock()
	require.NoError(t, h.flush(ctx, false), "a failed persist is logged, the flush goes on")
	fs.mu.Lock()
	assert.Len(t, fs.data, 3, "index, slots and the record of a, still")
	fs.failing = false
	fs.mu.Unlock()
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2"))))

	fs.mu.Lock()
	defer fs.mu.Unlock()
	var records []string
	for k := range fs.data {
		if strings.HasPrefix(k, stateModelPrefix) {
			records = append(records, k)
		}
	}
	require.Len(t, records, 1, "the expired model's record is gone, b's is there")
	assert.Contains(t, records[0], "b")
}
