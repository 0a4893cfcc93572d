package window

import (
	"testing"
	"time"
)

// The fleet benchmarks cycle through the windows of 1,000 models, one new
// point and one evaluation per window and step, as the processor does per
// batch: the working set is far larger than the caches, so they measure
// the cache lines a window touches, which the single-window benchmarks,
// always in cache, do not.

const fleetWindows = 1000

// BenchmarkWindowFleet: full gauge windows of 128 samples, in order, on a
// 10 s grid; p95 (the latency rule) or mean (the quality rules) after each.
func BenchmarkWindowFleet(b *testing.B) {
	for _, agg := range []Aggregation{P95, Mean} {
		b.Run(agg.String(), func(b *testing.B) {
			ws := make([]Window, fleetWindows)
			for i := range ws {
				ws[i].Init(128, time.Hour)
			}
			ts := base
			for r := 0; r < 200; r++ {
				ts += 10 * sec
				for i := range ws {
					ws[i].Add(ts, float64((r*7919+i)%1000)/1000)
					ws[i].Aggregate(agg)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				i := n % fleetWindows
				if i == 0 {
					ts += 10 * sec
				}
				ws[i].Add(ts, float64((n*7919)%1000)/1000)
				ws[i].Aggregate(agg)
			}
		})
	}
}

// BenchmarkHistFleet: full histogram windows of 128 points with the OTel
// default bounds (seconds scaled to milliseconds), p95 after each point.
func BenchmarkHistFleet(b *testing.B) {
	bounds := []float64{0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	counts := make([][]uint64, 64)
	for k := range counts {
		counts[k] = make([]uint64, len(bounds)+1)
		for j := range counts[k] {
			counts[k][j] = uint64((k*31 + j*17) % 7)
		}
	}
	hs := make([]*HistWindow, fleetWindows)
	for i := range hs {
		hs[i] = NewHist(128, time.Hour)
	}
	ts := base
	for r := 0; r < 200; r++ {
		ts += 10 * sec
		for i, h := range hs {
			h.Add(ts, bounds, counts[(r+i)%len(counts)], 1, 10, 1000)
			h.Aggregate(P95)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		i := n % fleetWindows
		if i == 0 {
			ts += 10 * sec
		}
		hs[i].Add(ts, bounds, counts[n%len(counts)], 1, 10, 1000)
		hs[i].Aggregate(P95)
	}
}
