package dedup

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Two exporters of two collectors share one store, as gateways share Redis:
// what the other recorded decides what this one still re-sends.
func TestRecheckSharedStore(t *testing.T) {
	ctx := context.Background()
	store := storagekv.NewMemory()
	set := Settings{SendResolved: true, KeepResolved: time.Hour, Durable: true}
	a, b := New(store, set), New(store, set)
	for _, id := range []string{"resolved-elsewhere", "later-elsewhere", "same-elsewhere", "untouched", "record-lost"} {
		require.NoError(t, a.Record(ctx, episode(event(id, id+"-a1", modelevent.StateFiring, t0), 0), Notify, t0))
	}
	require.NoError(t, b.Record(ctx, episode(event("resolved-elsewhere", "b1", modelevent.StateResolved, t0.Add(5*time.Second)), 0),
		NotifyWithFiring, t0.Add(5*time.Second)))
	require.NoError(t, b.Record(ctx, episode(event("later-elsewhere", "b2", modelevent.StateFiring, t0.Add(20*time.Second)), 10*time.Second),
		Notify, t0.Add(20*time.Second)))
	require.NoError(t, b.Record(ctx, episode(event("same-elsewhere", "b3", modelevent.StateFiring, t0), 0), Notify, t0))
	require.NoError(t, store.Delete(ctx, keyPrefix+"record-lost"))

	due := a.Due(t0.Add(time.Minute), time.Minute)
	require.Len(t, due, 5)
	var kept []string
	for _, en := range a.Recheck(ctx, due) {
		kept = append(kept, en.AlertID)
	}
	assert.ElementsMatch(t, []string{"same-elsewhere", "untouched", "record-lost"}, kept,
		"an episode resolved or superseded elsewhere is not re-sent; the same episode, or one the store lost, still is")
	got, ok := a.Get("resolved-elsewhere")
	require.True(t, ok)
	assert.Equal(t, modelevent.StateResolved, got.State, "the resolution recorded elsewhere is taken in memory")
	got, _ = a.Get("later-elsewhere")
	assert.Equal(t, "b2", got.EventID)

	// Without a durable store there is no one else to ask.
	mem := New(storagekv.NewMemory(), Settings{SendResolved: true})
	require.NoError(t, mem.Record(ctx, event("x", "1", modelevent.StateFiring, t0), Notify, t0))
	assert.Len(t, mem.Recheck(ctx, mem.Due(t0.Add(time.Minute), time.Minute)), 1)
}
