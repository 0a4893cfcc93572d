package modelmonprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// TestDefaultRulesFire pins the rules that apply when rules: is absent, as
// the README states them: accuracy mean below 0.94, f1_score mean
// below 0.90, drift_score mean above 0.05, latency p95 above 120 ms; each
// with the kind and actions derived from its signal. A value just on the
// good side of the threshold fires nothing.
func TestDefaultRulesFire(t *testing.T) {
	tests := []struct {
		name        string
		good, bad   string
		rule        string
		aggregation string
		comparison  modelevent.Comparison
		threshold   float64
		kind        modelevent.Kind
		actions     []string
	}{
		{
			name: "accuracy", good: "model.accuracy 0.95", bad: "model.accuracy 0.93",
			rule: "accuracy_low", aggregation: "mean", comparison: modelevent.ComparisonBelow, threshold: 0.94,
			kind: modelevent.KindDegradation, actions: []string{modelevent.ActionAlert, modelevent.ActionRetrain},
		},
		{
			name: "f1_score", good: "model.f1_score 0.91", bad: "model.f1_score 0.89",
			rule: "f1_score_low", aggregation: "mean", comparison: modelevent.ComparisonBelow, threshold: 0.90,
			kind: modelevent.KindDegradation, actions: []string{modelevent.ActionAlert, modelevent.ActionRetrain},
		},
		{
			name: "drift_score", good: "model.drift_score 0.04", bad: "model.drift_score 0.06",
			rule: "drift_high", aggregation: "mean", comparison: modelevent.ComparisonAbove, threshold: 0.05,
			kind: modelevent.KindDrift, actions: []string{modelevent.ActionAlert, modelevent.ActionRetrain},
		},
		{
			name: "latency", good: "model.latency 119", bad: "model.latency 121",
			rule: "latency_p95_high", aggregation: "p95", comparison: modelevent.ComparisonAbove, threshold: 120,
			kind: modelevent.KindLatency, actions: []string{modelevent.ActionAlert},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			require.Empty(t, cfg.Rules, "the defaults apply when rules: is absent")
			cfg.HealthMetrics = false
			sink := new(consumertest.LogsSink)
			e, _ := testEngine(t, cfg, sink)
			ctx := context.Background()

			_, err := e.processMetrics(ctx, buildBatch(t, []string{tt.good + " model.name=good model.version=1"}, t0))
			require.NoError(t, err)
			assert.Zero(t, sink.LogRecordCount(), "a value on the good side of the threshold fires nothing")

			_, err = e.processMetrics(ctx, buildBatch(t, []string{tt.bad + " model.name=bad model.version=1"}, t0))
			require.NoError(t, err)
			got := violations(sink)
			require.Len(t, got, 1)
			v := got[0]
			assert.Equal(t, modelevent.StateFiring, v.State)
			assert.Equal(t, tt.rule, v.Rule)
			assert.Equal(t, tt.name, v.Signal)
			assert.Equal(t, tt.aggregation, v.Aggregation)
			assert.Equal(t, tt.comparison, v.Comparison)
			assert.InDelta(t, tt.threshold, v.Threshold, 1e-12)
			assert.Equal(t, tt.kind, v.Kind)
			assert.Equal(t, tt.actions, v.Actions)
			assert.Equal(t, "static", v.Strategy)
			assert.Equal(t, modelevent.SeverityWarning, v.Severity, "severity defaults to warning")
			assert.Equal(t, "bad:1", v.ModelID())
		})
	}
}
