package window

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestResortEqualsUnsortThenSortIn checks that trading the oldest slot's
// value for another in the sorted index (a full window taking a sample in
// order) leaves exactly the index that removing the slot and inserting it
// again with the new value leaves, NaN, ±Inf, -0 and duplicates included.
func TestResortEqualsUnsortThenSortIn(t *testing.T) {
	pool := []float64{math.NaN(), math.Inf(-1), math.Inf(1), math.Copysign(0, -1), 0, 1, 1, 2, 3, -5}
	rng := rand.New(rand.NewPCG(5, 9))
	for n := 2; n <= 12; n++ {
		for trial := 0; trial < 2000; trial++ {
			a, b := New(n, time.Hour), New(n, time.Hour)
			for i := 0; i < n+rng.IntN(n); i++ {
				v := pool[rng.IntN(len(pool))]
				a.Add(base+int64(i)*sec, v)
				b.Add(base+int64(i)*sec, v)
			}
			a.buildSorted()
			b.buildSorted()
			p := int(a.head)
			old, v := a.vals[p], pool[rng.IntN(len(pool))]
			a.resort(p, old, v)
			a.vals[p] = v
			b.unsort(p, old)
			b.n--
			b.vals[p] = v
			b.n++
			b.sortIn(p, v)
			if !a.sortedValid || !b.sortedValid {
				t.Fatalf("n %d trial %d: index lost", n, trial)
			}
			for k := 0; k < n; k++ {
				if a.permAt(k) != b.permAt(k) {
					t.Fatalf("n %d trial %d: trade %v for %v: slot %d at rank %d, want %d", n, trial, old, v, a.permAt(k), k, b.permAt(k))
				}
			}
			for k := 1; k < n; k++ {
				if a.cmpSlots(a.permAt(k-1), a.permAt(k)) >= 0 {
					t.Fatalf("n %d trial %d: index out of order at rank %d", n, trial, k)
				}
			}
		}
	}
}
