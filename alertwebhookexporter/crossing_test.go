package alertwebhookexporter

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// hookStorage is a storage extension over one map, which the exporters of
// two collectors share as gateways share Redis. An armed hook runs once, at
// the first read (after it) or write (before it) of its key: a test puts the
// other collector's work exactly there.
type hookStorage struct {
	component.StartFunc
	component.ShutdownFunc

	mu     sync.Mutex
	data   map[string][]byte
	hookOn storage.OpType
	hookAt string
	hook   func()
}

var _ storage.Extension = (*hookStorage)(nil)

func (s *hookStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return hookClient{s}, nil
}

func (s *hookStorage) arm(on storage.OpType, key string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookOn, s.hookAt, s.hook = on, key, fn
}

// take returns the hook if one of ops is what it waits for, and disarms it.
func (s *hookStorage) take(ops []*storage.Operation) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		if s.hook != nil && op.Type == s.hookOn && op.Key == s.hookAt {
			fn := s.hook
			s.hook = nil
			return fn
		}
	}
	return nil
}

type hookClient struct{ s *hookStorage }

func (c hookClient) Get(ctx context.Context, k string) ([]byte, error) {
	op := storage.GetOperation(k)
	err := c.Batch(ctx, op)
	return op.Value, err
}

func (c hookClient) Set(ctx context.Context, k string, v []byte) error {
	return c.Batch(ctx, storage.SetOperation(k, v))
}

func (c hookClient) Delete(ctx context.Context, k string) error {
	return c.Batch(ctx, storage.DeleteOperation(k))
}

func (c hookClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	hook := c.s.take(ops)
	if hook != nil && ops[0].Type == storage.Set {
		hook()
		hook = nil
	}
	c.s.mu.Lock()
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			op.Value = append([]byte(nil), c.s.data[op.Key]...)
			if c.s.data[op.Key] == nil {
				op.Value = nil
			}
		case storage.Set:
			c.s.data[op.Key] = append([]byte(nil), op.Value...)
		case storage.Delete:
			delete(c.s.data, op.Key)
		}
	}
	c.s.mu.Unlock()
	if hook != nil {
		hook()
	}
	return nil
}

func (hookClient) Close(context.Context) error { return nil }

// crossingPair starts the exporters of two collectors sharing one store.
// Collector a notified the firing; b started after, as a gateway that took
// the model over, and resolves it.
func crossingPair(t *testing.T) (a, b *alertExporter, st *hookStorage, srv *recorder, clock *fakeClock) {
	t.Helper()
	st = &hookStorage{data: map[string][]byte{}}
	host := storageHost{exts: map[component.ID]component.Component{fileStorageID: st}}
	srv = newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatAlertmanager)
	id := fileStorageID
	cfg.Storage = &id
	clock = &fakeClock{now: t0}
	a = startExporter(t, cfg, clock, host)
	require.NoError(t, a.pushLogs(context.Background(), logs(firing("ev-1"))))
	b = startExporter(t, cfg, clock, host)
	clock.Add(2 * time.Minute)
	return a, b, st, srv, clock
}

// posted lists what Alertmanager received of the alert, post by post:
// "firing" while its endsAt lies ahead, "resolved" once it does not.
func posted(t *testing.T, srv *recorder, now time.Time) []string {
	t.Helper()
	var out []string
	for _, body := range srv.bodies(t) {
		for _, a := range body.([]any) {
			ends, err := time.Parse(time.RFC3339Nano, a.(map[string]any)["endsAt"].(string))
			require.NoError(t, err)
			state := "firing"
			if !ends.After(now) {
				state = "resolved"
			}
			out = append(out, state)
		}
	}
	return out
}

// TestResendCrossesResolution: collector a rechecks the store and finds the
// alert firing; collector b resolves it before a's re-send goes out, so the
// re-send reaches Alertmanager after the resolution. Alertmanager must still
// end with the resolution, and a must not go on re-sending.
func TestResendCrossesResolution(t *testing.T) {
	ctx := context.Background()
	a, b, st, srv, clock := crossingPair(t)
	alertKey := "alert/" + firing("ev-1").AlertID
	st.arm(storage.Get, alertKey, func() { require.NoError(t, b.pushLogs(ctx, logs(resolved("ev-2")))) })
	a.tick(ctx)

	got := posted(t, srv, clock.Now())
	require.Equal(t, []string{"firing", "resolved", "resolved", "firing", "resolved"}, got,
		"a's firing, b's resolution (twice), a's re-send crossing it, the resolution again")
	ent, ok := a.table.Get(firing("ev-1").AlertID)
	require.True(t, ok)
	assert.Equal(t, "resolved", string(ent.State))

	clock.Add(2 * time.Minute)
	a.tick(ctx)
	b.tick(ctx)
	assert.Len(t, srv.requests(), len(got), "nothing is re-sent once resolved")
}

// TestResolutionRecordedAfterRecheck: b has posted its resolution but not yet
// recorded it when a rechecks, re-sends and rechecks again: only b's second
// post, after its record, can come last.
func TestResolutionRecordedAfterRecheck(t *testing.T) {
	ctx := context.Background()
	a, b, st, srv, clock := crossingPair(t)
	alertKey := "alert/" + firing("ev-1").AlertID
	st.arm(storage.Set, alertKey, func() { a.tick(ctx) })
	require.NoError(t, b.pushLogs(ctx, logs(resolved("ev-2"))))

	got := posted(t, srv, clock.Now())
	require.Equal(t, []string{"firing", "resolved", "firing", "resolved"}, got,
		"a's firing, b's resolution, a's re-send crossing it, b's resolution once recorded")
	clock.Add(2 * time.Minute)
	a.tick(ctx)
	assert.Len(t, srv.requests(), len(got), "a takes the recorded resolution and stops")
}
