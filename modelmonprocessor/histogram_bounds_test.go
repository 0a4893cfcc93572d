package modelmonprocessor

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// TestHistogramBoundsAgainstPreviousPoint feeds explicit-bucket points whose
// bounds equal, or differ in one place from, the previous point's: bounds
// equal bit for bit to the last valid point's skip their check, so a set
// differing in one bound (or holding NaN or +Inf, or a count too few), and
// the same invalid set twice in a row, must
// still be counted invalid and leave nothing behind, and the valid points
// must compare exactly what an engine fed only those points compares.
func TestHistogramBoundsAgainstPreviousPoint(t *testing.T) {
	delta := pmetric.AggregationTemporalityDelta
	good := []float64{50, 100, 200}
	counts := []uint64{1, 2, 3, 4}
	steps := []struct {
		name   string
		bounds []float64
		counts []uint64
		sum    float64
		valid  bool
	}{
		{"first point", good, counts, 900, true},
		{"same bounds", good, []uint64{0, 5, 1, 0}, 600, true},
		{"last bound out of order", []float64{50, 100, 90}, counts, 900, false},
		{"the same set again", []float64{50, 100, 90}, counts, 900, false},
		{"the good bounds after an invalid set", good, []uint64{3, 0, 0, 1}, 400, true},
		{"NaN bound", []float64{50, math.NaN(), 200}, counts, 900, false},
		{"NaN bound again", []float64{50, math.NaN(), 200}, counts, 900, false},
		{"+Inf bound", []float64{50, 100, math.Inf(1)}, counts, 900, false},
		{"one bound moved, still increasing", []float64{50, 120, 200}, counts, 900, true},
		{"back to the first set", good, counts, 900, true},
		{"a count short", good, []uint64{1, 2, 3}, 900, false},
		{"a count too many", good, []uint64{1, 2, 3, 4, 5}, 900, false},
		{"NaN sum", good, counts, math.NaN(), false},
		{"+Inf sum", good, counts, math.Inf(1), false},
		{"negative sum", good, counts, -1, false},
		{"first bound -0 after 0", []float64{0, 100, 200}, counts, 900, true},
		{"first bound -0", []float64{math.Copysign(0, -1), 100, 200}, counts, 900, true},
		{"equal bounds", []float64{50, 50, 200}, counts, 900, false},
		{"no bounds at all", nil, []uint64{7}, 70, true},
		{"no bounds again", nil, []uint64{3}, 30, true},
		{"good bounds once more", good, counts, 900, true},
	}
	var all, valid []pmetric.Metrics
	want := map[string]int64{}
	e, tel := testEngine(t, rules(above("p", "latency", "p95", 1e9)), consumertest.NewNop())
	for i, s := range steps {
		md := histBatch("ms", delta, s.bounds, histPoint{at: time.Duration(i) * time.Second, counts: s.counts, sum: s.sum})
		all = append(all, md)
		if s.valid {
			valid = append(valid, histBatch("ms", delta, s.bounds, histPoint{at: time.Duration(i) * time.Second, counts: s.counts, sum: s.sum}))
			want["matched"]++
		} else {
			want["invalid_value"]++
		}
		one := histBatch("ms", delta, s.bounds, histPoint{at: time.Duration(i) * time.Second, counts: s.counts, sum: s.sum})
		_, err := e.processMetrics(context.Background(), one)
		require.NoError(t, err)
		require.Equal(t, want, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"), s.name)
	}
	got, ref := ruleValues(t, all...), ruleValues(t, valid...)
	k := 0
	for i, s := range steps {
		if s.valid {
			assert.Equal(t, ref[k], got[i], s.name)
			k++
		}
	}
}

// TestCumulativeStreamChangingBounds: a cumulative stream whose bounds
// change is learnt again from its totals, and the next point with the same
// new bounds is a difference against it; going back to the first bounds is
// a change again.
func TestCumulativeStreamChangingBounds(t *testing.T) {
	cumul := pmetric.AggregationTemporalityCumulative
	a, b := []float64{50, 100, 200}, []float64{50, 150, 200}
	start := -10 * time.Second
	batches := []pmetric.Metrics{
		histBatch("ms", cumul, a, histPoint{at: 0, start: start, counts: []uint64{0, 10, 0, 0}, sum: 1000}),
		histBatch("ms", cumul, b, histPoint{at: time.Second, start: start, counts: []uint64{0, 12, 0, 0}, sum: 1200}),
		histBatch("ms", cumul, b, histPoint{at: 2 * time.Second, start: start, counts: []uint64{2, 12, 0, 0}, sum: 1300}),
		histBatch("ms", cumul, a, histPoint{at: 3 * time.Second, start: start, counts: []uint64{2, 12, 0, 1}, sum: 1500}),
		histBatch("ms", cumul, a, histPoint{at: 4 * time.Second, start: start, counts: []uint64{4, 12, 0, 1}, sum: 1600}),
	}
	var means []string
	for _, lines := range ruleValues(t, batches...) {
		for _, l := range lines {
			if strings.HasPrefix(l, "modelmon.rule.value mean ") {
				means = append(means, l)
			}
		}
	}
	assert.Equal(t, []string{
		"modelmon.rule.value mean m:1 100 threshold=1e+09",   // 1000 / 10
		"modelmon.rule.value mean m:1 100 threshold=1e+09",   // new bounds, totals: 2200 / 22
		"modelmon.rule.value mean m:1 95.83 threshold=1e+09", // the difference: 2300 / 24
		"modelmon.rule.value mean m:1 97.44 threshold=1e+09", // bounds back, totals: 3800 / 39
		"modelmon.rule.value mean m:1 95.12 threshold=1e+09", // the difference: 3900 / 41
	}, means)
}
