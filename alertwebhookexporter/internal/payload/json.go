package payload

import (
	"encoding/json"
	"time"
)

// JSON renders the Alertmanager webhook payload, version 4, so that any
// receiver written for Alertmanager webhooks takes modelmon notifications.
type JSON struct{}

var _ Format = JSON{}

// WebhookMessage is the Alertmanager webhook payload (version 4).
type WebhookMessage struct {
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	Alerts            []WebhookAlert    `json:"alerts"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   uint64            `json:"truncatedAlerts"`
}

// WebhookAlert is one alert of a WebhookMessage.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// URL posts to the configured endpoint itself.
func (JSON) URL(endpoint string) string { return endpoint }

// Signed is true: receivers can verify the Standard Webhooks signature.
func (JSON) Signed() bool { return true }

// Render builds one webhook message for the notification.
func (JSON) Render(n *Notification) ([]Message, error) {
	m := WebhookMessage{
		Receiver:    n.Receiver,
		Status:      string(n.Status()),
		Alerts:      make([]WebhookAlert, 0, len(n.Alerts)),
		GroupLabels: n.groupLabels(),
		ExternalURL: n.ExternalURL,
		Version:     "4",
		GroupKey:    n.GroupKey(),
		// #nosec G115 -- a count of alerts is never negative.
		TruncatedAlerts: uint64(max(n.Truncated, 0)),
	}
	labels := make([]map[string]string, 0, len(n.Alerts))
	annotations := make([]map[string]string, 0, len(n.Alerts))
	for i := range n.Alerts {
		a := &n.Alerts[i]
		m.Alerts = append(m.Alerts, WebhookAlert{
			Status:       string(a.Status),
			Labels:       a.Labels,
			Annotations:  a.Annotations,
			StartsAt:     a.StartsAt.UTC(),
			EndsAt:       a.EndsAt.UTC(),
			GeneratorURL: n.ExternalURL,
			Fingerprint:  a.ID,
		})
		labels = append(labels, a.Labels)
		annotations = append(annotations, a.Annotations)
	}
	m.CommonLabels = common(labels)
	m.CommonAnnotations = common(annotations)
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return []Message{{ID: n.ID, Body: body}}, nil
}
