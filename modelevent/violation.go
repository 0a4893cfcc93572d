package modelevent

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Attribute is one model-key attribute, in the order the operator configured.
type Attribute struct {
	Key   string
	Value string
}

// Baseline is what an adaptive strategy learned as normal for the model.
type Baseline struct {
	Mean   float64
	Stddev float64
}

// Violation is one state change of one rule for one model.
type Violation struct {
	// Summary is the one-line human text carried in the record body; empty
	// means DefaultSummary.
	Summary string
	// Time is the data-point time that caused the change.
	Time      time.Time
	State     State
	AlertID   string
	EventID   string
	StartedAt time.Time
	// ModelKey holds the model-key attributes in configured order
	// (model.name, model.version, …).
	ModelKey      []Attribute
	Rule          string
	Signal        string
	Kind          Kind
	Strategy      string
	Aggregation   string
	Comparison    Comparison
	Observed      float64
	Threshold     float64
	WindowSamples int64
	WindowStart   time.Time
	WindowEnd     time.Time
	Severity      Severity
	Actions       []string
	// Annotations are the rule's rendered annotations (summary, runbook_url…).
	Annotations map[string]string
	// Baseline is set by adaptive strategies only.
	Baseline *Baseline
	// ResolvedReason is set on resolved events that did not resolve because
	// the condition cleared (e.g. ResolvedExpired).
	ResolvedReason string
	// Group holds the group attributes of a rule with group_by (e.g.
	// feature.name), in configured order; part of the alert id.
	Group []Attribute
	// Drift is set by drift rules only.
	Drift *Drift
}

// Drift is what a drift rule compared: the reference and where the
// distribution moved.
type Drift struct {
	// Reference is learned, pinned or previous_version.
	Reference string
	// ReferenceVersion is the model version a previous_version reference
	// came from; empty for the other references.
	ReferenceVersion string
	// Buckets are the buckets that contribute most to the distance, largest
	// first, e.g. "(20, 30]: 45.0% vs 20.0%".
	Buckets []string
}

// HasAction reports whether the rule asked for action a.
func (v *Violation) HasAction(a string) bool {
	for _, x := range v.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// ModelKeyValue returns the value of model-key attribute k, or "".
func (v *Violation) ModelKeyValue(k string) string {
	for _, a := range v.ModelKey {
		if a.Key == k {
			return a.Value
		}
	}
	return ""
}

// ModelID renders the model key as values joined by ':' (fraud-model:v7).
func (v *Violation) ModelID() string {
	return ModelID(v.ModelKey)
}

// ModelID renders a model key as its values joined by ':'.
func ModelID(key []Attribute) string {
	var b strings.Builder
	for i, a := range key {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(a.Value)
	}
	return b.String()
}

// DefaultSummary is the body text when Summary is empty, e.g.
// "accuracy mean 0.812 < 0.940 for fraud-model:v7 (rule accuracy_low)".
func (v *Violation) DefaultSummary() string {
	op := "<"
	if v.Comparison == ComparisonAbove {
		op = ">"
	}
	s := fmt.Sprintf("%s %s %s %s %s for %s%s (rule %s)", v.Signal, v.Aggregation,
		formatValue(v.Observed), op, formatValue(v.Threshold), v.ModelID(), groupText(v.Group), v.Rule)
	if v.State == StateResolved {
		s = "resolved: " + s
		if v.ResolvedReason != "" {
			s += " [" + v.ResolvedReason + "]"
		}
	}
	return s
}

// groupText renders group attributes as " [feature.name=income]".
func groupText(g []Attribute) string {
	if len(g) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" [")
	for i, a := range g {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Key)
		b.WriteByte('=')
		b.WriteString(a.Value)
	}
	b.WriteByte(']')
	return b.String()
}

func formatValue(f float64) string {
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// AlertID is the stable fingerprint of a rule and a model key: the same for
// the firing and the resolved event, and the dedup key downstream. It is 16
// hex digits of FNV-1a 64, like Alertmanager's fingerprints. A rule with
// group_by passes the group attributes after the model key (one alert per
// group); without groups the id is the same as before groups existed.
func AlertID(rule string, key []Attribute, group ...Attribute) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(rule))
	for _, attrs := range [2][]Attribute{key, group} {
		for _, a := range attrs {
			// Separators that cannot occur in UTF-8 text keep "a","bc" apart from "ab","c".
			_, _ = h.Write([]byte{0xff})
			_, _ = h.Write([]byte(a.Key))
			_, _ = h.Write([]byte{0xfe})
			_, _ = h.Write([]byte(a.Value))
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
