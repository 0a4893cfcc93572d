package modelmonprocessor

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
)

// FuzzRestore starts an engine on a storage holding one arbitrary record:
// start, the next batch and the ticks must never panic or fail, whatever the
// record says (unknown rule, odd key, NaN values, times far off).
func FuzzRestore(f *testing.F) {
	seed := func(rule string, key []modelevent.Attribute, observed float64, started time.Time) {
		v := &modelevent.Violation{
			Time: t0, State: modelevent.StateFiring, EventID: "e", StartedAt: started, ModelKey: key,
			Rule: rule, Signal: "accuracy", Observed: observed, Threshold: 0.9, WindowSamples: 3,
			WindowStart: t0.Add(-time.Minute), WindowEnd: t0, Baseline: &modelevent.Baseline{Mean: 1},
		}
		v.AlertID = modelevent.AlertID(rule, key)
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "svc")
		modelevent.Encode(v, rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(f, err)
		f.Add(b)
	}
	key := []modelevent.Attribute{{Key: "model.name", Value: "a"}, {Key: "model.version", Value: "1"}}
	seed("a", key, 0.5, t0)
	seed("n", key, 1e300, t0.Add(-24*time.Hour))
	seed("d", key, math.NaN(), time.Unix(0, 1))
	seed("gone", key, 0.5, t0)
	seed("a", key[:1], 0.5, t0)
	f.Add([]byte("\x0a\x00"))

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := rules(below("a", "accuracy", "p50", 0.9),
			RuleConfig{Name: "d", Signal: "drift_score", Strategy: "page_hinkley"},
			RuleConfig{Name: "n", AbsentFor: time.Minute})
		id := storageID
		cfg.Storage = &id
		store := newMemStorage()
		k := "alert/x"
		if _, v, err := alertstore.Decode(data); err == nil {
			k = alertstore.KeyPrefix + v.AlertID
		}
		store.put(k, data)
		sink := new(consumertest.LogsSink)
		e, _ := testEngine(t, cfg, sink)
		now := t0
		e.clock = func() time.Time { return now }
		require.NoError(t, e.start(context.Background(), storageHost{storageID: store}))
		_, err := e.processMetrics(context.Background(), buildBatch(t, []string{
			"model.accuracy 0.97 model.name=a model.version=1",
			"model.drift_score 0.01 model.name=a model.version=1",
		}, now))
		require.NoError(t, err)
		for _, d := range []time.Duration{time.Minute, cfg.StaleAfter} {
			now = now.Add(d)
			e.tick()
		}
		for _, ld := range sink.AllLogs() {
			res := modelevent.DecodeLogs(ld)
			require.Zero(t, res.Malformed, "every event the engine makes decodes: %v", res.Errors)
		}
	})
}
