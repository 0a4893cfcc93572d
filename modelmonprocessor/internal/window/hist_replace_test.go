package window

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestHistReplaceOldest drives full windows through the steady state, where
// a point in time order takes the oldest point's slot and one pass swaps the
// counts in the slot and in the set's running sums, with the points that
// path must hand back or undo: the oldest point empty, the new point empty,
// counts whose total wraps to zero in uint64, counts near the top of uint64,
// and the oldest point of another bound set. After every point the window
// must match the reference bit for bit and each set's sums must equal its
// live points' counts summed afresh.
func TestHistReplaceOldest(t *testing.T) {
	bounds := [][]float64{{0, 5, 10, 25, 50}, {1, 2, 4}}
	big := uint64(1) << 63
	kinds := []func(rng *rand.Rand, n int) []uint64{
		func(rng *rand.Rand, n int) []uint64 { // ordinary
			c := make([]uint64, n)
			for j := range c {
				c[j] = uint64(rng.IntN(9))
			}
			return c
		},
		func(_ *rand.Rand, n int) []uint64 { return make([]uint64, n) }, // empty
		func(_ *rand.Rand, n int) []uint64 { // total wraps to 0
			c := make([]uint64, n)
			c[0], c[n-1] = big, big
			return c
		},
		func(rng *rand.Rand, n int) []uint64 { // near the top
			c := make([]uint64, n)
			for j := range c {
				c[j] = math.MaxUint64 - uint64(rng.IntN(3))
			}
			return c
		},
	}
	for _, size := range []int{1, 2, 5} {
		for _, mixSets := range []bool{false, true} {
			name := strconv.Itoa(size) + " sets mixed " + strconv.FormatBool(mixSets)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(size), 7))
				h, ref := NewHist(size, time.Hour), newRefHist(size, time.Hour)
				for i := range 2000 {
					b := bounds[0]
					if mixSets && rng.IntN(3) == 0 {
						b = bounds[1]
					}
					kind := 0
					if rng.IntN(3) == 0 {
						kind = rng.IntN(len(kinds))
					}
					c := kinds[kind](rng, len(b)+1)
					var n uint64
					for _, x := range c {
						n += x
					}
					ts := base + int64(i)*sec
					sum := float64(n % 1000)
					got, want := h.Add(ts, b, c, sum, n, 1), ref.Add(ts, b, c, sum, n, 1)
					what := name + " point " + strconv.Itoa(i)
					if got != want {
						t.Fatalf("%s: Add = %v, reference %v", what, got, want)
					}
					compareHist(t, h, ref, what)
					checkSetSums(t, h, what)
				}
			})
		}
	}
}

// checkSetSums recomputes every set's references, live points and bucket
// sums from the window's points.
func checkSetSums(t *testing.T, h *HistWindow, what string) {
	t.Helper()
	refs, live := make([]int, len(h.sets)), make([]int, len(h.sets))
	acc := make([][]uint64, len(h.sets))
	for i := 0; i < h.r.n; i++ {
		p := h.r.at(i)
		refs[p.set]++
		var obs uint64
		for _, c := range h.pointCounts(p) {
			obs += c
		}
		if obs != p.obs {
			t.Fatalf("%s: point %d holds obs %d, its counts sum to %d", what, i, p.obs, obs)
		}
		if obs == 0 {
			continue
		}
		live[p.set]++
		if acc[p.set] == nil {
			acc[p.set] = make([]uint64, int(p.n))
		}
		for j, c := range h.pointCounts(p) {
			acc[p.set][j] += c
		}
	}
	for i := range h.sets {
		s := &h.sets[i]
		if s.refs != refs[i] || s.live != live[i] {
			t.Fatalf("%s: set %d refs %d live %d, points say %d %d", what, i, s.refs, s.live, refs[i], live[i])
		}
		for j, c := range acc[i] {
			if s.acc[j] != c {
				t.Fatalf("%s: set %d bucket %d sums to %d, points say %d", what, i, j, s.acc[j], c)
			}
		}
	}
}
