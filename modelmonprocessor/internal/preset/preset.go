// Package preset holds what modelmon knows about common inference sources:
// for each, the metrics it emits mapped onto signals (with their units, as
// scraped Prometheus metrics carry none), the attributes that identify a
// model, and default rules. The processor merges a preset into its config;
// explicit settings win.
package preset // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/preset"

import (
	"slices"
	"sort"
	"time"
)

// Signal maps one metric onto signals.
type Signal struct {
	Metric string
	// Signal is the value signal the metric's points feed (histogram or
	// gauge); empty when the metric only feeds an error rate or a ratio.
	Signal string
	// Unit of the metric's values, for metrics that arrive without one.
	Unit string
	// ErrorRate, when set, makes the metric's request counts (histogram
	// counts or counter increments) feed an error-rate signal.
	ErrorRate *ErrorRate
	// Ratio, when set, makes the metric's increments the numerator of a
	// ratio signal over the increments of the Per metrics.
	Ratio *Ratio
}

// ErrorRate is the failure marker of an error-rate signal.
type ErrorRate struct {
	Signal string
	// Attribute marks a failed request's points; with Values empty, its
	// presence alone does.
	Attribute string
	Values    []string
}

// Ratio is a counter ratio signal.
type Ratio struct {
	Signal string
	Per    []string
}

// Rule is a default rule of a preset.
type Rule struct {
	Name        string
	Signal      string
	Aggregation string
	Above       float64
	MinSamples  int
	For         time.Duration
	Kind        string
	Actions     []string
	Summary     string
}

// Preset is everything one source contributes.
type Preset struct {
	Name     string
	ModelKey []string
	Signals  []Signal
	Rules    []Rule
}

// Signal names the presets share, so that one rule reads the same signal
// whatever the source.
const (
	RequestDuration    = "request_duration"
	TimeToFirstToken   = "time_to_first_token"
	TimePerOutputToken = "time_per_output_token" //nolint:gosec // a signal name, not a credential
	QueueDuration      = "queue_duration"
	ErrorRateSignal    = "error_rate"
	TokenUsage         = "token_usage"
)

var all = map[string]Preset{
	"genai":  genai(),
	"vllm":   vllm(),
	"triton": triton(),
	"kserve": kserve(),
	"tgi":    tgi(),
}

// Get returns the preset of a name.
func Get(name string) (Preset, bool) {
	p, ok := all[name]
	return p, ok
}

// Names lists the presets, sorted.
func Names() []string {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SameKey reports whether two presets identify models the same way, so
// that they can share one processor.
func SameKey(a, b Preset) bool { return slices.Equal(a.ModelKey, b.ModelKey) }

var alertOnly = []string{"alert"}
