package payload

import (
	"encoding/json"
	"strings"
	"time"
)

// Alertmanager renders the body of POST /api/v2/alerts. Firing alerts carry
// an endsAt a few resend intervals ahead, as Prometheus sends them, so that
// Alertmanager resolves them by itself if the exporter goes away; resolved
// alerts carry their resolution time.
type Alertmanager struct {
	// ResendInterval is how often still-firing alerts are re-sent.
	ResendInterval time.Duration
}

var _ Format = Alertmanager{}

// PostableAlert is one alert of Alertmanager's v2 API.
type PostableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// URL is {endpoint}/api/v2/alerts.
func (Alertmanager) URL(endpoint string) string {
	return strings.TrimRight(endpoint, "/") + "/api/v2/alerts"
}

// Signed is true, for proxies in front of Alertmanager that verify.
func (Alertmanager) Signed() bool { return true }

// Render builds one request with every alert of the notification.
func (f Alertmanager) Render(n *Notification) ([]Message, error) {
	out := make([]PostableAlert, 0, len(n.Alerts))
	for i := range n.Alerts {
		a := &n.Alerts[i]
		starts, ends := amTimes(a, n.Now, f.ResendInterval)
		out = append(out, PostableAlert{
			Labels:       a.Labels,
			Annotations:  a.Annotations,
			StartsAt:     starts.UTC(),
			EndsAt:       ends.UTC(),
			GeneratorURL: n.ExternalURL,
		})
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return []Message{{ID: n.ID, Body: body}}, nil
}

// amTimes are an alert's startsAt and endsAt as Alertmanager must see them.
// Alertmanager judges both on its own clock: an endsAt after its now means
// "still firing until then" (and loses to the later endsAt of an earlier
// firing post), and a startsAt after endsAt is refused. The alert's times
// are data-point times, which a producer's clock running ahead puts in the
// future, so neither is sent later than the exporter's now; a resolution
// then ends at once. Firing alerts carry Prometheus' four resend intervals
// of grace.
func amTimes(a *Alert, now time.Time, resend time.Duration) (starts, ends time.Time) {
	starts = a.StartsAt
	if starts.After(now) {
		starts = now
	}
	if a.EndsAt.IsZero() {
		return starts, now.Add(4 * resend)
	}
	ends = a.EndsAt
	if ends.After(now) {
		ends = now
	}
	if ends.Before(starts) {
		ends = starts
	}
	return starts, ends
}
