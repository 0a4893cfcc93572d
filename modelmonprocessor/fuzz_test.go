package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// FuzzProcessMetrics feeds arbitrary OTLP metrics: the engine must never
// panic, whatever the values, bucket layouts, timestamps or attributes.
func FuzzProcessMetrics(f *testing.F) {
	m := &pmetric.ProtoMarshaler{}
	for _, md := range []pmetric.Metrics{mixedBatch(), fleetBatch(2, t0),
		histBatch("s", pmetric.AggregationTemporalityCumulative, []float64{1, 2}, histPoint{counts: []uint64{1, 2, 3}, sum: 4}),
		expBatch(pmetric.AggregationTemporalityCumulative, 0, -time.Hour, []uint64{1, 2}, []uint64{3}, -1)} {
		b, err := m.MarshalMetrics(md)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := (&pmetric.ProtoUnmarshaler{}).UnmarshalMetrics(data)
		if err != nil {
			return
		}
		cfg := createDefaultConfig().(*Config)
		cfg.Rules = []RuleConfig{
			below("a", "accuracy", "p50", 0.9), above("l", "latency", "p99", 100),
			{Name: "d", Signal: "drift_score", Strategy: "page_hinkley"},
			{Name: "n", AbsentFor: time.Minute},
		}
		e, _ := testEngine(t, cfg, consumertest.NewNop())
		for i := 0; i < 2; i++ {
			cp := pmetric.NewMetrics()
			md.CopyTo(cp)
			if _, err := e.processMetrics(context.Background(), cp); err != nil {
				t.Fatal(err)
			}
			e.clock = func() time.Time { return t0.Add(time.Hour) }
			e.tick()
		}
	})
}
