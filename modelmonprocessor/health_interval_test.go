package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// intervalStep is one batch (or tick) at an offset from t0, and the health
// lines the batch must carry.
type intervalStep struct {
	at     time.Duration
	lines  []string
	tick   bool
	health []string
}

// intervalConfig has one rule that goes pending, then fires 30 s later.
func intervalConfig(every time.Duration) *Config {
	r := below("acc", "accuracy", "mean", 0.9)
	r.For = 30 * time.Second
	cfg := rules(r)
	cfg.HealthMetricsInterval = every
	return cfg
}

// runInterval feeds steps to a fresh engine and returns the health lines of
// each step and the events of the whole run.
func runInterval(t *testing.T, cfg *Config, steps []intervalStep) (health [][]string, events []string) {
	t.Helper()
	sink := &consumertest.LogsSink{}
	e, _ := testEngine(t, cfg, sink)
	for _, s := range steps {
		now := t0.Add(s.at)
		e.clock = func() time.Time { return now }
		var got []string
		if s.lines != nil {
			out, err := e.processMetrics(context.Background(), buildBatch(t, s.lines, now))
			require.NoError(t, err)
			got = healthLines(out)
		}
		if s.tick {
			e.tick()
		}
		health = append(health, got)
	}
	for _, ld := range sink.AllLogs() {
		r := modelevent.DecodeLogs(ld)
		require.Zero(t, r.Malformed, "%v", r.Errors)
		for _, ev := range r.Events {
			events = append(events, eventLine(ev.Violation))
		}
	}
	return health, events
}

const (
	valueA95 = "modelmon.rule.value acc a:1 0.95 threshold=0.9"
	valueB95 = "modelmon.rule.value acc b:1 0.95 threshold=0.9"
)

// intervalSteps walks model a from healthy through pending to firing, with
// model b joining later, under a 10 s health_metrics_interval.
func intervalSteps() []intervalStep {
	a95 := "model.accuracy 0.95 model.name=a model.version=1"
	a50 := "model.accuracy 0.5 model.name=a model.version=1"
	b95 := "model.accuracy 0.95 model.name=b model.version=1"
	return []intervalStep{
		// 0: first batch of a: never emitted.
		{at: 0, lines: []string{a95}, health: []string{valueA95}},
		// 1: steady within the interval.
		{at: 5 * time.Second, lines: []string{a95}},
		// 2: b is new and emitted; a still within the interval.
		{at: 6 * time.Second, lines: []string{a95, b95}, health: []string{valueB95}},
		// 3: the interval has passed for a (exactly 10 s), not for b.
		{at: 10 * time.Second, lines: []string{a95, b95}, health: []string{valueA95}},
		// 4: a goes pending 2 s after its emission: emitted at once.
		{at: 12 * time.Second, lines: []string{a50}, health: []string{
			"modelmon.rule.value acc a:1 0.86 threshold=0.9",
			"modelmon.alert.active acc a:1 pending",
		}},
		// 5: a steady pending, b steady: nothing.
		{at: 13 * time.Second, lines: []string{a50, b95}},
		// 6: b's interval has passed (since 6 s), a's has not (since 12 s).
		{at: 16 * time.Second, lines: []string{a50, b95}, health: []string{valueB95}},
		// 7: the interval has passed for a (since 12 s); still pending.
		{at: 35 * time.Second, lines: []string{a50}, health: []string{
			"modelmon.rule.value acc a:1 0.725 threshold=0.9",
			"modelmon.alert.active acc a:1 pending",
		}},
		// 8: the ticker fires a's alert (for 30 s since 12 s) without a batch.
		{at: 42 * time.Second, tick: true},
		// 9: the next batch of a, 8 s after its last emission, carries the
		// transition the tick made.
		{at: 43 * time.Second, lines: []string{a50}, health: []string{
			"modelmon.rule.value acc a:1 0.7 threshold=0.9",
			"modelmon.alert.active acc a:1 firing",
		}},
		// 10: steady firing within the interval.
		{at: 44 * time.Second, lines: []string{a50}},
	}
}

func TestHealthMetricsInterval(t *testing.T) {
	steps := intervalSteps()
	health, _ := runInterval(t, intervalConfig(10*time.Second), steps)
	for i, s := range steps {
		t.Run(s.at.String(), func(t *testing.T) {
			assert.Equal(t, s.health, health[i], "step %d", i)
		})
	}
}

