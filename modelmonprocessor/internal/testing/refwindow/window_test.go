package refwindow

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// TestMatchesCompactWindow drives a Window and a window.Window with the same
// samples — in order, on and off a time grid, late, at equal times, with
// ties and zeros of both signs — and requires the same refusals, samples,
// spans and aggregates after each one (a zero percentile of either sign counts as
// zero: the two break ties between equal values differently).
func TestMatchesCompactWindow(t *testing.T) {
	for _, size := range []int{1, 7, 128, 300} {
		for seed := range uint64(4) {
			r := rand.New(rand.NewPCG(seed, uint64(size)))
			maxAge := time.Duration(1+r.IntN(3)) * time.Duration(size) * 10 * time.Second / 2
			var ref Window
			ref.Init(size, maxAge)
			w := window.New(size, maxAge)
			tm := int64(0)
			for i := range 4 * size {
				if r.IntN(3) != 0 || seed == 0 { // seed 0 stays on the grid
					tm += int64(10 * time.Second)
				} else {
					tm += r.Int64N(int64(20 * time.Second))
				}
				ts := tm
				if r.IntN(16) == 0 {
					ts -= r.Int64N(int64(maxAge) * 2)
				}
				v := math.Round(r.NormFloat64()*4) / 4
				if r.IntN(8) == 0 {
					v = math.Copysign(0, r.NormFloat64())
				}
				if got, want := w.Add(ts, v), ref.Add(ts, v); got != want {
					t.Fatalf("size %d seed %d point %d: Add(%d, %v) = %v, reference %v", size, seed, i, ts, v, got, want)
				}
				if w.Len() != ref.Len() || w.Start() != ref.Start() || w.End() != ref.End() {
					t.Fatalf("size %d seed %d point %d: len %d [%d, %d], reference %d [%d, %d]",
						size, seed, i, w.Len(), w.Start(), w.End(), ref.Len(), ref.Start(), ref.End())
				}
				gotT, gotV := w.AppendSamples(nil, nil)
				wantT, wantV := ref.AppendSamples(nil, nil)
				for k := range wantT {
					if gotT[k] != wantT[k] || math.Float64bits(gotV[k]) != math.Float64bits(wantV[k]) {
						t.Fatalf("size %d seed %d point %d: sample %d = (%d, %v), reference (%d, %v)", size, seed, i, k, gotT[k], gotV[k], wantT[k], wantV[k])
					}
				}
				for _, name := range window.Names() {
					a, _ := window.ParseAggregation(name)
					got, gotOK := w.Aggregate(a)
					want, wantOK := ref.Aggregate(a)
					_, pct := a.Quantile()
					same := math.Float64bits(got) == math.Float64bits(want) || (pct && got == 0 && want == 0)
					if gotOK != wantOK || !same {
						t.Fatalf("size %d seed %d point %d: %s = %v %v, reference %v %v", size, seed, i, name, got, gotOK, want, wantOK)
					}
				}
			}
		}
	}
}
