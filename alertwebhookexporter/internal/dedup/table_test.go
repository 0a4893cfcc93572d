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

var t0 = time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)

func event(id, eventID string, state modelevent.State, at time.Time) *modelevent.Event {
	return &modelevent.Event{Violation: modelevent.Violation{AlertID: id, EventID: eventID, State: state, Time: at, Rule: "r"}}
}

// episode stamps ev as part of the alert episode that started at t0+start.
func episode(ev *modelevent.Event, start time.Duration) *modelevent.Event {
	ev.StartedAt = t0.Add(start)
	return ev
}

type step struct {
	ev     *modelevent.Event
	at     time.Duration
	want   Decision
	record bool
}

func TestDecide(t *testing.T) {
	firing := func(eid string, at time.Duration) *modelevent.Event {
		return event("a", eid, modelevent.StateFiring, t0.Add(at))
	}
	resolved := func(eid string, at time.Duration) *modelevent.Event {
		return event("a", eid, modelevent.StateResolved, t0.Add(at))
	}
	tests := []struct {
		name  string
		set   Settings
		steps []step
	}{
		{name: "one notification per firing", set: Settings{RepeatInterval: time.Hour, SendResolved: true}, steps: []step{
			{ev: firing("e1", 0), want: Notify, record: true},
			{ev: firing("e1", 0), at: time.Minute, want: Replay},
			{ev: firing("e2", time.Minute), at: time.Minute, want: Duplicate},
			{ev: firing("e3", 2*time.Minute), at: time.Hour, want: Repeat, record: true},
			{ev: firing("e4", 3*time.Minute), at: time.Hour + time.Minute, want: Duplicate},
		}},
		{name: "resolution once, then a new firing", set: Settings{RepeatInterval: time.Hour, SendResolved: true}, steps: []step{
			{ev: firing("e1", 0), want: Notify, record: true},
			{ev: resolved("e2", time.Minute), at: time.Minute, want: Notify, record: true},
			{ev: resolved("e3", 2*time.Minute), at: 2 * time.Minute, want: Duplicate},
			{ev: firing("e4", 3*time.Minute), at: 3 * time.Minute, want: Notify, record: true},
		}},
		{name: "out-of-order firing after resolution is stale", set: Settings{SendResolved: true}, steps: []step{
			{ev: resolved("e2", time.Minute), want: Notify, record: true},
			{ev: firing("e1", 0), want: Stale},
		}},
		{name: "send_resolved off suppresses", set: Settings{SendResolved: false}, steps: []step{
			{ev: firing("e1", 0), want: Notify, record: true},
			{ev: resolved("e2", time.Minute), want: Suppress, record: true},
			{ev: resolved("e3", 2*time.Minute), want: Duplicate},
		}},
		{name: "durable state: a resolution of a never-notified alert brings its firing", set: Settings{SendResolved: true, Durable: true}, steps: []step{
			{ev: episode(resolved("e2", time.Minute), 0), want: NotifyWithFiring, record: true},
			{ev: episode(firing("e1", 0), 0), want: Stale},
		}},
		{name: "a later episode's lost firing is sent before its resolution", set: Settings{SendResolved: true}, steps: []step{
			{ev: episode(firing("e1", 0), 0), want: Notify, record: true},
			{ev: episode(resolved("e2", time.Minute), 0), want: Notify, record: true},
			{ev: episode(resolved("e4", 3*time.Minute), 2*time.Minute), want: NotifyWithFiring, record: true},
			{ev: episode(resolved("e5", 4*time.Minute), 2*time.Minute), want: Duplicate},
			{ev: episode(firing("e3", 2*time.Minute), 2*time.Minute), want: Stale},
		}},
		{name: "no repeat when repeat_interval is zero", set: Settings{SendResolved: true}, steps: []step{
			{ev: firing("e1", 0), want: Notify, record: true},
			{ev: firing("e2", time.Minute), at: 1000 * time.Hour, want: Duplicate},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := New(storagekv.NewMemory(), tt.set)
			for i, s := range tt.steps {
				got := tab.Decide(s.ev, t0.Add(s.at))
				require.Equal(t, s.want, got, "step %d (%s)", i, s.ev.EventID)
				if s.record {
					require.NoError(t, tab.Record(context.Background(), s.ev, got, t0.Add(s.at)))
				}
			}
		})
	}
}

func TestLimitEvictsResolvedFirst(t *testing.T) {
	ctx := context.Background()
	tab := New(storagekv.NewMemory(), Settings{Limit: 2, SendResolved: true})
	require.NoError(t, tab.Record(ctx, event("a", "1", modelevent.StateResolved, t0), Notify, t0))
	require.NoError(t, tab.Record(ctx, event("b", "2", modelevent.StateFiring, t0), Notify, t0))
	require.NoError(t, tab.Record(ctx, event("c", "3", modelevent.StateFiring, t0), Notify, t0))
	_, ok := tab.Get("a")
	assert.False(t, ok, "the resolution made room")
	assert.ErrorIs(t, tab.Record(ctx, event("d", "4", modelevent.StateFiring, t0), Notify, t0), ErrFull)
	assert.Equal(t, 2, tab.Len())
}

