package window

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestHistMatchesReference replays histogram streams through HistWindow and
// refHistWindow (which merges before every percentile) and requires the
// same acceptance, length, span and every aggregate bit for bit after every
// operation: the OTel default latency bounds at a 10 s export, with
// seconds scaled to milliseconds, two bound sets alternating, exponential
// points, late and out-of-order points, empty points and expiry.
func TestHistMatchesReference(t *testing.T) {
	otelDefault := []float64{0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}
	coarse := []float64{0.01, 0.1, 1, 10}
	wide := make([]float64, 40)
	for i := range wide {
		wide[i] = float64(i+1) * 0.5
	}
	for _, sc := range []struct {
		name   string
		size   int
		maxAge time.Duration
		sets   [][]float64
		exp    bool
		jumble bool
		// wide gives one point in forty a count of 9, 17, 33 or 64 bits,
		// so that the window's rows widen while they hold narrow counts.
		wide bool
	}{
		{"default bounds", 128, 5 * time.Minute, [][]float64{otelDefault}, false, false, false},
		{"default bounds, full by count", 128, time.Hour, [][]float64{otelDefault}, false, false, false},
		{"two sets", 128, time.Hour, [][]float64{otelDefault, coarse}, false, false, false},
		{"three sets, widening rows", 20, 10 * time.Minute, [][]float64{coarse, otelDefault, wide}, false, true, false},
		{"exponential and explicit", 64, time.Hour, [][]float64{coarse}, true, true, false},
		{"size 1", 1, time.Minute, [][]float64{otelDefault, coarse}, false, true, false},
		{"widening counts", 128, time.Hour, [][]float64{coarse, otelDefault, wide}, false, true, true},
		{"widening counts, exponential", 32, time.Hour, [][]float64{coarse}, true, true, true},
	} {
		t.Run(sc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(len(sc.name))))
			h, ref := NewHist(sc.size, sc.maxAge), newRefHist(sc.size, sc.maxAge)
			for i := range 3000 {
				what := sc.name + " point " + strconv.Itoa(i)
				ts := base + int64(i)*10*sec
				if sc.jumble && rng.IntN(5) == 0 {
					ts -= int64(rng.IntN(60)) * sec
				}
				if rng.IntN(150) == 0 {
					h.Expire(ts + int64(sc.maxAge)/2)
					ref.Expire(ts + int64(sc.maxAge)/2)
					compareHist(t, h, ref, what+" expire")
				}
				var got, want bool
				if sc.exp && rng.IntN(2) == 0 {
					counts := make([]uint64, 6+rng.IntN(4))
					for j := range counts {
						counts[j] = uint64(rng.IntN(30))
					}
					if sc.wide && rng.IntN(40) == 0 {
						counts[rng.IntN(len(counts))] = wideCount(rng)
					}
					scale, offset, zero := int32(rng.IntN(3)), int32(rng.IntN(5)-2), uint64(rng.IntN(3))
					sum := rng.Float64() * 100
					got = h.AddExponential(ts, scale, zero, offset, counts, sum, 50, 1)
					want = ref.AddExponential(ts, scale, zero, offset, counts, sum, 50, 1)
				} else {
					bounds := sc.sets[rng.IntN(len(sc.sets))]
					counts := make([]uint64, len(bounds)+1)
					var n uint64
					if rng.IntN(20) != 0 { // one point in twenty is empty
						for j := range counts {
							counts[j] = uint64(rng.IntN(12) * rng.IntN(3))
						}
						if sc.wide && rng.IntN(40) == 0 {
							counts[rng.IntN(len(counts))] = wideCount(rng)
						}
						for _, c := range counts {
							n += c
						}
					}
					sum := rng.Float64() * float64(n)
					got = h.Add(ts, bounds, counts, sum, n, 1000)
					want = ref.Add(ts, bounds, counts, sum, n, 1000)
				}
				if got != want {
					t.Fatalf("%s: Add = %v, reference %v", what, got, want)
				}
				compareHist(t, h, ref, what)
			}
		})
	}
}

// wideCount is a count of 9, 17, 33 or 64 significant bits.
func wideCount(rng *rand.Rand) uint64 {
	bits := []int{9, 17, 33, 64}[rng.IntN(4)]
	return 1<<(bits-1) | rng.Uint64()>>(65-bits)
}

func compareHist(t *testing.T, h *HistWindow, ref *refHistWindow, what string) {
	t.Helper()
	if h.Len() != ref.Len() || h.Start() != ref.Start() || h.End() != ref.End() {
		t.Fatalf("%s: len %d start %d end %d, reference %d %d %d", what, h.Len(), h.Start(), h.End(), ref.Len(), ref.Start(), ref.End())
	}
	for a := range numAggregations {
		got, gotOK := h.Aggregate(a)
		want, wantOK := ref.Aggregate(a)
		if gotOK != wantOK || !sameBits(got, want, false) {
			t.Fatalf("%s: %v = %v %v, reference %v %v", what, a, got, gotOK, want, wantOK)
		}
	}
}
