package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// TestUnreadSignalsKeepNoWindow checks that a signal no rule aggregates keeps
// no samples, while its points are validated and counted as a windowed
// signal's are (late by age included), and keep the model alive.
func TestUnreadSignalsKeepNoWindow(t *testing.T) {
	lines := []string{
		"model.throughput 120 model.name=a model.version=1",
		"model.throughput 120 model.name=a model.version=1 @-4m",  // older, inside the 5m window
		"model.throughput 120 model.name=a model.version=1 @-10m", // older than the window
		"model.throughput -1 model.name=a model.version=1",        // outside the domain
		"model.precision 1.5 model.name=a model.version=1",        // outside [0,1]
		"model.recall 0.9 model.name=b model.version=1",
		"model.recall 0.9 model.version=1",                        // no model.name
		"model.throughput 120 model.name=a model.version=1 @+10m", // ahead of arrival by more than a window
	}
	want := map[string]int64{"matched": 3, "late": 1, "invalid_value": 3, "no_model_key": 1}
	tests := []struct {
		name     string
		cfg      *Config
		windowed bool
	}{
		{"default rules: throughput unread", createDefaultConfig().(*Config), false},
		{"a rule reads throughput", rules(below("tput", "throughput", "mean", 1)), true},
		{"a no_data rule needs no window", rules(RuleConfig{Name: "tput_missing", Signal: "throughput", AbsentFor: time.Minute}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, tel := testEngine(t, tt.cfg, consumertest.NewNop())
			sig := e.signals.index(SignalThroughput)
			require.GreaterOrEqual(t, sig, 0)
			assert.Equal(t, tt.windowed, e.winSlot[sig] >= 0)
			_, err := e.processMetrics(context.Background(), buildBatch(t, lines, t0))
			require.NoError(t, err)
			assert.Equal(t, want, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
			assert.Equal(t, 2, e.modelsLen(), "unread signals create and keep models")
			for _, m := range e.allModels() {
				assert.Equal(t, t0.UnixNano(), m.watermark, m.key.ID)
			}
			// Still alive just before stale_after, evicted at it.
			e.clock = func() time.Time { return t0.Add(e.cfg.StaleAfter - time.Second) }
			e.tick()
			assert.Equal(t, 2, e.modelsLen())
			e.clock = func() time.Time { return t0.Add(e.cfg.StaleAfter) }
			e.tick()
			assert.Zero(t, e.modelsLen())
		})
	}
}

// TestUnreadSignalEndsAbsence: a no_data rule on a signal without a window
// sees its points arrive and stop.
func TestUnreadSignalEndsAbsence(t *testing.T) {
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, rules(RuleConfig{Name: "tput_missing", Signal: "throughput", AbsentFor: time.Minute}), sink)
	point := []string{"model.throughput 120 model.name=a model.version=1"}
	_, err := e.processMetrics(context.Background(), buildBatch(t, point, t0))
	require.NoError(t, err)
	e.clock = func() time.Time { return t0.Add(70 * time.Second) }
	e.tick()
	e.clock = func() time.Time { return t0.Add(80 * time.Second) }
	_, err = e.processMetrics(context.Background(), buildBatch(t, point, t0.Add(75*time.Second)))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(violations(sink)) == 2 }, 5*time.Second, 10*time.Millisecond)
	got := violations(sink)
	assert.Equal(t, "firing", string(got[0].State))
	assert.Equal(t, "resolved", string(got[1].State))
	assert.Equal(t, t0.Add(75*time.Second).UTC(), got[1].Time, "resolved at the point that ended the absence")
}

// TestUnreadSignalsSaveMemory: a model sending only signals no rule reads
// allocates no window for them.
func TestUnreadSignalsSaveMemory(t *testing.T) {
	e, _ := testEngine(t, createDefaultConfig().(*Config), consumertest.NewNop())
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, "model.recall 0.9 model.name=a model.version=1")
	}
	_, err := e.processMetrics(context.Background(), buildBatch(t, lines, t0))
	require.NoError(t, err)
	require.Len(t, e.allModels(), 1)
	for i := range e.allModels()[0].wins {
		assert.Zero(t, e.allModels()[0].wins[i].Len(), "window %d", i)
	}
	assert.Nil(t, e.allModels()[0].signals[e.signals.index(SignalRecall)].hist)
}