// TestHealthMetricsIntervalZero: the default emits every touched model in
// every batch, whatever happened before.
func TestHealthMetricsIntervalZero(t *testing.T) {
	steps := intervalSteps()
	health, _ := runInterval(t, intervalConfig(0), steps)
	for i, s := range steps {
		t.Run(s.at.String(), func(t *testing.T) {
			if s.lines == nil {
				assert.Empty(t, health[i])
				return
			}
			// One value line per model in the batch, plus a's active line
			// once it is pending.
			want := len(s.lines)
			if i >= 4 {
				want++
			}
			assert.Len(t, health[i], want, "step %d: %v", i, health[i])
		})
	}
}

// TestHealthMetricsIntervalEventsUnchanged: the interval thins health
// metrics only; the events are those of the default.
func TestHealthMetricsIntervalEventsUnchanged(t *testing.T) {
	_, want := runInterval(t, intervalConfig(0), intervalSteps())
	require.NotEmpty(t, want, "the steps fire an alert")
	for _, every := range []time.Duration{time.Second, 10 * time.Second, time.Hour} {
		t.Run(every.String(), func(t *testing.T) {
			_, got := runInterval(t, intervalConfig(every), intervalSteps())
			assert.Equal(t, want, got)
		})
	}
}

func TestHealthDue(t *testing.T) {
	const every = 10 * time.Second
	at := t0.UnixNano()
	for _, tc := range []struct {
		name string
		m    model
		now  int64
		want bool
	}{
		{"never emitted", model{}, at, true},
		{"within the interval", model{healthAt: at}, at + int64(every) - 1, false},
		{"interval passed", model{healthAt: at}, at + int64(every), true},
		{"state changed within", model{healthAt: at, changes: 1}, at + 1, true},
		{"change already emitted", model{healthAt: at, changes: 3, healthChanges: 3}, at + 1, false},
		{"counter wrapped", model{healthAt: at, changes: 0, healthChanges: ^uint32(0)}, at + 1, true},
		{"clock went back", model{healthAt: at}, at - 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.m.healthDue(tc.now, every))
		})
	}
}

func TestHealthMetricsIntervalConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     map[string]any
		want    time.Duration
		wantErr string
	}{
		{"default: the evaluation interval", map[string]any{}, 10 * time.Second, ""},
		{"follows evaluation_interval", map[string]any{"evaluation_interval": "30s"}, 30 * time.Second, ""},
		{"every batch", map[string]any{"evaluation_interval": "30s", "health_metrics_interval": "0s"}, 0, ""},
		{"duration", map[string]any{"evaluation_interval": "30s", "health_metrics_interval": "15s"}, 15 * time.Second, ""},
		{"negative", map[string]any{"health_metrics_interval": "-1s"}, 0, "health_metrics_interval: must not be negative, got -1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			// As the collector decodes a component's config: through its
			// Unmarshal method.
			var parent struct {
				Modelmon *Config `mapstructure:"modelmon"`
			}
			parent.Modelmon = cfg
			require.NoError(t, confmap.NewFromStringMap(map[string]any{"modelmon": tc.raw}).Unmarshal(&parent))
			err := cfg.Validate()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, cfg.HealthMetricsInterval)
		})
	}
}

// TestHealthMetricsIntervalNewRuleValue: a rule's first value is a new
// series and shows at once, though the model emitted within the interval.
func TestHealthMetricsIntervalNewRuleValue(t *testing.T) {
	cfg := rules(below("acc", "accuracy", "mean", 0.9), above("lat", "latency", "mean", 100))
	cfg.HealthMetricsInterval = 10 * time.Second
	steps := []intervalStep{
		{at: 0, lines: []string{"model.accuracy 0.95 model.name=a model.version=1"}, health: []string{valueA95}},
		{at: time.Second, lines: []string{"model.latency 50 model.name=a model.version=1"}, health: []string{
			valueA95,
			"modelmon.rule.value lat a:1 50 threshold=100",
		}},
		{at: 2 * time.Second, lines: []string{"model.latency 50 model.name=a model.version=1"}},
	}
	health, _ := runInterval(t, cfg, steps)
	for i, s := range steps {
		t.Run(s.at.String(), func(t *testing.T) {
			assert.Equal(t, s.health, health[i], "step %d", i)
		})
	}
}
