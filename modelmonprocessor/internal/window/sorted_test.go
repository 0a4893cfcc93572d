package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSortedViewFollowsWindow checks that the percentile view, once built,
// stays equal to a fresh sort of the window across adds (in order, out of
// order, late, when full), expiry and reset, including NaN, ±Inf, -0 and
// duplicate values.
func TestSortedViewFollowsWindow(t *testing.T) {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0}
	for _, tc := range []struct {
		name string
		size int
	}{{"size 1", 1}, {"size 5", 5}, {"size 100 (not a power of two)", 100}, {"size 128", 128}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.size)))
			w := New(tc.size, time.Minute)
			now := base
			for step := 0; step < 5000; step++ {
				switch rng.IntN(100) {
				case 0:
					now += int64(rng.IntN(90)) * sec
					w.Expire(now)
				case 1:
					w.Reset()
				default:
					now += int64(rng.IntN(3)) * sec
					v := float64(rng.IntN(20))
					if rng.IntN(10) == 0 {
						v = special[rng.IntN(len(special))]
					}
					w.Add(now-int64(rng.IntN(20))*sec, v)
				}
				if w.Len() == 0 {
					continue
				}
				w.buildSorted()
				got := sortedValues(w)
				want := values(w)
				slices.Sort(want)
				if !sameFloats(got, want) {
					t.Fatalf("step %d: sorted view %v, fresh sort %v", step, got, want)
				}
				if len(w.perm) > tc.size {
					t.Fatalf("step %d: sorted index of %d B exceeds size %d", step, len(w.perm), tc.size)
				}
			}
		})
	}
}

// sortedValues returns the window's values in the sorted index's order.
func sortedValues(w *Window) []float64 {
	out := make([]float64, w.Len())
	for k := range out {
		out[k] = w.vals[w.permAt(k)]
	}
	return out
}

// sameFloats compares element-wise, NaN equal to NaN and -0 equal to 0 (a
// quantile cannot tell them apart by more than the sign of a zero).
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	})
}

// BenchmarkAggregateP95Steady: the engine's pattern, one new sample then a
// percentile, with the view kept in step instead of re-sorted.
func BenchmarkAggregateP95Steady(b *testing.B) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += sec
		w.Add(ts, float64((i*7919)%1000))
	}
	w.Aggregate(P95)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ts += sec
		w.Add(ts, float64((i*7919)%1000))
		w.Aggregate(P95)
	}
}
