package strategy

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pf(v float64) *float64 { return &v }

func pi(v int) *int { return &v }

// step is one input and the verdict expected for it; hand-computed.
type step struct {
	x        float64
	at       time.Duration // offset from t0, for the rolling baseline
	active   bool
	ready    bool
	breach   bool
	observed float64
	bound    float64
	mean     float64
	stddev   float64
	side     string // checked when set
}

func run(t *testing.T, d Detector, steps []step) {
	t.Helper()
	t0 := time.Unix(1_700_000_000, 0)
	for i, s := range steps {
		got := d.Observe(Input{Value: s.x, Time: t0.Add(s.at), Active: s.active})
		require.Equal(t, s.ready, got.Ready, "step %d ready", i)
		assert.Equal(t, s.breach, got.Breach, "step %d breach", i)
		if !s.ready {
			assert.False(t, got.HasBaseline, "step %d: no baseline while warming up", i)
			continue
		}
		assert.InDelta(t, s.observed, got.Observed, 1e-9, "step %d observed", i)
		assert.InDelta(t, s.bound, got.Threshold, 1e-9, "step %d threshold", i)
		assert.True(t, got.HasBaseline, "step %d has baseline", i)
		assert.InDelta(t, s.mean, got.BaselineMean, 1e-9, "step %d mean", i)
		assert.InDelta(t, s.stddev, got.BaselineStddev, 1e-9, "step %d stddev", i)
		if s.side != "" {
			assert.Equal(t, s.side, got.Side.String(), "step %d side", i)
		}
	}
}

// Warm-up values 1, 2, 3 give mean 2 and sample σ 1 in every case below.
var warm123 = []step{{x: 1}, {x: 2}, {x: 3}}

func TestCUSUM(t *testing.T) {
	cfg := CUSUMConfig{Warmup: pi(3), Slack: pf(0.5), Threshold: pf(2)}
	tests := map[Direction][]step{
		// z = -1, -2, -1: S⁻ = 0.5, 2.0 (not > 2), 2.5.
		Below: {
			{x: 1, ready: true, observed: 0.5, bound: 2, mean: 2, stddev: 1},
			{x: 0, ready: true, observed: 2, bound: 2, mean: 2, stddev: 1},
			{x: 1, ready: true, breach: true, observed: 2.5, bound: 2, mean: 2, stddev: 1},
		},
		// z = +2, -1, +3: S⁺ = 1.5, 0 (clamped), 2.5.
		Above: {
			{x: 4, ready: true, observed: 1.5, bound: 2, mean: 2, stddev: 1},
			{x: 1, ready: true, observed: 0, bound: 2, mean: 2, stddev: 1},
			{x: 5, ready: true, breach: true, observed: 2.5, bound: 2, mean: 2, stddev: 1},
		},
		// the larger side: S⁺ 1.5 then S⁻ 3.5 (S⁺ clamps to 0).
		Both: {
			{x: 4, ready: true, observed: 1.5, bound: 2, mean: 2, stddev: 1, side: "above"},
			{x: -2, ready: true, breach: true, observed: 3.5, bound: 2, mean: 2, stddev: 1, side: "below"},
		},
	}
	for dir, steps := range tests {
		t.Run(dir.String(), func(t *testing.T) {
			d := newCUSUM(cfg, dir)
			run(t, d, append(append([]step{}, warm123...), steps...))
		})
	}
}

