package modelmonprocessor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// TestAdaptiveRule runs an adaptive strategy through the same lifecycle: a
// CUSUM rule observes every raw point, learns the model's normal during its
// warm-up, and fires once on a step change, carrying the learnt baseline.
func TestAdaptiveRule(t *testing.T) {
	sink := new(consumertest.LogsSink)
	cfg := rules(RuleConfig{Name: "drift_shift", Signal: "drift_score", Strategy: "cusum"})
	e, _ := testEngine(t, cfg, sink)
	var lines []string
	for i := 0; i < 40; i++ {
		v := 0.020 + 0.002*float64(i%3-1) // steady around 0.02
		lines = append(lines, fmt.Sprintf("model.drift_score %g model.name=m model.version=1 @%ds", v, i))
	}
	_, err := e.processMetrics(context.Background(), buildBatch(t, lines, t0))
	require.NoError(t, err)
	require.Zero(t, sink.LogRecordCount(), "a stable stream must not fire")

	for i := 40; i < 60 && sink.LogRecordCount() == 0; i++ {
		e.clock = func() time.Time { return t0.Add(time.Duration(i) * time.Second) }
		line := fmt.Sprintf("model.drift_score 0.05 model.name=m model.version=1 @%ds", i)
		_, err := e.processMetrics(context.Background(), buildBatch(t, []string{line}, t0))
		require.NoError(t, err)
	}
	vs := violations(sink)
	require.Len(t, vs, 1, "a 15σ step must fire within 20 points")
	v := vs[0]
	assert.Equal(t, modelevent.StateFiring, v.State)
	assert.Equal(t, "cusum", v.Strategy)
	assert.Equal(t, "last", v.Aggregation)
	assert.Equal(t, modelevent.KindDrift, v.Kind)
	assert.Equal(t, modelevent.ComparisonAbove, v.Comparison)
	require.NotNil(t, v.Baseline)
	assert.InDelta(t, 0.02, v.Baseline.Mean, 0.002)
	assert.Greater(t, v.Observed, v.Threshold)

	// A late or invalid point feeds nothing: the alert neither resolves nor
	// fires again.
	for _, line := range []string{
		"model.drift_score 0.02 model.name=m model.version=1 @-10m",
		"model.drift_score NaN model.name=m model.version=1",
	} {
		_, err = e.processMetrics(context.Background(), buildBatch(t, []string{line}, t0))
		require.NoError(t, err)
	}
	e.tick()
	assert.Len(t, violations(sink), 1)
}