func TestDueMarkSentExpire(t *testing.T) {
	ctx := context.Background()
	tab := New(storagekv.NewMemory(), Settings{SendResolved: true, KeepResolved: time.Hour})
	require.NoError(t, tab.Record(ctx, event("b", "1", modelevent.StateFiring, t0), Notify, t0))
	require.NoError(t, tab.Record(ctx, event("a", "2", modelevent.StateFiring, t0), Notify, t0.Add(time.Second)))
	require.NoError(t, tab.Record(ctx, event("c", "3", modelevent.StateResolved, t0), Notify, t0))

	assert.Empty(t, tab.Due(t0.Add(59*time.Second), time.Minute))
	due := tab.Due(t0.Add(61*time.Second), time.Minute)
	require.Len(t, due, 2)
	assert.Equal(t, []string{"b", "a"}, []string{due[0].AlertID, due[1].AlertID})

	require.NoError(t, tab.MarkSent(ctx, "b", t0.Add(61*time.Second)))
	require.NoError(t, tab.MarkSent(ctx, "c", t0.Add(61*time.Second)), "resolved alerts are left alone")
	due = tab.Due(t0.Add(62*time.Second), time.Minute)
	require.Len(t, due, 1)
	assert.Equal(t, "a", due[0].AlertID)

	n, err := tab.Expire(ctx, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, ok := tab.Get("c")
	assert.False(t, ok)
}

func TestLoadRestoresAndDropsCorrupt(t *testing.T) {
	ctx := context.Background()
	store := storagekv.NewMemory()
	a := New(store, Settings{SendResolved: true})
	ev := event("a", "1", modelevent.StateFiring, t0)
	require.NoError(t, a.Record(ctx, ev, Notify, t0))
	require.NoError(t, store.Set(ctx, keyPrefix+"bad", []byte("{")))
	require.NoError(t, store.Set(ctx, keyPrefix+"mismatch", []byte(`{"alert_id":"other"}`)))
	require.NoError(t, store.Set(ctx, "someone-else", []byte("x")))

	b := New(store, Settings{SendResolved: true})
	loaded, bad, err := b.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, loaded)
	assert.Equal(t, 2, bad)
	assert.Equal(t, Replay, b.Decide(ev, t0))
	assert.Equal(t, Duplicate, b.Decide(event("a", "2", modelevent.StateFiring, t0), t0))
	v, err := store.Get(ctx, keyPrefix+"bad")
	require.NoError(t, err)
	assert.Nil(t, v)
}

func TestPendingUntilDelivered(t *testing.T) {
	ctx := context.Background()
	store := storagekv.NewMemory()
	tab := New(store, Settings{SendResolved: true, KeepResolved: time.Minute})
	res := event("a", "1", modelevent.StateResolved, t0)
	require.NoError(t, tab.Accept(ctx, res, Notify, t0))
	n, err := tab.Expire(ctx, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "a pending resolution is not forgotten before it is sent")
	assert.Equal(t, Duplicate, tab.Decide(event("a", "2", modelevent.StateResolved, t0), t0))

	require.NoError(t, tab.Delivered(ctx, "a", "other-event", t0))
	e, _ := tab.Get("a")
	assert.True(t, e.Pending, "delivery of another event leaves it pending")

	require.NoError(t, tab.Delivered(ctx, "a", "1", t0.Add(time.Hour)))
	reloaded := New(store, Settings{})
	_, _, err = reloaded.Load(ctx)
	require.NoError(t, err)
	e, _ = reloaded.Get("a")
	assert.False(t, e.Pending)
	assert.Equal(t, t0.Add(time.Hour), e.LastSentAt)
	assert.Len(t, reloaded.Entries(), 1)
}

func TestDecisionString(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{Notify, "notify"},
		{Suppress, "suppress"},
		{Decision(-1), "decision(-1)"},
		{Decision(42), "decision(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.d.String())
		})
	}
}

func TestFiringOf(t *testing.T) {
	r := episode(event("a", "e9", modelevent.StateResolved, t0.Add(time.Hour)), time.Minute)
	r.ResolvedReason = modelevent.ResolvedExpired
	f := FiringOf(r)
	assert.Equal(t, modelevent.StateFiring, f.State)
	assert.Equal(t, t0.Add(time.Minute), f.Time)
	assert.Equal(t, "e9-firing", f.EventID)
	assert.Empty(t, f.ResolvedReason)
	assert.Equal(t, modelevent.StateResolved, r.State, "the resolution itself is unchanged")
}