func TestPageHinkley(t *testing.T) {
	// After warm-up 1, 2, 3 (σ = 1) the running mean keeps learning:
	// 5 → mean 2.75, dev 2.25; -1 → mean 2, dev -3; 6 → mean 8/3, dev 10/3.
	tests := []struct {
		name  string
		dir   Direction
		alpha float64
		steps []step
	}{
		{"below", Below, 1, []step{
			{x: 5, ready: true, observed: 0, bound: 1, mean: 2.75, stddev: 1},
			// S⁻: 2.75 then 2.75 - 3 + 0.5 = 0.25; max 2.75 → 2.5.
			{x: -1, ready: true, breach: true, observed: 2.5, bound: 1, mean: 2, stddev: 1},
		}},
		{"above", Above, 1, []step{
			{x: 5, ready: true, observed: 0, bound: 1, mean: 2.75, stddev: 1},
			{x: -1, ready: true, observed: 0, bound: 1, mean: 2, stddev: 1},
			// S⁺: 1.75, -1.75 (the minimum), -1.75 + 10/3 - 0.5 → 17/6 above the minimum.
			{x: 6, ready: true, breach: true, observed: 17.0 / 6, bound: 1, mean: 8.0 / 3, stddev: 1},
		}},
		{"faded", Below, 0.5, []step{
			{x: 5, ready: true, observed: 0, bound: 1, mean: 2.75, stddev: 1},
			// S⁻ = 0.5·2.75 - 3 + 0.5 = -1.125 → 2.75 + 1.125.
			{x: -1, ready: true, breach: true, observed: 3.875, bound: 1, mean: 2, stddev: 1},
		}},
		{"both, mean frozen while active", Both, 1, []step{
			// active: the mean stays 2, dev 3, S⁺ 2.5, S⁻ 3.5.
			{x: 5, active: true, ready: true, observed: 0, bound: 1, mean: 2, stddev: 1},
			// dev -3: S⁺ -1 (up 0), S⁻ 1 → 3.5 - 1 = 2.5.
			{x: -1, active: true, ready: true, breach: true, observed: 2.5, bound: 1, mean: 2, stddev: 1, side: "below"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newPageHinkley(PageHinkleyConfig{MinInstances: pi(3), Delta: pf(0.5), Threshold: pf(1), Alpha: pf(tt.alpha)}, tt.dir)
			run(t, d, append(append([]step{}, warm123...), tt.steps...))
		})
	}
}

func TestEWMA(t *testing.T) {
	// alpha 0.5, threshold 0.5, warm-up 2 on 0, 2, 4, 10, 1:
	// z = 0, 1, 2.5, 6.25, 3.625; EW variance 0, 1, 2.75, 15.4375, 14.609375;
	// centre (running mean) 0, 1, 2, 4, 3.4; limit 0.5·σ·sqrt(1/3·(1-0.25ⁿ)).
	bound := func(v float64, n int) float64 {
		return 0.5 * math.Sqrt(v) * math.Sqrt((1-math.Pow(0.25, float64(n)))/3)
	}
	warm := []step{{x: 0}, {x: 2}}
	tests := map[Direction][]step{
		Above: {
			{x: 4, ready: true, breach: true, observed: 2.5, bound: 2 + bound(2.75, 3), mean: 2, stddev: math.Sqrt(2.75)},
			{x: 10, ready: true, breach: true, observed: 6.25, bound: 4 + bound(15.4375, 4), mean: 4, stddev: math.Sqrt(15.4375)},
			{x: 1, ready: true, observed: 3.625, bound: 3.4 + bound(14.609375, 5), mean: 3.4, stddev: math.Sqrt(14.609375)},
		},
		Both: {
			{x: 4, ready: true, breach: true, observed: 2.5, bound: 2 + bound(2.75, 3), mean: 2, stddev: math.Sqrt(2.75), side: "above"},
		},
		Below: {
			{x: 4, ready: true, observed: 2.5, bound: 2 - bound(2.75, 3), mean: 2, stddev: math.Sqrt(2.75), side: "below"},
			{x: 10, ready: true, observed: 6.25, bound: 4 - bound(15.4375, 4), mean: 4, stddev: math.Sqrt(15.4375)},
		},
	}
	for dir, steps := range tests {
		t.Run(dir.String(), func(t *testing.T) {
			d := newEWMA(EWMAConfig{Alpha: pf(0.5), Threshold: pf(0.5), Warmup: pi(2)}, dir)
			run(t, d, append(append([]step{}, warm...), steps...))
		})
	}
}

func TestBaselineFirst(t *testing.T) {
	tests := []struct {
		name  string
		cfg   BaselineConfig
		dir   Direction
		steps []step
	}{
		{"zscore below", BaselineConfig{Reference: ReferenceFirst, Warmup: pi(3), ZScore: pf(2)}, Below, []step{
			{x: 0, ready: true, observed: 0, bound: 0, mean: 2, stddev: 1},
			{x: -0.5, ready: true, breach: true, observed: -0.5, bound: 0, mean: 2, stddev: 1},
			// the reference is frozen: nothing after the warm-up moves it.
			{x: 100, ready: true, observed: 100, bound: 0, mean: 2, stddev: 1},
		}},
		{"zscore both picks the side of the value", BaselineConfig{Reference: ReferenceFirst, Warmup: pi(3), ZScore: pf(2)}, Both, []step{
			{x: 4.5, ready: true, breach: true, observed: 4.5, bound: 4, mean: 2, stddev: 1, side: "above"},
			{x: 1, ready: true, observed: 1, bound: 0, mean: 2, stddev: 1, side: "below"},
		}},
		{"relative change above", BaselineConfig{Reference: ReferenceFirst, Warmup: pi(3), MaxRelativeChange: pf(0.25)}, Above, []step{
			{x: 2.5, ready: true, observed: 2.5, bound: 2.5, mean: 2, stddev: 1},
			{x: 2.6, ready: true, breach: true, observed: 2.6, bound: 2.5, mean: 2, stddev: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, newBaseline(tt.cfg, tt.dir), append(append([]step{}, warm123...), tt.steps...))
		})
	}
}

func TestBaselineRolling(t *testing.T) {
	// A 12-minute window has 1-minute buckets.
	cfg := BaselineConfig{Warmup: pi(2), Window: durationPtr(12 * time.Minute), ZScore: pf(3)}
	d := newBaseline(cfg, Below)
	run(t, d, []step{
		{x: 1, at: 0},
		{x: 3, at: time.Minute},
		// reference 1, 3: mean 2, σ √2; learnt afterwards.
		{x: 2, at: 90 * time.Second, ready: true, observed: 2, bound: 2 - 3*math.Sqrt2, mean: 2, stddev: math.Sqrt2},
		// reference 1, 3, 2: mean 2, σ 1; not learnt: the rule is active.
		{x: 50, at: 100 * time.Second, active: true, ready: true, observed: 50, bound: -1, mean: 2, stddev: 1},
		// not learnt: it breaches.
		{x: -10, at: 110 * time.Second, ready: true, breach: true, observed: -10, bound: -1, mean: 2, stddev: 1},
		// at 12m the bucket of minute 0 (value 1) has expired: 3 and 2 remain.
		{x: 2.5, at: 12 * time.Minute, ready: true, observed: 2.5, bound: 2.5 - 3*math.Sqrt(0.5), mean: 2.5, stddev: math.Sqrt(0.5)},
		// 3, 2, 2.5: mean 2.5, σ 0.5. A late point counts in the newest
		// bucket and cannot revive minute 0.
		{x: 2.5, at: 30 * time.Second, ready: true, observed: 2.5, bound: 1, mean: 2.5, stddev: 0.5},
		// at 13m minute 1 expires too: 2.5 and 2.5 remain, σ 0 → floored.
		{x: 2.5, at: 13 * time.Minute, ready: true, observed: 2.5, bound: 2.5 - 3*2.5e-9, mean: 2.5, stddev: 0},
		// after an hour of silence everything expired: warming up again.
		{x: 2.5, at: 2 * time.Hour},
	})
}

func durationPtr(d time.Duration) *time.Duration { return &d }

func nan() float64 { return math.NaN() }
