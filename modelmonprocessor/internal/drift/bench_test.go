package drift

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// benchInput is 16 buckets of two nearby distributions, as a feature window
// against its learned reference.
func benchInput() (bounds, cur, ref []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	bounds = make([]float64, 15)
	for i := range bounds {
		bounds[i] = float64(i) * 0.5
	}
	cur, ref = make([]float64, 16), make([]float64, 16)
	for i := range cur {
		cur[i] = float64(r.IntN(100))
		ref[i] = float64(r.IntN(100))
	}
	return bounds, cur, ref
}

// BenchmarkCompute16 reports, besides wall time, the CPU time of the
// benchmark's thread per distance (cpu-ns/op, Linux): on a machine shared
// with other work, wall time counts the waiting too.
func BenchmarkCompute16(b *testing.B) {
	bounds, cur, ref := benchInput()
	for _, d := range all() {
		b.Run(d.String(), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var s Scratch
			b.ReportAllocs()
			c0, ok := threadCPU()
			n := 0
			for b.Loop() {
				_, _ = Compute(d, bounds, cur, ref, &s)
				n++
			}
			if c1, ok1 := threadCPU(); ok && ok1 && n > 0 {
				b.ReportMetric(float64(c1-c0)/float64(n), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkCompareExponential16 compares two exponential histograms of 16
// buckets at different scales: downscaling and the explicit view included.
func BenchmarkCompareExponential16(b *testing.B) {
	var cur, ref Hist
	counts := make([]uint64, 16)
	var n uint64
	for i := range counts {
		counts[i] = uint64(10 + i)
		n += counts[i]
	}
	if err := cur.AddExponential(&ExpPoint{Scale: 3, PositiveOffset: 8, Positive: counts, Count: n}); err != nil {
		b.Fatal(err)
	}
	if err := ref.AddExponential(&ExpPoint{Scale: 4, PositiveOffset: 16, Positive: append(counts, counts...), Count: 2 * n}); err != nil {
		b.Fatal(err)
	}
	var s Scratch
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Compare(JensenShannon, &cur, &ref, &s)
	}
}

// BenchmarkWindowAddExplicit16 is the per-point cost of a drift window: a
// 16-bucket point enters a full window of 64, the oldest leaves, the sum
// follows.
func BenchmarkWindowAddExplicit16(b *testing.B) {
	bounds, _, _ := benchInput()
	counts := make([]uint64, 16)
	var n uint64
	for i := range counts {
		counts[i] = uint64(i)
		n += uint64(i)
	}
	w := NewWindow(64, 0)
	t := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		t++
		if err := w.AddExplicit(t, bounds, counts, n); err != nil {
			b.Fatal(err)
		}
	}
}
