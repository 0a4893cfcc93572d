package job

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func event() *modelevent.Event {
	key := []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: "fraud-model"}, {Key: modelevent.AttrModelVersion, Value: "v7"}}
	return &modelevent.Event{Violation: modelevent.Violation{
		State: modelevent.StateFiring, AlertID: modelevent.AlertID("accuracy_low", key), EventID: "e1",
		StartedAt: t0, ModelKey: key, Rule: "accuracy_low", Signal: "accuracy", Kind: modelevent.KindDegradation,
		Aggregation: "mean", Comparison: modelevent.ComparisonBelow, Observed: 0.812, Threshold: 0.94,
		Severity: modelevent.SeverityError, Actions: []string{modelevent.ActionRetrain},
	}, Resource: map[string]string{"service.name": "fraud-api"}}
}

func TestIDDeterministic(t *testing.T) {
	ev := event()
	id := ID(ev.ModelKey, ev.AlertID, ev.StartedAt)
	u, err := uuid.Parse(id)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(5), u.Version())

	tests := map[string]struct {
		key   []modelevent.Attribute
		alert string
		start time.Time
		same  bool
	}{
		"same inputs":          {ev.ModelKey, ev.AlertID, ev.StartedAt.In(time.FixedZone("x", 3600)), true},
		"other start":          {ev.ModelKey, ev.AlertID, ev.StartedAt.Add(time.Nanosecond), false},
		"other alert":          {ev.ModelKey, "0000000000000000", ev.StartedAt, false},
		"values shifted apart": {[]modelevent.Attribute{{Key: "model.name", Value: "fraud-model:"}, {Key: "model.version", Value: "7"}}, ev.AlertID, ev.StartedAt, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.same, ID(tt.key, tt.alert, tt.start) == id)
		})
	}
}

func TestNewAndEncode(t *testing.T) {
	ev := event()
	j := New(ev, t0.Add(time.Minute))
	second := event().Violation
	second.Rule, second.EventID, second.Severity, second.Observed = "psi_high", "e2", modelevent.SeverityWarning, math.Inf(1)
	second.Summary = "drift\non two lines"
	j.Add(&second)

	assert.Equal(t, 3, j.Priority, "warning does not lower error")
	assert.Equal(t, "accuracy mean 0.812 < 0.940 for fraud-model:v7 (rule accuracy_low) (and 1 more violation)", j.Reason)
	assert.Equal(t, "drift on two lines", j.TriggeredBy[1].Summary)
	assert.True(t, j.HasEvent("e2"))
	assert.Equal(t, []string{"e1", "e2"}, j.EventIDs())

	b, err := json.Marshal(j)
	require.NoError(t, err, "an infinite observed value must still encode")
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	assert.Equal(t, j.JobID, raw["job_id"])
	assert.Equal(t, map[string]any{"id": "fraud-model:v7", "name": "fraud-model", "version": "v7",
		"key": map[string]any{"model.name": "fraud-model", "model.version": "v7"}}, raw["model"])
	assert.Equal(t, "2026-11-29T08:01:00Z", raw["created_at"])
	assert.Equal(t, map[string]any{"service.name": "fraud-api"}, raw["resource"])
	trig := raw["triggered_by"].([]any)
	assert.Nil(t, trig[1].(map[string]any)["observed"])
	assert.Equal(t, 0.812, trig[0].(map[string]any)["observed"])

	var back Job
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, math.IsNaN(float64(back.TriggeredBy[1].Observed)))
}

func TestMarshalKeepsTextReadable(t *testing.T) {
	j := New(event(), t0)
	b, err := Marshal(j)
	require.NoError(t, err)
	assert.Contains(t, string(b), "0.812 < 0.940")
	assert.NotContains(t, string(b), "\n")
	var back Job
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, j.JobID, back.JobID)
}
