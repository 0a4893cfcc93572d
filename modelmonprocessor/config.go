package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

// Built-in signal names. Operators may map metrics to further signal names.
const (
	SignalAccuracy   = "accuracy"
	SignalPrecision  = "precision"
	SignalRecall     = "recall"
	SignalF1Score    = "f1_score"
	SignalDriftScore = "drift_score"
	SignalLatency    = "latency"
	SignalThroughput = "throughput"
)

// Config is the configuration of the modelmon processor.
type Config struct {
	// Signals maps a metric name to the signal it carries. Entries given by
	// the operator are added to the defaults.
	Signals map[string]string `mapstructure:"signals"`
	// ModelKey lists the attributes that identify a model, looked up on the
	// data point, then the scope, then the resource.
	ModelKey []string `mapstructure:"model_key"`
	// Window bounds the samples kept per model and signal.
	Window WindowConfig `mapstructure:"window"`
	// Rules are evaluated per model; with none given, DefaultRules apply.
	Rules []RuleConfig `mapstructure:"rules"`
	// EvaluationInterval is how often rules advance without new data.
	EvaluationInterval time.Duration `mapstructure:"evaluation_interval"`
	// MaxModels bounds the number of models tracked at once.
	MaxModels int `mapstructure:"max_models"`
	// Shards is the number of locks the models are spread over, so that
	// batches of different models are processed in parallel. 0 (the
	// default) takes 32 per CPU available to the collector, one on a
	// single CPU.
	Shards int `mapstructure:"shards"`
	// StaleAfter evicts a model that sent nothing for this long.
	StaleAfter time.Duration `mapstructure:"stale_after"`
	// MaxPendingEvents bounds the events kept while the logs pipeline refuses them.
	MaxPendingEvents int `mapstructure:"max_pending_events"`
	// HealthMetrics appends modelmon.alert.active and modelmon.rule.value to
	// each batch.
	HealthMetrics bool `mapstructure:"health_metrics"`
	// HealthMetricsInterval, when positive, limits a model's health points
	// to one batch per interval, except that a change of one of its alert
	// states (or a rule's first value) shows in the next batch; 0 appends
	// them to every batch. Unset, it is the evaluation interval: the health
	// metrics then change as often as an evaluation can change them.
	HealthMetricsInterval time.Duration `mapstructure:"health_metrics_interval"`
	// Storage names a storage extension (file_storage) that keeps the firing
	// alerts across restarts, so that an alert that fired before a restart
	// resolves after it; without it the alert state is in memory.
	Storage *component.ID `mapstructure:"storage"`
	// Handoff continues a model's firing alerts on whichever gateway serves
	// it, through storage that every gateway reaches (see handoff.go).
	Handoff HandoffConfig `mapstructure:"handoff"`

	// Presets add the signals, model key and default rules of known sources
	// (genai, vllm, triton, kserve, tgi); see config_presets.go.
	Presets []string `mapstructure:"presets"`
	// SignalSpecs holds the long-form signals entries (unit, error_rate,
	// ratio), by metric name; read from signals by Unmarshal.
	SignalSpecs map[string]SignalSpec `mapstructure:"-"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// HandoffConfig controls how gateways sharing a storage extension hand
// models and their firing alerts to each other.
type HandoffConfig struct {
	// Enabled turns handoff on; unset, it is on exactly when storage names a
	// redis_storage extension, the storage several gateways share.
	Enabled *bool `mapstructure:"enabled"`
	// Timeout bounds the wait for a storage answer: a new model's saved
	// alerts, an evicting model's owner. Past it the gateway goes on from
	// memory alone.
	Timeout time.Duration `mapstructure:"timeout"`
	// InstanceID names this gateway in the owner records; empty, the
	// collector's service.instance.id.
	InstanceID string `mapstructure:"instance_id"`
}

// sharedStorageType is the storage extension type several collectors share.
const sharedStorageType = "redis_storage"

// handoffOn reports whether handoff is enabled, explicitly or by a shared
// storage extension.
func (c *Config) handoffOn() bool {
	if c.Handoff.Enabled != nil {
		return *c.Handoff.Enabled && c.Storage != nil
	}
	return c.Storage != nil && c.Storage.Type().String() == sharedStorageType
}

// WindowConfig bounds a sliding window by sample count and by data-point age.
type WindowConfig struct {
	// Size is the most samples kept per model and signal.
	Size int `mapstructure:"size"`
	// Duration is how far behind the newest data point a sample may be.
	Duration time.Duration `mapstructure:"duration"`
}

// RuleConfig is one alerting rule, evaluated for every model.
type RuleConfig struct {
	// Name is unique among the rules and part of the alert id.
	Name string `mapstructure:"name"`
	// Signal is the signal the rule reads; optional for no_data rules.
	Signal string `mapstructure:"signal"`
	// Aggregation is computed over the window (default mean; last for
	// adaptive strategies, which then observe every point).
	Aggregation string `mapstructure:"aggregation"`
	// Strategy decides whether a value is bad (default static).
	Strategy string `mapstructure:"strategy"`
	// Below and Above are the static thresholds; exactly one is set for the
	// static strategy.
	Below *float64 `mapstructure:"below"`
	Above *float64 `mapstructure:"above"`
	// Direction is the bad side for adaptive strategies (below, above, both);
	// empty derives it from the signal.
	Direction string `mapstructure:"direction"`
	// For is how long the condition must hold before the alert fires.
	For time.Duration `mapstructure:"for"`
	// KeepFiringFor is how long a firing alert's condition must be false
	// before it resolves.
	KeepFiringFor time.Duration `mapstructure:"keep_firing_for"`
	// MinSamples below which the condition is false (default 1).
	MinSamples int `mapstructure:"min_samples"`
	// Severity is info, warning (default), error or critical.
	Severity string `mapstructure:"severity"`
	// Kind is degradation, drift, latency or no_data; empty derives it.
	Kind string `mapstructure:"kind"`
	// Actions requested of the observers (alert, retrain…).
	Actions []string `mapstructure:"actions"`
	// Annotations are copied to events; summary and description are Go
	// templates.
	Annotations map[string]string `mapstructure:"annotations"`
	// AbsentFor makes a no_data rule fire when a model sent nothing for this long.
	AbsentFor time.Duration `mapstructure:"absent_for"`
	// Params of the adaptive strategies (baseline:, ewma:, page_hinkley:, cusum:).
	strategy.Config `mapstructure:",squash"`
	// Reference, reference_distribution, group_by and max_groups of rules
	// with a drift aggregation (psi, jensen_shannon…); see config_drift.go.
	drift.ReferenceConfig `mapstructure:",squash"`
}

var (
	_ component.Config  = (*Config)(nil)
	_ confmap.Validator = (*Config)(nil)
)

// DefaultSignals is the metric-name to signal mapping used out of the box.
func DefaultSignals() map[string]string {
	return map[string]string{
		"model.accuracy":    SignalAccuracy,
		"model.precision":   SignalPrecision,
		"model.recall":      SignalRecall,
		"model.f1_score":    SignalF1Score,
		"model.drift_score": SignalDriftScore,
		"model.latency":     SignalLatency,
		"model.throughput":  SignalThroughput,
	}
}

// DefaultRules mirror the original static thresholds: accuracy mean below
// 0.94, f1_score mean below 0.90, drift_score mean above 0.05, latency p95
// above 120 ms.
func DefaultRules() []RuleConfig {
	f := func(v float64) *float64 { return &v }
	return []RuleConfig{
		{Name: "accuracy_low", Signal: SignalAccuracy, Aggregation: "mean", Below: f(0.94)},
		{Name: "f1_score_low", Signal: SignalF1Score, Aggregation: "mean", Below: f(0.90)},
		{Name: "drift_high", Signal: SignalDriftScore, Aggregation: "mean", Above: f(0.05)},
		{Name: "latency_p95_high", Signal: SignalLatency, Aggregation: "p95", Above: f(120)},
	}
}

func createDefaultConfig() component.Config {
	return &Config{
		Signals:            DefaultSignals(),
		ModelKey:           []string{modelevent.AttrModelName, modelevent.AttrModelVersion},
		Window:             WindowConfig{Size: 128, Duration: 5 * time.Minute},
		EvaluationInterval: 10 * time.Second,
		MaxModels:          10000,
		StaleAfter:         15 * time.Minute,
		MaxPendingEvents:   10000,
		HealthMetrics:      true,
		// Follows evaluation_interval when that is set and this is not: see Unmarshal.
		HealthMetricsInterval: 10 * time.Second,
		Handoff:               HandoffConfig{Timeout: 2 * time.Second},
	}
}

// effectiveRules returns the configured rules, or the defaults when none are given.
func (c *Config) effectiveRules() []RuleConfig {
	if len(c.Rules) == 0 {
		return DefaultRules()
	}
	return c.Rules
}

// Validate reports every configuration error, each naming its field.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	known := map[string]bool{}
	for metric, sig := range c.Signals {
		if metric == "" {
			add("signals: empty metric name")
		}
		if sig == "" {
			add("signals[%s]: empty signal name", metric)
		}
		known[sig] = true
	}
	c.validateSignalSpecs(known, add)
	c.validatePresets(add)
	if len(c.ModelKey) == 0 {
		add("model_key: at least one attribute is required")
	}
	if len(c.ModelKey) > identity.MaxKeyAttributes {
		add("model_key: at most %d attributes, got %d", identity.MaxKeyAttributes, len(c.ModelKey))
	}
	seenKey := map[string]bool{}
	for i, k := range c.ModelKey {
		switch {
		case k == "":
			add("model_key[%d]: empty attribute name", i)
		case seenKey[k]:
			add("model_key[%d]: duplicate attribute %q", i, k)
		case modelevent.IsContractAttribute(k):
			// Events carry the key as plain attributes beside the contract's own;
			// a modelmon.* key would not decode back as key, or would overwrite one.
			add("model_key[%d]: %q is reserved for the event contract (modelmon.*)", i, k)
		}
		seenKey[k] = true
	}
	if c.Window.Size < 1 {
		add("window.size: must be at least 1, got %d", c.Window.Size)
	}
	if c.Window.Duration <= 0 {
		add("window.duration: must be positive, got %s", c.Window.Duration)
	}
	if c.EvaluationInterval <= 0 {
		add("evaluation_interval: must be positive, got %s", c.EvaluationInterval)
	}
	if c.MaxModels < 1 {
		add("max_models: must be at least 1, got %d", c.MaxModels)
	}
	if c.Shards < 0 || c.Shards > maxShards {
		add("shards: must be between 0 (by CPU count) and %d, got %d", maxShards, c.Shards)
	}
	if c.StaleAfter <= 0 {
		add("stale_after: must be positive, got %s", c.StaleAfter)
	}
	if c.HealthMetricsInterval < 0 {
		add("health_metrics_interval: must not be negative, got %s", c.HealthMetricsInterval)
	}
	if c.Handoff.Timeout <= 0 {
		add("handoff.timeout: must be positive, got %s", c.Handoff.Timeout)
	}
	if c.Handoff.Enabled != nil && *c.Handoff.Enabled && c.Storage == nil {
		add("handoff.enabled: needs storage, the extension the gateways share")
	}
	if c.MaxPendingEvents < 0 {
		add("max_pending_events: must not be negative, got %d", c.MaxPendingEvents)
	}

	names := map[string]bool{}
	// The default rules are checked too: a remapped signal could orphan one.
	for i, r := range c.effectiveRules() {
		field := fmt.Sprintf("rules[%d]", i)
		if len(c.Rules) == 0 {
			field = "default rule " + r.Name
		}
		if r.Name != "" && len(c.Rules) > 0 {
			field = fmt.Sprintf("rules[%d] (%s)", i, r.Name)
		}
		if r.Name == "" {
			add("%s.name: required", field)
		} else if names[r.Name] {
			add("%s.name: duplicate rule name %q", field, r.Name)
		}
		names[r.Name] = true
		if _, err := compileRule(r, known, c.StaleAfter); err != nil {
			errs = append(errs, fmt.Errorf("%s.%w", field, err))
		}
		errs = append(errs, c.validateDriftKeys(field, r)...)
	}
	return errors.Join(errs...)
}
