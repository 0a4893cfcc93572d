package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"bytes"
	"errors"
	"fmt"
	"text/template"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// templatedAnnotations are the annotations rendered as Go templates; others
// (runbook_url…) are copied verbatim so that braces in URLs stay intact.
var templatedAnnotations = []string{"summary", "description"}

// rule is a validated RuleConfig with its defaults applied.
type rule struct {
	name   string
	signal string
	// sig is the signal's number in the engine's signal table; -1 for a
	// no_data rule that watches the model as a whole.
	sig         int
	agg         window.Aggregation
	strategy    string
	stratCfg    strategy.Config
	dir         strategy.Direction
	threshold   float64
	forDur      time.Duration
	keepFiring  time.Duration
	absentFor   time.Duration
	minSamples  int
	severity    modelevent.Severity
	kind        modelevent.Kind
	actions     []string
	annotations map[string]string
	templates   map[string]*template.Template
	// perPoint rules feed every raw data point to their detector: adaptive
	// strategies with aggregation last, which is the change-detection setting.
	perPoint bool
	// stepped rules are adaptive rules on a window aggregate: they evaluate
	// once per evaluation_interval of data time, since each evaluation
	// teaches their detector.
	stepped bool
}

// noData reports whether the rule watches for absence instead of values.
func (r *rule) noData() bool { return r.kind == modelevent.KindNoData }

// templateData is what summary and description templates see.
type templateData struct {
	Rule        string
	Signal      string
	Model       string
	Key         map[string]string
	Aggregation string
	Observed    float64
	Threshold   float64
	State       string
}

// render returns the rule's annotations for one event; a template that fails
// at execution falls back to its source text rather than losing the annotation.
func (r *rule) render(d *templateData) map[string]string {
	if len(r.annotations) == 0 {
		return nil
	}
	out := make(map[string]string, len(r.annotations))
	var buf bytes.Buffer
	for k, v := range r.annotations {
		if t, ok := r.templates[k]; ok {
			buf.Reset()
			if err := t.Execute(&buf, d); err == nil {
				v = buf.String()
			}
		}
		out[k] = v
	}
	return out
}

// defaultKind derives a rule's kind from its signal.
func defaultKind(signal string) modelevent.Kind {
	switch signal {
	case SignalDriftScore:
		return modelevent.KindDrift
	case SignalLatency:
		return modelevent.KindLatency
	}
	return modelevent.KindDegradation
}

// defaultDirection is the bad side of a signal for adaptive strategies.
func defaultDirection(signal string) strategy.Direction {
	switch signal {
	case SignalAccuracy, SignalPrecision, SignalRecall, SignalF1Score:
		return strategy.Below
	case SignalDriftScore, SignalLatency:
		return strategy.Above
	}
	return strategy.Both
}

