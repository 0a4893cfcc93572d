package window

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSpanFollowsSamples checks that Start and End, kept in the header, stay
// the oldest and newest stored times across adds (in order, out of order,
// late, when full), expiry and reset, for both kinds of window.
func TestSpanFollowsSamples(t *testing.T) {
	bounds := []float64{1, 10}
	for _, size := range []int{1, 3, 8, 100} {
		rng := rand.New(rand.NewPCG(3, uint64(size)))
		w := New(size, time.Minute)
		h := NewHist(size, time.Minute)
		now := base
		for step := 0; step < 5000; step++ {
			switch rng.IntN(100) {
			case 0:
				now += int64(rng.IntN(90)) * sec
				w.Expire(now)
				h.Expire(now)
			case 1:
				w.Reset()
				h.Reset()
			default:
				now += int64(rng.IntN(3)) * sec
				at := now - int64(rng.IntN(20))*sec
				w.Add(at, 1)
				h.Add(at, bounds, []uint64{1, 0, 0}, 1, 1, 1)
			}
			var ws, we, hs, he int64
			if w.Len() > 0 {
				ws, we = w.sampleAt(0).t, w.sampleAt(w.Len()-1).t
			}
			if h.r.n > 0 {
				hs, he = h.r.at(0).t, h.r.at(h.r.n-1).t
			}
			if w.Start() != ws || w.End() != we {
				t.Fatalf("size %d step %d: window span [%d, %d], samples span [%d, %d]", size, step, w.Start(), w.End(), ws, we)
			}
			if h.Start() != hs || h.End() != he {
				t.Fatalf("size %d step %d: histogram window span [%d, %d], points span [%d, %d]", size, step, h.Start(), h.End(), hs, he)
			}
		}
	}
}
