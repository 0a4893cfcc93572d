package modelmonprocessor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

type histPoint struct {
	at     time.Duration // after t0
	start  time.Duration // after t0; cumulative streams only
	counts []uint64      // explicit buckets over bounds 50, 100, 200 (in the metric's unit)
	sum    float64
	route  string // a stream attribute besides the model key
}

func histBatch(unit string, temporality pmetric.AggregationTemporality, bounds []float64, p histPoint) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.latency")
	m.SetUnit(unit)
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(temporality)
	dp := h.DataPoints().AppendEmpty()
	dp.Attributes().PutStr("model.name", "m")
	dp.Attributes().PutStr("model.version", "1")
	if p.route != "" {
		dp.Attributes().PutStr("route", p.route)
	}
	dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(p.at)))
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(p.start)))
	dp.ExplicitBounds().FromRaw(bounds)
	dp.BucketCounts().FromRaw(p.counts)
	var n uint64
	for _, c := range p.counts {
		n += c
	}
	dp.SetCount(n)
	dp.SetSum(p.sum)
	return md
}

// ruleValues runs batches through an engine with a mean and a p50 latency
// rule that never fire and returns the values they compared after each batch
// (health metrics in every batch, health_metrics_interval: 0s).
func ruleValues(t *testing.T, batches ...pmetric.Metrics) [][]string {
	t.Helper()
	cfg := rules(above("mean", "latency", "mean", 1e9), above("p50", "latency", "p50", 1e9))
	cfg.HealthMetricsInterval = 0
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	var out [][]string
	for _, md := range batches {
		got, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
		out = append(out, healthLines(got))
	}
	return out
}

func TestHistogramWindow(t *testing.T) {
	bounds := []float64{50, 100, 200}
	delta, cumul := pmetric.AggregationTemporalityDelta, pmetric.AggregationTemporalityCumulative
	tests := []struct {
		name    string
		batches []pmetric.Metrics
		want    [][]string
	}{
		{
			name: "delta points merge over the window",
			batches: []pmetric.Metrics{
				histBatch("ms", delta, bounds, histPoint{at: 0, counts: []uint64{10, 0, 0, 0}, sum: 300}),
				histBatch("ms", delta, bounds, histPoint{at: time.Second, counts: []uint64{0, 0, 10, 0}, sum: 1500}),
			},
			want: [][]string{
				{"modelmon.rule.value mean m:1 30 threshold=1e+09", "modelmon.rule.value p50 m:1 25 threshold=1e+09"},
				// Merged: 10 in (0,50], 10 in (100,200]; the median sits at the edge of the first bucket.
				{"modelmon.rule.value mean m:1 90 threshold=1e+09", "modelmon.rule.value p50 m:1 50 threshold=1e+09"},
			},
		},
		{
			name: "seconds are normalised to milliseconds",
			batches: []pmetric.Metrics{
				histBatch("s", delta, []float64{0.05, 0.1, 0.2}, histPoint{counts: []uint64{0, 4, 0, 0}, sum: 0.3}),
			},
			want: [][]string{{"modelmon.rule.value mean m:1 75 threshold=1e+09", "modelmon.rule.value p50 m:1 75 threshold=1e+09"}},
		},
		{
			name: "cumulative points enter as differences",
			batches: []pmetric.Metrics{
				// A stream that started 10s ago: its totals belong in the window.
				histBatch("ms", cumul, bounds, histPoint{at: 0, start: -10 * time.Second, counts: []uint64{0, 10, 0, 0}, sum: 1000}),
				// Ten more observations, all in (0,50]: only those are added.
				histBatch("ms", cumul, bounds, histPoint{at: time.Second, start: -10 * time.Second, counts: []uint64{10, 10, 0, 0}, sum: 1250}),
			},
			want: [][]string{
				{"modelmon.rule.value mean m:1 100 threshold=1e+09", "modelmon.rule.value p50 m:1 75 threshold=1e+09"},
				{"modelmon.rule.value mean m:1 62.5 threshold=1e+09", "modelmon.rule.value p50 m:1 50 threshold=1e+09"},
			},
		},
		{
			name: "interleaved cumulative streams of one model stay apart",
			batches: []pmetric.Metrics{
				histBatch("ms", cumul, bounds, histPoint{route: "a", start: -10 * time.Second, counts: []uint64{0, 10, 0, 0}, sum: 1000}),
				histBatch("ms", cumul, bounds, histPoint{route: "b", start: -10 * time.Second, counts: []uint64{10, 0, 0, 0}, sum: 100}),
				histBatch("ms", cumul, bounds, histPoint{route: "a", at: time.Second, start: -10 * time.Second, counts: []uint64{0, 12, 0, 0}, sum: 1150}),
				histBatch("ms", cumul, bounds, histPoint{route: "b", at: time.Second, start: -10 * time.Second, counts: []uint64{12, 0, 0, 0}, sum: 120}),
			},
			want: [][]string{
				{"modelmon.rule.value mean m:1 100 threshold=1e+09", "modelmon.rule.value p50 m:1 75 threshold=1e+09"},
				{"modelmon.rule.value mean m:1 55 threshold=1e+09", "modelmon.rule.value p50 m:1 50 threshold=1e+09"},
				{"modelmon.rule.value mean m:1 56.82 threshold=1e+09", "modelmon.rule.value p50 m:1 54.17 threshold=1e+09"},
				{"modelmon.rule.value mean m:1 52.92 threshold=1e+09", "modelmon.rule.value p50 m:1 50 threshold=1e+09"},
			},
		},
		{
			name: "a cumulative stream of unknown age is learnt first",
			batches: []pmetric.Metrics{
				histBatch("ms", cumul, bounds, histPoint{at: 0, start: -24 * time.Hour, counts: []uint64{0, 0, 1000, 0}, sum: 150000}),
				histBatch("ms", cumul, bounds, histPoint{at: time.Second, start: -24 * time.Hour, counts: []uint64{4, 0, 1000, 0}, sum: 150100}),
			},
			want: [][]string{
				nil,
				{"modelmon.rule.value mean m:1 25 threshold=1e+09", "modelmon.rule.value p50 m:1 25 threshold=1e+09"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ruleValues(t, tt.batches...))
		})
	}
}

