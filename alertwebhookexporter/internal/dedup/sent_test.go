package dedup

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// A re-send that another collector's resolution overtakes between the
// recheck and the write must not write the firing back over it.
func TestMarkSentLeavesRecordsOfOthers(t *testing.T) {
	ctx := context.Background()
	store := storagekv.NewMemory()
	set := Settings{SendResolved: true, KeepResolved: time.Hour, Durable: true}
	a, b := New(store, set), New(store, set)
	require.NoError(t, a.Record(ctx, event("x", "a1", modelevent.StateFiring, t0), Notify, t0))
	due := a.Recheck(ctx, a.Due(t0.Add(time.Minute), time.Minute))
	require.Len(t, due, 1)

	require.NoError(t, b.Record(ctx, event("x", "b1", modelevent.StateResolved, t0.Add(30*time.Second)), NotifyWithFiring, t0.Add(30*time.Second)))
	require.NoError(t, a.MarkSent(ctx, "x", t0.Add(time.Minute)))

	raw, err := store.Get(ctx, keyPrefix+"x")
	require.NoError(t, err)
	var rec Entry
	require.NoError(t, json.Unmarshal(raw, &rec))
	assert.Equal(t, modelevent.StateResolved, rec.State, "the resolution recorded elsewhere stays")
	crossed := a.ResolvedElsewhere(ctx, due)
	require.Len(t, crossed, 1, "the re-send crossed it")
	assert.Equal(t, "b1", crossed[0].EventID)
	got, _ := a.Get("x")
	assert.Equal(t, modelevent.StateResolved, got.State)
	assert.Empty(t, a.Due(t0.Add(3*time.Minute), time.Minute), "nothing more to re-send")
	assert.Empty(t, b.ResolvedElsewhere(ctx, nil))
}

// The re-send bookkeeping survives a restart, and goes with its alert.
func TestSentSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	store := storagekv.NewMemory()
	set := Settings{SendResolved: true, KeepResolved: time.Hour, Durable: true}
	a := New(store, set)
	require.NoError(t, a.Record(ctx, event("x", "1", modelevent.StateFiring, t0), Notify, t0))
	require.NoError(t, a.Record(ctx, event("y", "2", modelevent.StateFiring, t0), Notify, t0))
	require.NoError(t, a.MarkSent(ctx, "x", t0.Add(time.Minute)))
	require.NoError(t, a.MarkSent(ctx, "x", t0.Add(2*time.Minute)))
	require.NoError(t, store.Set(ctx, sentPrefix+"gone", []byte(`{"event_id":"9"}`)))
	require.NoError(t, store.Set(ctx, sentPrefix+"bad", []byte("{")))

	b := New(store, set)
	loaded, bad, err := b.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, loaded)
	assert.Equal(t, 1, bad)
	x, _ := b.Get("x")
	assert.Equal(t, t0.Add(2*time.Minute), x.LastSentAt)
	assert.Equal(t, 2, x.Repeats)
	y, _ := b.Get("y")
	assert.Equal(t, t0, y.LastSentAt)
	for _, k := range []string{"gone", "bad"} {
		v, err := store.Get(ctx, sentPrefix+k)
		require.NoError(t, err)
		assert.Nil(t, v, "%s: bookkeeping without its alert is deleted", k)
	}

	// A newer notification of the alert makes the old bookkeeping moot.
	require.NoError(t, b.Record(ctx, event("x", "3", modelevent.StateResolved, t0.Add(3*time.Minute)), Notify, t0.Add(3*time.Minute)))
	require.NoError(t, b.Record(ctx, event("x", "4", modelevent.StateFiring, t0.Add(4*time.Minute)), Notify, t0.Add(4*time.Minute)))
	c := New(store, set)
	_, _, err = c.Load(ctx)
	require.NoError(t, err)
	x, _ = c.Get("x")
	assert.Equal(t, t0.Add(4*time.Minute), x.LastSentAt)
	assert.Zero(t, x.Repeats)

	require.NoError(t, c.Record(ctx, event("x", "5", modelevent.StateResolved, t0.Add(5*time.Minute)), Notify, t0.Add(5*time.Minute)))
	n, err := c.Expire(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	for _, k := range []string{keyPrefix + "x", sentPrefix + "x"} {
		v, err := store.Get(ctx, k)
		require.NoError(t, err)
		assert.Nil(t, v, k)
	}
}
