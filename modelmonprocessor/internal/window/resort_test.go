package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestResortEqualsUnsortThenSortIn checks bit for bit that trading one value
// for another in the sorted view leaves what removing it and then inserting
// the new one left, NaN, ±Inf, -0 and duplicates included.
func TestResortEqualsUnsortThenSortIn(t *testing.T) {
	pool := []float64{math.NaN(), math.Inf(-1), math.Inf(1), math.Copysign(0, -1), 0, 1, 1, 2, 3, -5}
	rng := rand.New(rand.NewPCG(5, 9))
	for n := 1; n <= 12; n++ {
		for trial := 0; trial < 2000; trial++ {
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = pool[rng.IntN(len(pool))]
			}
			slices.Sort(vals)
			old := vals[rng.IntN(n)]
			v := pool[rng.IntN(len(pool))]
			a := &Window{sorted: slices.Clone(vals), sortedValid: true, size: n}
			b := &Window{sorted: slices.Clone(vals), sortedValid: true, size: n}
			a.resort(old, v)
			b.unsort(old)
			b.sortIn(v)
			if len(a.sorted) != len(b.sorted) {
				t.Fatalf("%v: trade %v for %v: %v, want %v", vals, old, v, a.sorted, b.sorted)
			}
			for i := range a.sorted {
				if math.Float64bits(a.sorted[i]) != math.Float64bits(b.sorted[i]) {
					t.Fatalf("%v: trade %v for %v: %v, want %v", vals, old, v, a.sorted, b.sorted)
				}
			}
		}
	}
}
