// Package job is the retraining job handed to where training runs: its JSON
// shape (documented in the exporter's README and job.schema.json), its
// deterministic id and how violations become its triggers.
package job

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// SchemaVersion is the version of the job format; it changes only with
// incompatible changes to the JSON shape.
const SchemaVersion = 1

// namespace scopes the UUIDv5 job ids to this exporter, so equal inputs in
// another system never produce the same id.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/visutility/otelcol-modelmon/retrain_queue"))

// Job is one retraining job: one model, one or more triggering violations.
type Job struct {
	SchemaVersion int               `json:"schema_version"`
	JobID         string            `json:"job_id"`
	Model         Model             `json:"model"`
	Reason        string            `json:"reason"`
	TriggeredBy   []Trigger         `json:"triggered_by"`
	Priority      int               `json:"priority"`
	Severity      string            `json:"severity"`
	CreatedAt     time.Time         `json:"created_at"`
	Resource      map[string]string `json:"resource"`
}

// Model names the model to retrain.
type Model struct {
	// ID is the model key's values joined by ':' (fraud-model:v7).
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// Key holds every model-key attribute (model.name, model.version, …).
	Key map[string]string `json:"key"`
}

// Trigger is one violation that asked for the retraining.
type Trigger struct {
	Rule       string    `json:"rule"`
	Signal     string    `json:"signal"`
	Kind       string    `json:"kind"`
	Comparison string    `json:"comparison,omitempty"`
	Observed   Number    `json:"observed"`
	Threshold  Number    `json:"threshold"`
	Severity   string    `json:"severity"`
	AlertID    string    `json:"alert_id"`
	EventID    string    `json:"event_id"`
	StartedAt  time.Time `json:"started_at"`
	Summary    string    `json:"summary"`
}

// ID derives the job id from the model key and the first triggering alert's
// id and start time: an event delivered twice yields the same id, so every
// backend can deduplicate on it.
func ID(key []modelevent.Attribute, alertID string, startedAt time.Time) string {
	var b strings.Builder
	b.WriteString(KeyString(key))
	b.WriteByte('\n')
	b.WriteString(alertID)
	b.WriteByte('\n')
	b.WriteString(startedAt.UTC().Format(time.RFC3339Nano))
	return uuid.NewSHA1(namespace, []byte(b.String())).String()
}

// KeyString renders a model key unambiguously (values may contain any
// separator), for use as a map key.
func KeyString(key []modelevent.Attribute) string {
	pairs := make([][2]string, len(key))
	for i, a := range key {
		pairs[i] = [2]string{a.Key, a.Value}
	}
	b, _ := json.Marshal(pairs) // a slice of strings always marshals
	return string(b)
}

// New opens a job for the violation ev at time now.
func New(ev *modelevent.Event, now time.Time) *Job {
	key := make(map[string]string, len(ev.ModelKey))
	for _, a := range ev.ModelKey {
		key[a.Key] = a.Value
	}
	res := make(map[string]string, len(ev.Resource))
	for k, v := range ev.Resource {
		res[k] = v
	}
	j := &Job{
		SchemaVersion: SchemaVersion,
		JobID:         ID(ev.ModelKey, ev.AlertID, ev.StartedAt),
		Model: Model{
			ID:      ev.ModelID(),
			Name:    ev.ModelKeyValue(modelevent.AttrModelName),
			Version: ev.ModelKeyValue(modelevent.AttrModelVersion),
			Key:     key,
		},
		CreatedAt: now.UTC(),
		Resource:  res,
	}
	j.Add(&ev.Violation)
	return j
}

// Add appends v as a trigger and recomputes priority and reason.
func (j *Job) Add(v *modelevent.Violation) {
	j.TriggeredBy = append(j.TriggeredBy, NewTrigger(v))
	if r := v.Severity.Rank(); r > j.Priority {
		j.Priority = r
		j.Severity = string(v.Severity)
	}
	j.Reason = j.reason()
}

// HasEvent reports whether the event with id is already a trigger.
func (j *Job) HasEvent(id string) bool {
	for i := range j.TriggeredBy {
		if j.TriggeredBy[i].EventID == id {
			return true
		}
	}
	return false
}

// EventIDs lists the triggers' event ids.
func (j *Job) EventIDs() []string {
	ids := make([]string, len(j.TriggeredBy))
	for i := range j.TriggeredBy {
		ids[i] = j.TriggeredBy[i].EventID
	}
	return ids
}

// NewTrigger records v as a trigger.
func NewTrigger(v *modelevent.Violation) Trigger {
	s := v.Summary
	if s == "" {
		s = v.DefaultSummary()
	}
	return Trigger{
		Rule: v.Rule, Signal: v.Signal, Kind: string(v.Kind), Comparison: string(v.Comparison),
		Observed: Number(v.Observed), Threshold: Number(v.Threshold), Severity: string(v.Severity),
		AlertID: v.AlertID, EventID: v.EventID, StartedAt: v.StartedAt.UTC(), Summary: oneLine(s),
	}
}

// reason is the first trigger's summary, plus how many more rules joined in.
func (j *Job) reason() string {
	if len(j.TriggeredBy) == 0 {
		return ""
	}
	r := j.TriggeredBy[0].Summary
	if n := len(j.TriggeredBy) - 1; n == 1 {
		r += " (and 1 more violation)"
	} else if n > 1 {
		r += " (and " + strconv.Itoa(n) + " more violations)"
	}
	return r
}

// oneLine keeps the reason a single line whatever the rule's summary holds.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Marshal encodes j as one line of JSON. HTML escaping is off: jobs are read
// by workers and people, not embedded in pages, and "<" reads better than
// "\u003c" in a reason.
func Marshal(j *Job) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