func expBatch(temporality pmetric.AggregationTemporality, at, start time.Duration, counts []uint64, negative []uint64, sum float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.latency")
	m.SetUnit("ms")
	h := m.SetEmptyExponentialHistogram()
	h.SetAggregationTemporality(temporality)
	dp := h.DataPoints().AppendEmpty()
	dp.Attributes().PutStr("model.name", "m")
	dp.Attributes().PutStr("model.version", "1")
	dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(at)))
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(start)))
	// Scale 0: bucket i covers (2^i, 2^(i+1)]; offset 6 → (64,128], (128,256].
	dp.SetScale(0)
	dp.Positive().SetOffset(6)
	dp.Positive().BucketCounts().FromRaw(counts)
	dp.Negative().BucketCounts().FromRaw(negative)
	var n uint64
	for _, c := range counts {
		n += c
	}
	dp.SetCount(n)
	dp.SetSum(sum)
	return md
}

func TestExponentialHistogram(t *testing.T) {
	delta, cumul := pmetric.AggregationTemporalityDelta, pmetric.AggregationTemporalityCumulative
	tests := []struct {
		name    string
		batches []pmetric.Metrics
		want    [][]string
	}{
		{
			name:    "delta",
			batches: []pmetric.Metrics{expBatch(delta, 0, 0, []uint64{3, 1}, nil, 400)},
			want:    [][]string{{"modelmon.rule.value mean m:1 100 threshold=1e+09", "modelmon.rule.value p50 m:1 106.7 threshold=1e+09"}},
		},
		{
			name: "cumulative enters as differences",
			batches: []pmetric.Metrics{
				expBatch(cumul, 0, -time.Second, []uint64{3, 1}, nil, 400),
				// One more observation in (128,256]: the window holds 3+1+1.
				expBatch(cumul, time.Second, -time.Second, []uint64{3, 2}, nil, 600),
			},
			want: [][]string{
				{"modelmon.rule.value mean m:1 100 threshold=1e+09", "modelmon.rule.value p50 m:1 106.7 threshold=1e+09"},
				{"modelmon.rule.value mean m:1 120 threshold=1e+09", "modelmon.rule.value p50 m:1 117.3 threshold=1e+09"},
			},
		},
		{
			name:    "negative latency buckets are invalid",
			batches: []pmetric.Metrics{expBatch(delta, 0, 0, []uint64{3, 1}, []uint64{1}, 400)},
			want:    [][]string{nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ruleValues(t, tt.batches...))
		})
	}
}

func ones(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestBucketBound(t *testing.T) {
	for _, n := range []int{maxBuckets, maxBuckets + 1} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			e, tel := testEngine(t, rules(above("p", "latency", "p50", 1e9)), consumertest.NewNop())
			bounds := make([]float64, n-1)
			for i := range bounds {
				bounds[i] = float64(i + 1)
			}
			md := histBatch("ms", pmetric.AggregationTemporalityDelta, bounds, histPoint{counts: ones(n), sum: float64(n * n / 2)})
			_, err := e.processMetrics(context.Background(), md)
			require.NoError(t, err)
			want := "matched"
			if n > maxBuckets {
				want = "invalid_value"
			}
			assert.Equal(t, map[string]int64{want: 1}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
		})
	}
}
