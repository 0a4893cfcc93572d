package payload

import (
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