// compileRule validates rc and applies its defaults. Errors start with the
// offending field's name so the caller can prefix the rule's position.
func compileRule(rc RuleConfig, knownSignals map[string]bool, staleAfter time.Duration) (*rule, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	r := &rule{
		name:       rc.Name,
		signal:     rc.Signal,
		strategy:   rc.Strategy,
		stratCfg:   rc.Config,
		forDur:     rc.For,
		keepFiring: rc.KeepFiringFor,
		absentFor:  rc.AbsentFor,
		minSamples: rc.MinSamples,
	}
	if r.strategy == "" {
		r.strategy = strategy.Static
	}
	if r.minSamples == 0 {
		r.minSamples = 1
	}

	switch {
	case rc.Kind != "":
		switch k := modelevent.Kind(rc.Kind); k {
		case modelevent.KindDegradation, modelevent.KindDrift, modelevent.KindLatency, modelevent.KindNoData:
			r.kind = k
		default:
			add("kind: unknown kind %q (want degradation, drift, latency or no_data)", rc.Kind)
		}
	case rc.AbsentFor > 0:
		r.kind = modelevent.KindNoData
	default:
		r.kind = defaultKind(rc.Signal)
	}

	if rc.Signal == "" && r.kind != modelevent.KindNoData {
		add("signal: required")
	} else if rc.Signal != "" && !knownSignals[rc.Signal] {
		add("signal: unknown signal %q (map a metric to it under signals:)", rc.Signal)
	}

	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"for", rc.For}, {"keep_firing_for", rc.KeepFiringFor}, {"absent_for", rc.AbsentFor}} {
		if d.v < 0 {
			add("%s: must not be negative, got %s", d.name, d.v)
		}
	}
	if rc.MinSamples < 0 {
		add("min_samples: must not be negative, got %d", rc.MinSamples)
	}

	r.severity = modelevent.SeverityWarning
	if rc.Severity != "" {
		s, err := modelevent.ParseSeverity(rc.Severity)
		if err != nil {
			add("severity: %w", err)
		}
		r.severity = s
	}

	if r.kind == modelevent.KindNoData {
		compileNoData(r, rc, staleAfter, add)
	} else {
		compileValueRule(r, rc, add)
	}

	r.actions = rc.Actions
	if r.actions == nil {
		r.actions = []string{modelevent.ActionAlert}
		if r.kind == modelevent.KindDegradation || r.kind == modelevent.KindDrift {
			r.actions = []string{modelevent.ActionAlert, modelevent.ActionRetrain}
		}
	}
	for i, a := range r.actions {
		if a == "" {
			add("actions[%d]: empty action", i)
		}
	}

	r.annotations = rc.Annotations
	for _, k := range templatedAnnotations {
		src, ok := rc.Annotations[k]
		if !ok {
			continue
		}
		t, err := template.New(k).Option("missingkey=zero").Parse(src)
		if err != nil {
			add("annotations.%s: invalid template: %w", k, err)
			continue
		}
		if r.templates == nil {
			r.templates = map[string]*template.Template{}
		}
		r.templates[k] = t
	}
	return r, errors.Join(errs...)
}

func compileNoData(r *rule, rc RuleConfig, staleAfter time.Duration, add func(string, ...any)) {
	if rc.AbsentFor <= 0 {
		add("absent_for: required and positive for a no_data rule")
	} else if rc.AbsentFor >= staleAfter {
		add("absent_for: %s never fires because models are evicted after stale_after %s", rc.AbsentFor, staleAfter)
	}
	if rc.Below != nil || rc.Above != nil {
		add("below/above: a no_data rule has no threshold; use absent_for")
	}
	if r.strategy != strategy.Static {
		add("strategy: a no_data rule takes no strategy, got %q", r.strategy)
	}
	r.dir = strategy.Above
	r.threshold = rc.AbsentFor.Seconds()
}

func compileValueRule(r *rule, rc RuleConfig, add func(string, ...any)) {
	if rc.AbsentFor != 0 {
		add("absent_for: only a no_data rule takes absent_for")
	}
	aggName := rc.Aggregation
	if aggName == "" {
		aggName = "mean"
		if r.strategy != strategy.Static {
			aggName = "last"
		}
	}
	agg, err := window.ParseAggregation(aggName)
	if err != nil {
		add("aggregation: %w", err)
	}
	r.agg = agg

	if err := rc.Validate(r.strategy); err != nil {
		add("strategy: %w", err)
		return
	}
	if r.strategy == strategy.Static {
		switch {
		case rc.Below != nil && rc.Above != nil:
			add("below/above: set exactly one, not both")
		case rc.Below != nil:
			r.dir, r.threshold = strategy.Below, *rc.Below
		case rc.Above != nil:
			r.dir, r.threshold = strategy.Above, *rc.Above
		default:
			add("below/above: set exactly one for the static strategy")
		}
		if rc.Direction != "" {
			add("direction: the static strategy takes its direction from below/above")
		}
		return
	}
	if rc.Below != nil || rc.Above != nil {
		add("below/above: only the static strategy takes a threshold; use direction for %s", r.strategy)
	}
	r.dir = defaultDirection(rc.Signal)
	if rc.Direction != "" {
		d, err := strategy.ParseDirection(rc.Direction)
		if err != nil {
			add("direction: %w", err)
		}
		r.dir = d
	}
	r.perPoint = agg == window.Last
	r.stepped = !r.perPoint
}
