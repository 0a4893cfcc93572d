package window

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestHistRunningSums drives histogram windows with random points over a
// few bound sets (in order, out of order, late, full, expired, reset) and
// checks after every step that each set's running sums equal a fresh sum
// of its live points (exactly), and that every aggregation equals that of a
// window built from the same points without any drop.
func TestHistRunningSums(t *testing.T) {
	sets := [][]float64{
		{5, 10, 25, 50, 100},
		{10, 50, 100, 500},
		{1, 2, 4, 8, 16, 32, 64, 128},
	}
	aggs := []Aggregation{P50, P90, P95, P99, Min, Max, Mean, Count}
	for _, size := range []int{1, 7, 32} {
		t.Run("size "+strconv.Itoa(size), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(size)))
			h := NewHist(size, time.Minute)
			now := base
			for step := 0; step < 3000; step++ {
				switch rng.IntN(100) {
				case 0:
					now += int64(rng.IntN(90)) * sec
					h.Expire(now)
				case 1:
					h.Reset()
				default:
					now += int64(rng.IntN(3)) * sec
					b := sets[rng.IntN(len(sets))]
					counts := make([]uint64, len(b)+1)
					var total uint64
					if rng.IntN(8) != 0 { // some points carry no observations
						for j := range counts {
							counts[j] = uint64(rng.IntN(5))
							total += counts[j]
						}
					}
					h.Add(now-int64(rng.IntN(20))*sec, b, counts, float64(total)*7, total, 1)
				}
				checkRunningSums(t, step, h)
				fresh := NewHist(h.r.n+1, time.Duration(math.MaxInt64))
				for i := 0; i < h.r.n; i++ {
					p := h.r.at(i)
					fresh.Add(p.t, h.sets[p.set].bounds, h.pointCounts(p), p.sum, p.count, 1)
				}
				for _, a := range aggs {
					got, gotOK := h.Aggregate(a)
					want, wantOK := fresh.Aggregate(a)
					// Not bit-equal: sets of different bounds are spread into the
					// merged buckets in set order, which differs in the fresh window.
					if gotOK != wantOK || (gotOK && !near(got, want)) {
						t.Fatalf("step %d: %s = %v, %v; a window without drops says %v, %v", step, a, got, gotOK, want, wantOK)
					}
				}
			}
		})
	}
}

func checkRunningSums(t *testing.T, step int, h *HistWindow) {
	t.Helper()
	for si := range h.sets {
		s := &h.sets[si]
		live := 0
		var want []uint64
		for i := 0; i < h.r.n; i++ {
			p := h.r.at(i)
			if int(p.set) != si || p.obs == 0 {
				continue
			}
			live++
			if want == nil {
				want = make([]uint64, int(p.n))
			}
			for j, c := range h.pointCounts(p) {
				want[j] += c
			}
		}
		if live != s.live {
			t.Fatalf("step %d: set %d has %d live points with observations, running count %d", step, si, live, s.live)
		}
		for j := range want {
			if s.acc[j] != want[j] {
				t.Fatalf("step %d: set %d bucket %d: running sum %d, fresh sum %d", step, si, j, s.acc[j], want[j])
			}
		}
	}
}
