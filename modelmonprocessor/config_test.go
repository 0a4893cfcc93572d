package modelmonprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	id := component.NewID(metadata.Type)
	if name != "" {
		id = component.NewIDWithName(metadata.Type, name)
	}
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestConfigStruct(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))
}

func TestLoadConfig(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		cfg := loadConfig(t, "")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, createDefaultConfig(), cfg)
		assert.Equal(t, []string{"model.name", "model.version"}, cfg.ModelKey)
		assert.Equal(t, WindowConfig{Size: 128, Duration: 5 * time.Minute}, cfg.Window)
		assert.Equal(t, "accuracy", cfg.Signals["model.accuracy"])
		assert.Len(t, cfg.effectiveRules(), 4)
	})
	t.Run("custom", func(t *testing.T) {
		cfg := loadConfig(t, "custom")
		require.NoError(t, confmap.Validate(cfg))
		// Operator signals add to the defaults.
		assert.Equal(t, "auc", cfg.Signals["model.auc"])
		assert.Equal(t, "accuracy", cfg.Signals["model.accuracy"])
		assert.Equal(t, []string{"model.name", "model.version", "deployment.environment"}, cfg.ModelKey)
		assert.Equal(t, WindowConfig{Size: 64, Duration: 10 * time.Minute}, cfg.Window)
		assert.Equal(t, 5*time.Second, cfg.EvaluationInterval)
		assert.Equal(t, 500, cfg.MaxModels)
		assert.Equal(t, 30*time.Minute, cfg.StaleAfter)
		assert.Equal(t, 100, cfg.MaxPendingEvents)
		assert.False(t, cfg.HealthMetrics)
		require.Len(t, cfg.Rules, 3)
		r := cfg.Rules[0]
		assert.Equal(t, "p50", r.Aggregation)
		assert.Equal(t, 2*time.Minute, r.For)
		assert.Equal(t, 5*time.Minute, r.KeepFiringFor)
		assert.Equal(t, 10, r.MinSamples)
		assert.Equal(t, []string{"alert"}, r.Actions)
		require.NotNil(t, r.Below)
		assert.InDelta(t, 0.9, *r.Below, 1e-12)
		assert.Equal(t, "page_hinkley", cfg.Rules[1].Strategy)
		assert.Equal(t, 5*time.Minute, cfg.Rules[2].AbsentFor)
	})
}

func TestConfigValidateErrors(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"both_thresholds", "rules[0] (r).below/above: set exactly one, not both"},
		{"no_threshold", "rules[0] (r).below/above: set exactly one for the static strategy"},
		{"unknown_signal", `rules[0] (r).signal: unknown signal "auc"`},
		{"duplicate_names", `rules[1] (r).name: duplicate rule name "r"`},
		{"reserved_model_key", `model_key[1]: "modelmon.tenant" is reserved for the event contract`},
		{"negative_for", "rules[0] (r).for: must not be negative"},
		{"window_size", "window.size: must be at least 1"},
		{"negative_duration", "stale_after: must be positive"},
		{"unknown_aggregation", `rules[0] (r).aggregation: unknown aggregation "median"`},
		{"unknown_severity", `rules[0] (r).severity: unknown severity "loud"`},
		{"unknown_kind", `rules[0] (r).kind: unknown kind "sadness"`},
		{"bad_template", "rules[0] (r).annotations.summary: invalid template"},
		{"unknown_strategy", `rules[0] (r).strategy: unknown strategy "magic"`},
		{"threshold_on_adaptive", "rules[0] (r).below/above: only the static strategy takes a threshold"},
		{"no_data_too_long", "rules[0] (r).absent_for: 10m0s never fires"},
		{"orphaned_default", `default rule latency_p95_high.signal: unknown signal "latency"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestCompileRuleDefaults(t *testing.T) {
	known := map[string]bool{"accuracy": true, "drift_score": true, "latency": true, "throughput": true}
	below := 0.9
	tests := []struct {
		name     string
		rc       RuleConfig
		kind     string
		actions  []string
		dir      string
		agg      string
		perPoint bool
	}{
		{"accuracy static", RuleConfig{Name: "a", Signal: "accuracy", Below: &below}, "degradation", []string{"alert", "retrain"}, "below", "mean", false},
		{"drift adaptive", RuleConfig{Name: "d", Signal: "drift_score", Strategy: "cusum"}, "drift", []string{"alert", "retrain"}, "above", "last", true},
		{"latency adaptive mean", RuleConfig{Name: "l", Signal: "latency", Strategy: "ewma", Aggregation: "mean"}, "latency", []string{"alert"}, "above", "mean", false},
		{"throughput adaptive", RuleConfig{Name: "t", Signal: "throughput", Strategy: "baseline"}, "degradation", []string{"alert", "retrain"}, "both", "last", true},
		{"no data", RuleConfig{Name: "n", AbsentFor: time.Minute}, "no_data", []string{"alert"}, "above", "last", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := compileRule(tt.rc, known, time.Hour)
			require.NoError(t, err)
			assert.Equal(t, tt.kind, string(r.kind))
			assert.Equal(t, tt.actions, r.actions)
			assert.Equal(t, tt.dir, r.dir.String())
			assert.Equal(t, tt.agg, r.agg.String())
			assert.Equal(t, tt.perPoint, r.perPoint)
			assert.Equal(t, "warning", string(r.severity))
			assert.Equal(t, 1, r.minSamples)
		})
	}
}

func TestRenderAnnotations(t *testing.T) {
	below := 0.9
	r, err := compileRule(RuleConfig{Name: "a", Signal: "accuracy", Below: &below, Annotations: map[string]string{
		"summary":     "{{ .Model }} {{ .Key.model_name }}{{ index .Key \"model.name\" }} {{ printf \"%.2f\" .Observed }}<{{ .Threshold }}",
		"runbook_url": "https://x/{{literal}}",
	}}, map[string]bool{"accuracy": true}, time.Hour)
	require.NoError(t, err)
	got := r.render(&templateData{Model: "fraud:v7", Key: map[string]string{"model.name": "fraud"}, Observed: 0.8123, Threshold: 0.9})
	assert.Equal(t, map[string]string{"summary": "fraud:v7 fraud 0.81<0.9", "runbook_url": "https://x/{{literal}}"}, got)
}
