package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/confmap"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/preset"
)

var _ confmap.Unmarshaler = (*Config)(nil)

// plainConfig has Config's fields without its Unmarshal, so that Unmarshal
// can decode into it without calling itself.
type plainConfig Config

// Unmarshal decodes the config, reading signals in either entry form, then
// merges the presets: a preset's signals, model key and rules apply where
// the config does not set its own (an explicit rules list replaces every
// preset rule, as it replaces the built-in default rules). It also lets
// health_metrics_interval default to evaluation_interval, so that an
// operator who slows or speeds up evaluation gets health points at the same
// pace; an explicit value, 0s included, stays as written.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	signals, hasSignals := raw["signals"]
	delete(raw, "signals")
	if err := confmap.NewFromStringMap(raw).Unmarshal((*plainConfig)(c)); err != nil {
		return err
	}
	explicit := map[string]bool{}
	if hasSignals {
		if m, ok := signals.(map[string]any); ok {
			for k := range m {
				explicit[k] = true
			}
		}
		if err := c.unmarshalSignals(signals); err != nil {
			return err
		}
	}
	if !conf.IsSet("health_metrics_interval") {
		c.HealthMetricsInterval = c.EvaluationInterval
	}
	return c.applyPresets(explicit, conf.IsSet("model_key"), conf.IsSet("rules"))
}

// applyPresets merges the presets into c. explicitSignals are the metrics
// the operator mapped; keySet and rulesSet say whether model_key and rules
// were given.
func (c *Config) applyPresets(explicitSignals map[string]bool, keySet, rulesSet bool) error {
	var first *preset.Preset
	for _, name := range c.Presets {
		p, ok := preset.Get(name)
		if !ok {
			return fmt.Errorf("presets: unknown preset %q (valid: %s)", name, strings.Join(preset.Names(), ", "))
		}
		if first == nil {
			first = &p
		} else if !keySet && !preset.SameKey(*first, p) {
			return fmt.Errorf("presets: %s identifies models by %v and %s by %v; "+
				"use one modelmon processor per source (modelmon/%s, modelmon/%s) or set model_key",
				first.Name, first.ModelKey, p.Name, p.ModelKey, first.Name, p.Name)
		}
		for _, s := range p.Signals {
			if explicitSignals[s.Metric] {
				continue
			}
			c.addPresetSignal(s)
		}
		if !rulesSet {
			for _, r := range p.Rules {
				if !slices.ContainsFunc(c.Rules, func(x RuleConfig) bool { return x.Name == r.Name }) {
					c.Rules = append(c.Rules, presetRule(r))
				}
			}
		}
	}
	if first != nil && !keySet {
		c.ModelKey = slices.Clone(first.ModelKey)
	}
	return nil
}

func (c *Config) addPresetSignal(s preset.Signal) {
	if c.Signals == nil {
		c.Signals = map[string]string{}
	}
	if s.Signal != "" {
		c.Signals[s.Metric] = s.Signal
	}
	spec := SignalSpec{Signal: s.Signal, Unit: s.Unit}
	if s.ErrorRate != nil {
		spec.ErrorRate = &ErrorRateSpec{Signal: s.ErrorRate.Signal, Failure: FailureMarker{
			Attribute: s.ErrorRate.Attribute, Values: slices.Clone(s.ErrorRate.Values),
		}}
	}
	if s.Ratio != nil {
		spec.Ratio = &RatioSpec{Signal: s.Ratio.Signal, Per: slices.Clone(s.Ratio.Per)}
	}
	if spec.Unit == "" && spec.ErrorRate == nil && spec.Ratio == nil {
		return
	}
	if c.SignalSpecs == nil {
		c.SignalSpecs = map[string]SignalSpec{}
	}
	c.SignalSpecs[s.Metric] = spec
}

func presetRule(r preset.Rule) RuleConfig {
	above := r.Above
	rc := RuleConfig{
		Name:        r.Name,
		Signal:      r.Signal,
		Aggregation: r.Aggregation,
		Above:       &above,
		MinSamples:  r.MinSamples,
		For:         r.For,
		Kind:        r.Kind,
		Actions:     slices.Clone(r.Actions),
	}
	if r.Summary != "" {
		rc.Annotations = map[string]string{"summary": r.Summary}
	}
	return rc
}

// validatePresets names unknown presets; Unmarshal refuses them first, this
// catches configs built in code.
func (c *Config) validatePresets(add func(string, ...any)) {
	for i, name := range c.Presets {
		if _, ok := preset.Get(name); !ok {
			add("presets[%d]: unknown preset %q (valid: %s)", i, name, strings.Join(preset.Names(), ", "))
		}
	}
}
