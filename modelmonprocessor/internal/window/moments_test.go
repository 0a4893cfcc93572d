package window

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// exactMoments is the two-pass mean and population standard deviation.
func exactMoments(vals []float64) (mean, sd float64) {
	for _, v := range vals {
		mean += v
	}
	mean /= float64(len(vals))
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(vals)))
}

// TestRunningMomentsLong drives size-128 windows through 100k adds (in order,
// out of order, late), expires and resets, with values at different levels
// and spreads, and after every step compares Mean and Stddev with the exact
// two-pass computation over the window's samples: relative error at most
// 1e-9 (a standard deviation below 1e-13 of the mean, where the exact pass
// itself is only rounding noise, must be that small in both). It also checks that the running
// sums, not the exact fallback, answer nearly all evaluations, most of them
// without a rebuild.
func TestRunningMomentsLong(t *testing.T) {
	type gen func(rng *rand.Rand, step int) float64
	cases := []struct {
		name string
		v    gen
	}{
		{"0.95 ± 0.01", func(rng *rand.Rand, _ int) float64 { return 0.95 + 0.02*(rng.Float64()-0.5) }},
		{"1e6 ± 0.01", func(rng *rand.Rand, _ int) float64 { return 1e6 + 0.02*(rng.Float64()-0.5) }},
		{"1e6 ± 1e3", func(rng *rand.Rand, _ int) float64 { return 1e6 + 2e3*(rng.Float64()-0.5) }},
		{"around 0", func(rng *rand.Rand, _ int) float64 { return rng.NormFloat64() }},
		{"constant 0.94", func(*rand.Rand, int) float64 { return 0.94 }},
		{"level shifts 0.95 / 1e6", func(rng *rand.Rand, step int) float64 {
			if step/5000%2 == 1 {
				return 1e6 + 0.02*(rng.Float64()-0.5)
			}
			return 0.95 + 0.02*(rng.Float64()-0.5)
		}},
		{"0.95 with rare 1e9 spikes", func(rng *rand.Rand, _ int) float64 {
			if rng.IntN(1000) == 0 {
				return 1e9
			}
			return 0.95 + 0.02*(rng.Float64()-0.5)
		}},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(ci)))
			w := New(128, time.Minute)
			now := base
			fast, running, evals := 0, 0, 0
			for step := 0; step < 100_000; step++ {
				switch r := rng.IntN(1000); {
				case r == 0:
					w.Reset()
				case r < 5:
					now += int64(rng.IntN(40)) * sec
					w.Expire(now)
				default:
					now += sec / 4
					ts := now
					if rng.IntN(4) == 0 {
						ts -= int64(rng.IntN(60)) * sec / 4 // out of order, sometimes late
					}
					w.Add(ts, tc.v(rng, step))
				}
				if w.Len() == 0 {
					continue
				}
				vals := values(w)
				wantMean, wantSD := exactMoments(vals)
				if w.sums.valid && w.sums.nonFinite == 0 {
					if _, _, ok := w.sums.trusted(w.Len()); ok {
						fast++ // no rebuild needed
					}
				}
				if _, _, ok := w.runningMoments(); ok {
					running++
				}
				evals++
				gotMean, ok1 := w.Aggregate(Mean)
				gotSD, ok2 := w.Aggregate(Stddev)
				if !ok1 || !ok2 {
					t.Fatalf("step %d: Aggregate failed", step)
				}
				if d := math.Abs(gotMean - wantMean); d > 1e-9*math.Abs(wantMean) && d > 1e-9*wantSD {
					t.Fatalf("step %d (n %d): mean %v, want %v (rel %g)", step, len(vals), gotMean, wantMean, d/math.Abs(wantMean))
				}
				// A spread below the exact pass's own resolution (its rounded
				// mean is off by up to about n·ε·|mean|) only has to be
				// negligible in both results.
				tiny := 1e-13 * math.Abs(wantMean)
				if d := math.Abs(gotSD - wantSD); d > 1e-9*wantSD && (wantSD > tiny || gotSD > tiny) {
					t.Fatalf("step %d (n %d): stddev %v, want %v (rel %g)", step, len(vals), gotSD, wantSD, d/wantSD)
				}
			}
			t.Logf("%d evaluations: %d from the running sums, %d of them without a rebuild", evals, running, fast)
			if running < evals*99/100 || fast < evals*9/10 {
				t.Errorf("running sums answered %d of %d evaluations (%d without a rebuild), want ≥ 99%% (90%%)", running, evals, fast)
			}
		})
	}
}

// TestRunningMomentsNonFinite: NaN and ±Inf give the exact pass's NaN/±Inf
// while in the window, and the running sums take over again once they leave.
func TestRunningMomentsNonFinite(t *testing.T) {
	w := New(4, time.Hour)
	fill(w, []float64{1, 2, math.Inf(1), 4}, nil)
	if m, _ := w.Aggregate(Mean); !math.IsInf(m, 1) {
		t.Errorf("mean with +Inf = %v", m)
	}
	if sd, _ := w.Aggregate(Stddev); !math.IsNaN(sd) {
		t.Errorf("stddev with +Inf = %v, want NaN as the exact pass", sd)
	}
	w.Add(base+5*sec, math.NaN())
	if m, _ := w.Aggregate(Mean); !math.IsNaN(m) {
		t.Errorf("mean with NaN = %v", m)
	}
	for i := int64(6); i <= 9; i++ {
		w.Add(base+i*sec, float64(i))
	}
	m, _ := w.Aggregate(Mean)
	sd, _ := w.Aggregate(Stddev)
	if m != 7.5 || !near(sd, math.Sqrt(1.25)) {
		t.Errorf("after the non-finite values left: mean %v stddev %v, want 7.5 %v", m, sd, math.Sqrt(1.25))
	}
	if _, _, ok := w.runningMoments(); !ok {
		t.Error("running sums not used after the non-finite values left")
	}
	w.Reset()
	fill(w, []float64{1e300, -1e300}, nil) // d² overflows: exact pass
	if m, _ := w.Aggregate(Mean); m != 0 {
		t.Errorf("mean of ±1e300 = %v", m)
	}
}
