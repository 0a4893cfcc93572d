package window

import (
	"testing"
	"time"
)

// BenchmarkWindowAdd: in-order samples into a full window of 128, the
// steady state of a model sending faster than its window turns over.
func BenchmarkWindowAdd(b *testing.B) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		w.Add(ts, float64(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts += int64(time.Second)
		w.Add(ts, float64(i&1023))
	}
}

// BenchmarkWindowAddOutOfOrder: every sample lands 5 places before the end.
func BenchmarkWindowAddOutOfOrder(b *testing.B) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		w.Add(ts, float64(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts += int64(time.Second)
		w.Add(ts-5*int64(time.Second)-1, float64(i&1023))
	}
}

// BenchmarkAggregateP95: p95 over 128 samples after each new sample, so
// every call copies and sorts (the cached case is the "cached" sub-benchmark).
func BenchmarkAggregateP95(b *testing.B) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		w.Add(ts, float64((i*7919)%1000))
	}
	b.Run("after_add", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ts += int64(time.Second)
			w.Add(ts, float64((i*7919)%1000))
			w.Aggregate(P95)
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			w.Aggregate(P95)
		}
	})
}

func BenchmarkAggregateMean(b *testing.B) {
	w := New(128, time.Hour)
	for i := 0; i < 128; i++ {
		w.Add(base+int64(i), float64(i))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.Aggregate(Mean)
	}
}

var (
	benchBounds = []float64{5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}
	benchCounts = []uint64{3, 9, 20, 31, 18, 9, 6, 3, 1, 0, 0, 0, 0, 0, 0}
	benchExp    = []uint64{1, 3, 7, 12, 20, 25, 20, 12, 7, 3, 1, 1, 0, 1, 0, 0}
)

// BenchmarkHistAdd: a 14-bound explicit histogram (OTel's default latency
// bounds) into a full window of 128.
func BenchmarkHistAdd(b *testing.B) {
	h := NewHist(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		h.Add(ts, benchBounds, benchCounts, 5000, 100, 1)
	}
	b.Run("explicit", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ts += int64(time.Second)
			h.Add(ts, benchBounds, benchCounts, 5000, 100, 1)
		}
	})
	e := NewHist(128, time.Hour)
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		e.AddExponential(ts, 3, 2, 20, benchExp, 5000, 115, 1)
	}
	b.Run("exponential", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ts += int64(time.Second)
			e.AddExponential(ts, 3, 2, 20, benchExp, 5000, 115, 1)
		}
	})
}

// BenchmarkHistAggregateP95: merge 128 points and take p95 after each new point.
func BenchmarkHistAggregateP95(b *testing.B) {
	h := NewHist(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		h.Add(ts, benchBounds, benchCounts, 5000, 100, 1)
	}
	b.Run("same_bounds", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ts += int64(time.Second)
			h.Add(ts, benchBounds, benchCounts, 5000, 100, 1)
			h.Aggregate(P95)
		}
	})
	other := []float64{10, 50, 100, 500, 1000, 5000, 10000}
	otherCounts := []uint64{12, 40, 30, 10, 5, 3, 0, 0}
	b.Run("mixed_bounds", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ts += int64(time.Second)
			if i&1 == 0 {
				h.Add(ts, other, otherCounts, 5000, 100, 1)
			} else {
				h.Add(ts, benchBounds, benchCounts, 5000, 100, 1)
			}
			h.Aggregate(P95)
		}
	})
}

// BenchmarkAddThenMean: one in-order sample into a full window of 128, then
// the mean, as the processor does for a mean rule after each accepted batch.
func BenchmarkAddThenMean(b *testing.B) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += int64(time.Second)
		w.Add(ts, 0.95+float64(i&15)/1000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts += int64(time.Second)
		w.Add(ts, 0.95+float64(i&15)/1000)
		w.Aggregate(Mean)
	}
}
