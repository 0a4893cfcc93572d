package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func limits() Limits {
	return Limits{CoalesceWindow: 30 * time.Second, Cooldown: time.Hour, MaxJobsPerHour: 10, MaxPending: 100, MaxTriggers: 5}
}

// event builds a firing violation of rule for model name, started at start.
func event(name, rule, eventID string, start time.Time) *modelevent.Event {
	key := []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: name}, {Key: modelevent.AttrModelVersion, Value: "v1"}}
	return &modelevent.Event{Violation: modelevent.Violation{
		State: modelevent.StateFiring, AlertID: modelevent.AlertID(rule, key), EventID: eventID,
		StartedAt: start, ModelKey: key, Rule: rule, Signal: "accuracy", Kind: modelevent.KindDegradation,
		Severity: modelevent.SeverityWarning, Actions: []string{modelevent.ActionRetrain},
	}, Resource: map[string]string{"service.name": name + "-api"}}
}

func TestCoalescing(t *testing.T) {
	p := New(limits())
	require.Equal(t, Created, p.Add(event("m", "acc", "e1", t0), t0))
	crit := event("m", "drift", "e2", t0)
	crit.Severity = modelevent.SeverityCritical
	assert.Equal(t, Coalesced, p.Add(crit, t0.Add(10*time.Second)))
	assert.Equal(t, Created, p.Add(event("other", "acc", "e3", t0), t0.Add(10*time.Second)))

	due, _ := p.Due(t0.Add(29*time.Second), false)
	assert.Empty(t, due, "window still open")

	due, _ = p.Due(t0.Add(30*time.Second), false)
	require.Len(t, due, 1)
	j := due[0].Job
	assert.Len(t, j.TriggeredBy, 2)
	assert.Equal(t, 4, j.Priority, "priority follows the highest severity")
	assert.Equal(t, "critical", j.Severity)
	assert.Equal(t, t0, j.CreatedAt)

	// After the window the job is decided; a later violation does not join it.
	assert.Equal(t, Cooldown, p.Add(event("m", "lat", "e4", t0), t0.Add(31*time.Second)))
	due, _ = p.Due(t0.Add(31*time.Second), false)
	require.Len(t, due, 1, "the same job until it is written")
	assert.Len(t, due[0].Job.TriggeredBy, 2)
}

func TestTriggersBounded(t *testing.T) {
	p := New(limits())
	p.Add(event("m", "r", "e0", t0), t0)
	for i := 1; i < 20; i++ {
		assert.Equal(t, Coalesced, p.Add(event("m", "r", "e"+string(rune('a'+i)), t0), t0))
	}
	due, _ := p.Due(t0.Add(time.Minute), false)
	require.Len(t, due, 1)
	assert.Len(t, due[0].Job.TriggeredBy, 5)
}

func TestSameEventTwiceIsOneJob(t *testing.T) {
	tests := []struct {
		name   string
		second time.Duration // when the redelivery arrives
		write  bool          // whether the job was written before it
	}{
		{"inside the window", 5 * time.Second, false},
		{"after the window, not yet written", time.Minute, false},
		{"after the write, inside the cooldown", 2 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(limits())
			ev := event("m", "acc", "e1", t0)
			require.Equal(t, Created, p.Add(ev, t0))
			if tt.write {
				due, _ := p.Due(t0.Add(time.Minute), false)
				require.Len(t, due, 1)
				p.Written(due[0], t0.Add(time.Minute))
			}
			assert.Equal(t, Duplicate, p.Add(ev, t0.Add(tt.second)))
			if !tt.write {
				due, _ := p.Due(t0.Add(time.Hour), false)
				require.Len(t, due, 1)
				assert.Len(t, due[0].Job.TriggeredBy, 1)
			}
		})
	}
}

func TestCooldown(t *testing.T) {
	p := New(limits())
	require.Equal(t, Created, p.Add(event("m", "acc", "e1", t0), t0))
	due, _ := p.Due(t0.Add(30*time.Second), false)
	require.Len(t, due, 1)
	writtenAt := t0.Add(40 * time.Second)
	p.Written(due[0], writtenAt)
	assert.Equal(t, 0, p.Pending())

	start2 := t0.Add(10 * time.Minute)
	assert.Equal(t, Cooldown, p.Add(event("m", "acc", "e2", start2), writtenAt.Add(59*time.Minute)))
	assert.Equal(t, Created, p.Add(event("other", "acc", "e3", start2), writtenAt.Add(59*time.Minute)), "cooldown is per model")
	assert.Equal(t, Created, p.Add(event("m", "acc", "e4", start2), writtenAt.Add(time.Hour)), "cooldown over")
}

