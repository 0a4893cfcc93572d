// Package payload renders modelmon alerts into the request bodies of the
// exporter's formats: the Alertmanager webhook (json), Alertmanager's own
// API (alertmanager), Slack incoming webhooks (slack) and PagerDuty Events
// API v2 (pagerduty).
package payload

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Alert is one modelmon alert in Alertmanager's terms.
type Alert struct {
	// ID is modelmon.alert.id: the fingerprint, dedup key and PagerDuty dedup_key.
	ID          string
	Status      modelevent.State
	Labels      map[string]string
	Annotations map[string]string
	StartsAt    time.Time
	// EndsAt is the resolution time; zero while firing.
	EndsAt time.Time
	// Event is the event the alert was rendered from.
	Event modelevent.Event
}

// Label and annotation names the formats rely on.
const (
	LabelAlertName = "alertname"
	LabelSeverity  = "severity"
	LabelKind      = "kind"
	LabelSignal    = "signal"

	AnnotationSummary     = "summary"
	AnnotationDescription = "description"
	AnnotationRunbook     = "runbook_url"
	AnnotationObserved    = "observed"
	AnnotationThreshold   = "threshold"
)

// NewAlert renders an event as an alert. Labels: alertname (the rule), the
// model key and group attributes (names made valid Prometheus label names, model.name
// becomes model_name), severity, kind and signal. Annotations: the rule's
// annotations, plus summary and description (the event text unless the rule
// set them), observed and threshold.
func NewAlert(ev modelevent.Event) Alert {
	v := &ev.Violation
	a := Alert{
		ID:          v.AlertID,
		Status:      v.State,
		Labels:      make(map[string]string, len(v.ModelKey)+4),
		Annotations: make(map[string]string, len(v.Annotations)+5),
		StartsAt:    v.StartedAt,
		Event:       ev,
	}
	if a.StartsAt.IsZero() {
		a.StartsAt = v.Time
	}
	if v.State == modelevent.StateResolved {
		a.EndsAt = v.Time
	}
	for _, kv := range v.ModelKey {
		a.Labels[LabelName(kv.Key)] = kv.Value
	}
	// A rule with group_by alerts per group: its group attributes are labels
	// too, or Alertmanager would take the groups for one alert.
	for _, kv := range v.Group {
		a.Labels[LabelName(kv.Key)] = kv.Value
	}
	// Contract labels win over a model-key attribute that sanitises to the same name.
	a.Labels[LabelAlertName] = v.Rule
	a.Labels[LabelSeverity] = string(v.Severity)
	a.Labels[LabelKind] = string(v.Kind)
	a.Labels[LabelSignal] = v.Signal
	for k, val := range v.Annotations {
		a.Annotations[LabelName(k)] = val
	}
	text := v.Summary
	if text == "" {
		text = v.DefaultSummary()
	}
	if a.Annotations[AnnotationSummary] == "" {
		a.Annotations[AnnotationSummary] = text
	}
	if a.Annotations[AnnotationDescription] == "" {
		a.Annotations[AnnotationDescription] = text
	}
	a.Annotations[AnnotationObserved] = FormatValue(v.Observed)
	a.Annotations[AnnotationThreshold] = FormatValue(v.Threshold)
	return a
}

// Text is the one-line human summary of the event.
func (a *Alert) Text() string {
	if a.Event.Summary != "" {
		return a.Event.Summary
	}
	return a.Event.DefaultSummary()
}

// FormatValue renders an observed or threshold value compactly and exactly.
func FormatValue(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// LabelName makes s a valid Prometheus label name: characters outside
// [a-zA-Z0-9_] become '_', and a leading digit gets a '_' in front.
func LabelName(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	b.Grow(len(s) + 1)
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
