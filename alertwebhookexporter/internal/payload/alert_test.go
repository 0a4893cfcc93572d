package payload

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

func event(state modelevent.State) modelevent.Event {
	t0 := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	return modelevent.Event{Violation: modelevent.Violation{
		Time: t0.Add(time.Minute), State: state, AlertID: "a1", EventID: "e1", StartedAt: t0,
		ModelKey: []modelevent.Attribute{{Key: "model.name", Value: "m"}, {Key: "severity", Value: "spoofed"}},
		Rule:     "r", Signal: "accuracy", Kind: modelevent.KindDrift, Severity: modelevent.SeverityWarning,
		Observed: 0.5, Threshold: 0.25, Annotations: map[string]string{"team.name": "ml"},
	}}
}

func TestNewAlert(t *testing.T) {
	a := NewAlert(event(modelevent.StateFiring))
	assert.Equal(t, map[string]string{
		"alertname": "r", "model_name": "m", "severity": "warning", "kind": "drift", "signal": "accuracy",
	}, a.Labels, "a model-key attribute cannot override a contract label")
	assert.Equal(t, "ml", a.Annotations["team_name"])
	assert.Equal(t, "0.5", a.Annotations[AnnotationObserved])
	assert.Equal(t, "0.25", a.Annotations[AnnotationThreshold])
	assert.Equal(t, a.Annotations[AnnotationSummary], a.Annotations[AnnotationDescription])
	assert.True(t, a.EndsAt.IsZero())

	r := NewAlert(event(modelevent.StateResolved))
	assert.Equal(t, r.Event.Time, r.EndsAt)
}

func TestNewAlertGroupLabels(t *testing.T) {
	ev := event(modelevent.StateFiring)
	ev.Group = []modelevent.Attribute{{Key: "feature.name", Value: "income"}}
	a := NewAlert(ev)
	assert.Equal(t, "income", a.Labels["feature_name"], "one Alertmanager alert per group")
	ev.Group[0].Value = "age"
	assert.NotEqual(t, a.Labels, NewAlert(ev).Labels)
}

func TestPagerDutySeverity(t *testing.T) {
	for in, want := range map[modelevent.Severity]string{"critical": "critical", "error": "error", "warning": "warning", "info": "info", "": "error", "loud": "error"} {
		assert.Equal(t, want, PagerDutySeverity(in), in)
	}
}

func TestPagerDutyOneEventPerAlert(t *testing.T) {
	n := &Notification{ID: "group-1", Alerts: []Alert{NewAlert(event(modelevent.StateFiring)), NewAlert(event(modelevent.StateResolved))}}
	n.Alerts[1].Event.EventID = "e2"
	msgs, err := PagerDuty{RoutingKey: "k"}.Render(n)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	assert.Equal(t, "e1", msgs[0].ID)
	assert.Equal(t, "e2", msgs[1].ID)
	assert.Contains(t, string(msgs[1].Body), `"event_action":"resolve"`)
}

func TestSlackManyAlerts(t *testing.T) {
	n := &Notification{Truncated: 5}
	for range 60 {
		n.Alerts = append(n.Alerts, NewAlert(event(modelevent.StateFiring)))
	}
	msgs, err := Slack{}.Render(n)
	require.NoError(t, err)
	assert.Contains(t, string(msgs[0].Body), "and 17 more alerts", "48 shown of 60, plus 5 truncated")
}

// TestPagerDutyNonFiniteValues: observed values come from user metrics; a NaN
// or infinite one must not make the event unencodable (and so never sent).
func TestPagerDutyNonFiniteValues(t *testing.T) {
	tests := []struct {
		name      string
		observed  float64
		threshold float64
		want      map[string]any
	}{
		{name: "NaN", observed: math.NaN(), threshold: 0.25, want: map[string]any{"modelmon.observed": "NaN", "modelmon.threshold": 0.25}},
		{name: "+Inf", observed: math.Inf(1), threshold: 120, want: map[string]any{"modelmon.observed": "+Inf", "modelmon.threshold": 120.0}},
		{name: "-Inf threshold", observed: 1, threshold: math.Inf(-1), want: map[string]any{"modelmon.observed": 1.0, "modelmon.threshold": "-Inf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := event(modelevent.StateFiring)
			ev.Observed, ev.Threshold = tt.observed, tt.threshold
			msgs, err := PagerDuty{RoutingKey: "k"}.Render(&Notification{ID: "e1", Alerts: []Alert{NewAlert(ev)}})
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			var got PagerDutyEvent
			require.NoError(t, json.Unmarshal(msgs[0].Body, &got))
			for k, v := range tt.want {
				assert.Equal(t, v, got.Payload.CustomDetails[k], k)
			}
		})
	}
}
