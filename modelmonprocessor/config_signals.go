package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"fmt"
	"sort"

	"go.opentelemetry.io/collector/confmap"
)

// SignalSpec is the long form of a signals entry, for a metric that needs
// more than a signal name: a unit, an error rate, a ratio.
//
//	signals:
//	  model.accuracy: accuracy                    # short form
//	  vllm:e2e_request_latency_seconds: {signal: request_duration, unit: s}
//	  vllm:request_success_total:
//	    error_rate: {attribute: finished_reason, values: [abort]}
//	  nv_inference_request_duration_us:
//	    unit: us
//	    ratio: {signal: request_duration, per: [nv_inference_request_success]}
type SignalSpec struct {
	// Signal is the value signal the metric's points feed; may be empty
	// when the metric only feeds an error rate or a ratio.
	Signal string `mapstructure:"signal"`
	// Unit of the metric's values (s, ms, us, ns), used instead of the
	// unit the metric carries: scraped Prometheus metrics carry none.
	// Times are compared in milliseconds.
	Unit string `mapstructure:"unit"`
	// ErrorRate makes the metric's request counts feed an error-rate signal.
	ErrorRate *ErrorRateSpec `mapstructure:"error_rate"`
	// Ratio makes the metric's increments the numerator of a ratio signal.
	Ratio *RatioSpec `mapstructure:"ratio"`
}

// ErrorRateSpec defines an error-rate signal: the share of requests in the
// window whose points carry the failure marker, counted from histogram
// counts or counter increments.
type ErrorRateSpec struct {
	// Signal names the error-rate signal (default error_rate).
	Signal string `mapstructure:"signal"`
	// Failure marks the points of failed requests.
	Failure FailureMarker `mapstructure:",squash"`
}

// FailureMarker tells a failed request's points from the others by one
// attribute.
type FailureMarker struct {
	// Attribute whose presence (with Values and AtLeast unset) marks a failure.
	Attribute string `mapstructure:"attribute"`
	// Values, when set, are the attribute values that mark a failure.
	Values []string `mapstructure:"values"`
	// AtLeast, when set, marks a failure by a numeric value at or above it
	// (an HTTP status ≥ 500), given as an int or a numeric string.
	AtLeast *float64 `mapstructure:"at_least"`
}

// RatioSpec defines a ratio signal: the increase of this metric over the
// summed increase of the Per metrics within the window (Triton's total
// request duration over successful requests is the mean latency).
type RatioSpec struct {
	// Signal names the ratio signal.
	Signal string `mapstructure:"signal"`
	// Per lists the denominator metrics.
	Per []string `mapstructure:"per"`
}

// rateSignal is one error-rate or ratio signal with its sources.
type rateSignal struct {
	name string
	// sources: metric → how its points count.
	sources map[string][]rateSource
}

type rateRole uint8

const (
	roleRequests  rateRole = iota // error rate: every increment, failures also in the numerator
	roleNumerator                 // ratio numerator, scaled by the metric's unit
	roleDenominator
)

type rateSource struct {
	role    rateRole
	failure FailureMarker
	scale   float64
}

// rateSignals derives the error-rate and ratio signals from the signal
// specs, sorted by name.
func (c *Config) rateSignals() []*rateSignal {
	byName := map[string]*rateSignal{}
	get := func(name string) *rateSignal {
		r, ok := byName[name]
		if !ok {
			r = &rateSignal{name: name, sources: map[string][]rateSource{}}
			byName[name] = r
		}
		return r
	}
	metrics := make([]string, 0, len(c.SignalSpecs))
	for m := range c.SignalSpecs {
		metrics = append(metrics, m)
	}
	sort.Strings(metrics)
	for _, m := range metrics {
		spec := c.SignalSpecs[m]
		if er := spec.ErrorRate; er != nil {
			r := get(er.signalName())
			r.sources[m] = append(r.sources[m], rateSource{role: roleRequests, failure: er.Failure})
		}
		if ra := spec.Ratio; ra != nil && ra.Signal != "" {
			r := get(ra.Signal)
			r.sources[m] = append(r.sources[m], rateSource{role: roleNumerator, scale: unitScale(spec.Unit)})
			for _, d := range ra.Per {
				r.sources[d] = append(r.sources[d], rateSource{role: roleDenominator})
			}
		}
	}
	out := make([]*rateSignal, 0, len(byName))
	for _, r := range byName {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (e *ErrorRateSpec) signalName() string {
	if e.Signal == "" {
		return "error_rate"
	}
	return e.Signal
}

// validateSignalSpecs checks the long-form entries; known gains the rate
// signals' names.
func (c *Config) validateSignalSpecs(known map[string]bool, add func(string, ...any)) {
	for m, spec := range c.SignalSpecs {
		if spec.Unit != "" && !knownUnit(spec.Unit) {
			add("signals[%s].unit: unknown unit %q (want s, ms, us or ns, or leave empty for unitless values)", m, spec.Unit)
		}
		if spec.Signal == "" && spec.ErrorRate == nil && spec.Ratio == nil {
			add("signals[%s]: set signal, error_rate or ratio", m)
		}
		if er := spec.ErrorRate; er != nil && er.Failure.Attribute == "" {
			add("signals[%s].error_rate.attribute: required (the attribute that marks a failed request)", m)
		}
		if ra := spec.Ratio; ra != nil {
			if ra.Signal == "" {
				add("signals[%s].ratio.signal: required", m)
			}
			if len(ra.Per) == 0 {
				add("signals[%s].ratio.per: at least one denominator metric is required", m)
			}
		}
	}
	values := map[string]bool{}
	for _, s := range c.Signals {
		values[s] = true
	}
	for _, r := range c.rateSignals() {
		if values[r.name] {
			add("signals: %q is both a value signal and an error rate or ratio; give them different names", r.name)
		}
		known[r.name] = true
		for _, rule := range c.effectiveRules() {
			if rule.Signal == r.name && rule.Aggregation != "" && rule.Aggregation != "mean" && rule.Aggregation != "count" {
				add("rule %s: aggregation %q on %s, a share of requests over the window: leave it empty (or mean), or use count", rule.Name, rule.Aggregation, r.name)
			}
		}
	}
}

func knownUnit(u string) bool {
	switch u {
	case "s", "ms", "us", "µs", "μs", "ns", "1":
		return true
	}
	return false
}

// unmarshalSignals reads the signals section, whose entries are either a
// signal name or a SignalSpec, into Signals and SignalSpecs.
func (c *Config) unmarshalSignals(raw any) error {
	entries, ok := raw.(map[string]any)
	if raw != nil && !ok {
		return fmt.Errorf("signals: want a map of metric name to signal, got %T", raw)
	}
	if c.Signals == nil {
		c.Signals = map[string]string{}
	}
	for metric, v := range entries {
		switch v := v.(type) {
		case string:
			c.Signals[metric] = v
		case map[string]any:
			var spec SignalSpec
			if err := confmap.NewFromStringMap(v).Unmarshal(&spec); err != nil {
				return fmt.Errorf("signals[%s]: %w", metric, err)
			}
			if spec.Signal != "" {
				c.Signals[metric] = spec.Signal
			}
			if c.SignalSpecs == nil {
				c.SignalSpecs = map[string]SignalSpec{}
			}
			c.SignalSpecs[metric] = spec
		case nil:
			return fmt.Errorf("signals[%s]: empty entry", metric)
		default:
			return fmt.Errorf("signals[%s]: want a signal name or a map (signal, unit, error_rate, ratio), got %T", metric, v)
		}
	}
	return nil
}
