package payload

import (
	"encoding/json"
	"math"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// PagerDutySummaryLimit is the longest payload.summary PagerDuty accepts.
const PagerDutySummaryLimit = 1024

// PagerDutyEnqueueURL is the Events API v2 endpoint used when none is configured.
const PagerDutyEnqueueURL = "https://events.pagerduty.com/v2/enqueue"

// PagerDuty renders Events API v2 events: trigger on firing, resolve on
// resolved, dedup_key = modelmon.alert.id so that PagerDuty folds repeats
// into one incident and the resolution closes it.
type PagerDuty struct {
	// RoutingKey is the integration key; it is a secret and only ever goes in the body.
	RoutingKey string
}

var _ Format = PagerDuty{}

// PagerDutyEvent is one Events API v2 event.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client,omitempty"`
	ClientURL   string            `json:"client_url,omitempty"`
	Links       []PagerDutyLink   `json:"links,omitempty"`
}

// PagerDutyPayload describes a triggered event.
type PagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// PagerDutyLink is a link shown on the incident.
type PagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// URL posts to the configured enqueue URL.
func (PagerDuty) URL(endpoint string) string {
	if endpoint == "" {
		return PagerDutyEnqueueURL
	}
	return endpoint
}

// Signed is false: PagerDuty authenticates by routing key.
func (PagerDuty) Signed() bool { return false }

// Render builds one event per alert.
func (f PagerDuty) Render(n *Notification) ([]Message, error) {
	out := make([]Message, 0, len(n.Alerts))
	for i := range n.Alerts {
		a := &n.Alerts[i]
		ev := PagerDutyEvent{RoutingKey: f.RoutingKey, DedupKey: a.ID, EventAction: "resolve"}
		if a.Status == modelevent.StateFiring {
			ev.EventAction = "trigger"
			ev.Client = "modelmon"
			ev.ClientURL = n.ExternalURL
			ev.Payload = pagerDutyPayload(a)
			if rb := a.Annotations[AnnotationRunbook]; rb != "" {
				ev.Links = []PagerDutyLink{{Href: rb, Text: "Runbook"}}
			}
		}
		body, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		id := n.ID
		if len(n.Alerts) > 1 {
			id = a.Event.EventID
		}
		out = append(out, Message{ID: id, Body: body})
	}
	return out, nil
}

func pagerDutyPayload(a *Alert) *PagerDutyPayload {
	v := &a.Event.Violation
	return &PagerDutyPayload{
		Summary:       Cut(a.Text(), PagerDutySummaryLimit),
		Source:        v.ModelID(),
		Severity:      PagerDutySeverity(v.Severity),
		Timestamp:     v.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Component:     v.Signal,
		Group:         v.ModelKeyValue(modelevent.AttrModelName),
		Class:         string(v.Kind),
		CustomDetails: customDetails(a.Event),
	}
}

// PagerDutySeverity maps a modelmon severity onto PagerDuty's four; an
// unknown one is reported as error rather than refused.
func PagerDutySeverity(s modelevent.Severity) string {
	switch s {
	case modelevent.SeverityCritical, modelevent.SeverityError, modelevent.SeverityWarning, modelevent.SeverityInfo:
		return string(s)
	}
	return "error"
}

// customDetails are all event attributes as the log record carries them,
// plus the resource attributes under "resource".
func customDetails(ev modelevent.Event) map[string]any {
	lr := plog.NewLogRecord()
	modelevent.Encode(&ev.Violation, lr)
	d := lr.Attributes().AsRaw()
	for k, v := range d {
		// JSON has no NaN or Inf: spelt out, the event still encodes and the
		// on-call person still sees the value.
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			d[k] = FormatValue(f)
		}
	}
	if len(ev.Resource) > 0 {
		res := make(map[string]any, len(ev.Resource))
		for k, v := range ev.Resource {
			res[k] = v
		}
		d["resource"] = res
	}
	return d
}