func TestHourlyCapHoldsAndReleases(t *testing.T) {
	l := limits()
	l.MaxJobsPerHour = 2
	l.CoalesceWindow = 0
	p := New(l)
	for i, name := range []string{"a", "b", "c", "d"} {
		require.Equal(t, Created, p.Add(event(name, "acc", name, t0), t0.Add(time.Duration(i)*time.Minute)))
	}
	now := t0.Add(5 * time.Minute)
	due, held := p.Due(now, false)
	require.Len(t, due, 2)
	assert.Len(t, held, 2)
	assert.Equal(t, []string{"a", "b"}, []string{due[0].Job.Model.Name, due[1].Job.Model.Name}, "oldest first")
	p.Written(due[0], now)
	p.Written(due[1], now.Add(time.Minute))

	due, held = p.Due(now.Add(30*time.Minute), false)
	assert.Empty(t, due, "cap reached")
	assert.Empty(t, held, "held jobs are reported once")
	assert.Equal(t, 2, p.Pending(), "held, not dropped")

	due, _ = p.Due(now.Add(time.Hour), false)
	require.Len(t, due, 1, "one slot rolled out of the hour")
	assert.Equal(t, "c", due[0].Job.Model.Name)
	p.Written(due[0], now.Add(time.Hour))

	due, _ = p.Due(now.Add(time.Hour+time.Minute), false)
	require.Len(t, due, 1)
	assert.Equal(t, "d", due[0].Job.Model.Name)
}

func TestFullAndDrop(t *testing.T) {
	l := limits()
	l.MaxPending = 1
	p := New(l)
	require.Equal(t, Created, p.Add(event("a", "acc", "e1", t0), t0))
	assert.Equal(t, Full, p.Add(event("b", "acc", "e2", t0), t0))
	due, _ := p.Due(t0.Add(time.Minute), false)
	require.Len(t, due, 1)
	p.Drop(due[0])
	assert.Equal(t, 0, p.Pending())
	assert.Equal(t, Created, p.Add(event("a", "acc", "e3", t0), t0.Add(2*time.Minute)), "a dropped job starts no cooldown")
}

func TestForceIgnoresWindowNotCap(t *testing.T) {
	l := limits()
	l.MaxJobsPerHour = 1
	p := New(l)
	p.Add(event("a", "acc", "e1", t0), t0)
	p.Add(event("b", "acc", "e2", t0), t0)
	due, held := p.Due(t0, true)
	assert.Len(t, due, 1)
	assert.Len(t, held, 1)
}

// persisted is a store as the exporter keeps it: records by model key.
type persisted struct {
	models map[string][]byte
	slots  []byte
}

func (s *persisted) apply(t *testing.T, p *Planner) (changed int) {
	t.Helper()
	models, slots, err := p.Changes()
	require.NoError(t, err)
	for k, b := range models {
		if b == nil {
			delete(s.models, k)
		} else {
			s.models[k] = b
		}
	}
	if slots != nil {
		s.slots = slots
	}
	return len(models)
}

func TestPersistRoundTrip(t *testing.T) {
	store := &persisted{models: map[string][]byte{}}
	p := New(limits())
	p.Add(event("a", "acc", "e1", t0), t0)
	due, _ := p.Due(t0.Add(time.Minute), false)
	p.Written(due[0], t0.Add(time.Minute))
	p.Add(event("b", "acc", "e2", t0), t0.Add(2*time.Minute))
	assert.Equal(t, 2, store.apply(t, p))
	assert.Zero(t, store.apply(t, p), "nothing changed since")

	p.Add(event("c", "acc", "e3", t0), t0.Add(3*time.Minute))
	assert.Equal(t, 1, store.apply(t, p), "only the changed model is written again")

	q := New(limits())
	require.NoError(t, q.Load(store.models, store.slots))
	assert.Equal(t, 2, q.Pending())
	assert.Equal(t, Cooldown, q.Add(event("a", "acc", "e9", t0.Add(time.Minute)), t0.Add(10*time.Minute)))
	assert.Equal(t, Duplicate, q.Add(event("a", "acc", "e1", t0), t0.Add(10*time.Minute)))
	due, _ = q.Due(t0.Add(10*time.Minute), false)
	require.Len(t, due, 2)
	assert.Equal(t, "b", due[0].Job.Model.Name)

	// The cooldown of a runs out: its record goes away.
	q.Due(t0.Add(2*time.Hour), false)
	models, slots, err := q.Changes()
	require.NoError(t, err)
	assert.Contains(t, models, job.KeyString(event("a", "", "", t0).ModelKey))
	assert.Nil(t, models[job.KeyString(event("a", "", "", t0).ModelKey)])
	assert.NotNil(t, slots, "the cap slot rolled out of the hour")

	q.MarkAllDirty()
	models, _, err = q.Changes()
	require.NoError(t, err)
	assert.Len(t, models, 2, "b and c, after a failed persist")

	tests := map[string]map[string][]byte{
		"garbage":        {"k": []byte("{")},
		"future version": {"k": []byte(`{"version":99}`)},
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, New(limits()).Load(in, nil))
		})
	}
	assert.Error(t, New(limits()).Load(nil, []byte(`{"version":2}`)))
}
