package drift

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func all() []Distance { return []Distance{PSI, JensenShannon, Hellinger, Wasserstein, KS, LInf} }

func TestIdenticalIsZero(t *testing.T) {
	bounds := []float64{1, 2, 3}
	var s Scratch
	for _, d := range all() {
		// Counts and shares of the same distribution are the same thing.
		r, err := Compute(d, bounds, []float64{10, 20, 30, 40}, []float64{0.1, 0.2, 0.3, 0.4}, &s)
		require.NoError(t, err, d)
		assert.InDelta(t, 0, r.Value, 1e-12, d)
		assert.Zero(t, r.NTop, d)
	}
}

func TestHandComputed(t *testing.T) {
	bounds := []float64{0, 1, 2}
	cur := []float64{0, 0.5, 0.5, 0}
	ref := []float64{0, 0, 0.5, 0.5}
	var s Scratch
	cases := []struct {
		d    Distance
		want float64
	}{
		// 0.4999·ln(0.5/0.0001) − 0.4999·ln(0.0001/0.5): the two moved halves.
		{PSI, 2 * 0.4999 * math.Log(0.5/0.0001)},
		// m = (0, .25, .5, .25): KL(p‖m) = .5·log2(2) = .5, KL(q‖m) = .5.
		{JensenShannon, math.Sqrt(0.5)},
		// Σ(√p−√q)² = .5 + .5; /2 → .5.
		{Hellinger, math.Sqrt(0.5)},
		{LInf, 0.5},
		// Cumulative at 0, 1, 2: cur 0, .5, 1; ref 0, 0, .5.
		{KS, 0.5},
		// Midpoints −.5, .5, 1.5, 2.5: half the mass moves one unit, W = 1;
		// the reference (.5 at 1.5, .5 at 2.5) has σ = 0.5.
		{Wasserstein, 2},
	}
	for _, c := range cases {
		r, err := Compute(c.d, bounds, cur, ref, &s)
		require.NoError(t, err, c.d)
		assert.InDelta(t, c.want, r.Value, 1e-12, c.d)
	}
}

func TestDisjointIsOne(t *testing.T) {
	var s Scratch
	for _, d := range []Distance{JensenShannon, Hellinger, LInf, KS} {
		r, err := Compute(d, []float64{1, 2}, []float64{5, 0, 0}, []float64{0, 0, 7}, &s)
		require.NoError(t, err)
		assert.InDelta(t, 1, r.Value, 1e-12, d)
	}
}

// A whole-distribution shift by one bucket moves the normalised Wasserstein
// distance by one bucket width over σ, whatever the shares.
func TestWassersteinShift(t *testing.T) {
	bounds := []float64{0, 10, 20, 30, 40, 50}
	ref := []float64{0, 1, 4, 6, 4, 1, 0}
	cur := []float64{0, 0, 1, 4, 6, 4, 1}
	var s Scratch
	r, err := Compute(Wasserstein, bounds, cur, ref, &s)
	require.NoError(t, err)
	// σ of 1,4,6,4,1 at spacing 10: √(Σw(x−μ)²/16) = 10·√(16/16) = 10, the
	// shift by one bucket (10) over that σ: 1.
	assert.InDelta(t, 1.0, r.Value, 1e-12)
	// Mass entering the overflow bucket counts at its neighbour's width.
	var sum float64
	for _, b := range r.Buckets() {
		sum += b.Contribution
	}
	assert.LessOrEqual(t, sum, r.Value+1e-12)
}

// A reference inside one bucket has σ = 0; the floor (width/√12) keeps the
// distance finite.
func TestWassersteinSingleBucketReference(t *testing.T) {
	var s Scratch
	r, err := Compute(Wasserstein, []float64{0, 1, 2}, []float64{0, 0, 1, 0}, []float64{0, 1, 0, 0}, &s)
	require.NoError(t, err)
	assert.InDelta(t, 1/(1/math.Sqrt(12)), r.Value, 1e-12)
}

func TestTopBuckets(t *testing.T) {
	bounds := []float64{10, 20, 30, 40}
	ref := []float64{0.2, 0.2, 0.2, 0.2, 0.2}
	cur := []float64{0.05, 0.2, 0.45, 0.25, 0.05}
	var s Scratch
	r, err := Compute(LInf, bounds, cur, ref, &s)
	require.NoError(t, err)
	require.Equal(t, 3, r.NTop)
	top := r.Buckets()
	// |diff|: .15, 0, .25, .05, .15 → bucket 2, then 0 and 4 (tie: lower first).
	assert.Equal(t, 2, top[0].Index)
	assert.Equal(t, 20.0, top[0].Lower)
	assert.Equal(t, 30.0, top[0].Upper)
	assert.InDelta(t, 0.45, top[0].Cur, 1e-12)
	assert.InDelta(t, 0.2, top[0].Ref, 1e-12)
	assert.InDelta(t, 0.25, top[0].Contribution, 1e-12)
	assert.Equal(t, 0, top[1].Index)
	assert.True(t, math.IsInf(top[1].Lower, -1))
	assert.Equal(t, 4, top[2].Index)
	assert.True(t, math.IsInf(top[2].Upper, 1))
	assert.Equal(t, "(20, 30]: 45.0% vs 20.0%", top[0].String())
	assert.Equal(t, "(-Inf, 10]: 5.0% vs 20.0%", top[1].String())
	assert.Equal(t, "(40, +Inf]: 5.0% vs 20.0%", top[2].String())

	// The contributions of the additive distances add up to the value (JS
	// and Hellinger: to its square).
	for _, d := range []Distance{PSI, JensenShannon, Hellinger, Wasserstein} {
		// Five buckets, at most three listed: use a change in three.
		cur := []float64{0.2, 0.1, 0.2, 0.3, 0.2}
		r, err := Compute(d, bounds, cur, ref, &s)
		require.NoError(t, err)
		var sum float64
		for _, b := range r.Buckets() {
			sum += b.Contribution
		}
		want := r.Value
		if d == JensenShannon || d == Hellinger {
			want *= want
		}
		if d == Wasserstein {
			// The bucket between the two moved ones also contributes.
			assert.LessOrEqual(t, sum, want+1e-12, d)
			continue
		}
		assert.InDelta(t, want, sum, 1e-12, d)
	}
}

func TestComputeErrors(t *testing.T) {
	var s Scratch
	b := []float64{1, 2}
	cases := map[string]struct {
		d        Distance
		bounds   []float64
		cur, ref []float64
		want     error
	}{
		"short":        {PSI, b, []float64{1, 2}, []float64{1, 2, 3}, ErrShape},
		"negative":     {PSI, b, []float64{1, -2, 3}, []float64{1, 2, 3}, ErrBadCount},
		"nan":          {KS, b, []float64{1, 2, 3}, []float64{1, math.NaN(), 3}, ErrBadCount},
		"inf":          {KS, b, []float64{math.Inf(1), 2, 3}, []float64{1, 2, 3}, ErrBadCount},
		"empty":        {LInf, b, []float64{0, 0, 0}, []float64{1, 2, 3}, ErrEmpty},
		"one bound":    {Wasserstein, []float64{1}, []float64{1, 2}, []float64{2, 1}, ErrTooFewBounds},
		"unknown":      {Distance(99), b, []float64{1, 2, 3}, []float64{1, 2, 3}, ErrUnknownDistance},
		"huge buckets": {Wasserstein, []float64{-1e308, 1e308}, []float64{1, 2, 3}, []float64{3, 2, 1}, ErrNotFinite},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Compute(c.d, c.bounds, c.cur, c.ref, &s)
			require.ErrorIs(t, err, c.want)
		})
	}
}

func TestParse(t *testing.T) {
	for _, n := range Names() {
		d, ok := Parse(n)
		require.True(t, ok, n)
		assert.Equal(t, n, d.String())
		assert.Equal(t, 0.1, d.DefaultThreshold())
	}
	_, ok := Parse("mean")
	assert.False(t, ok)
	_, ok = Parse("")
	assert.False(t, ok)
}

func TestNoAllocations(t *testing.T) {
	bounds, cur, ref := benchInput()
	var s Scratch
	for _, d := range all() {
		_, _ = Compute(d, bounds, cur, ref, &s)
		allocs := testing.AllocsPerRun(100, func() { _, _ = Compute(d, bounds, cur, ref, &s) })
		assert.Zero(t, allocs, d)
	}
	var ch, rh Hist
	require.NoError(t, ch.AddExplicit([]float64{1, 2, 3, 4}, []uint64{1, 2, 3, 4, 5}, 15))
	require.NoError(t, rh.AddExplicit([]float64{2, 4}, []uint64{3, 7, 5}, 15))
	_, _ = Compare(PSI, &ch, &rh, &s)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = Compare(PSI, &ch, &rh, &s) }), "regridded")

	var ce, re Hist
	require.NoError(t, ce.AddExponential(&ExpPoint{Scale: 3, PositiveOffset: 2, Positive: []uint64{1, 2, 3, 4}, ZeroCount: 1, Count: 11}))
	require.NoError(t, re.AddExponential(&ExpPoint{Scale: 2, PositiveOffset: 0, Positive: []uint64{4, 3, 2}, NegativeOffset: 1, Negative: []uint64{1}, Count: 10}))
	_, _ = Compare(JensenShannon, &ce, &re, &s)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = Compare(JensenShannon, &ce, &re, &s) }), "exponential")

	// A full window takes a point (one leaves) without allocating.
	w := NewWindow(4, 0)
	tm := int64(0)
	add := func() {
		tm++
		_ = w.AddExplicit(tm, []float64{1, 2, 3, 4}, []uint64{1, 2, 3, 4, 5}, 15)
	}
	for range 8 {
		add()
	}
	assert.Zero(t, testing.AllocsPerRun(100, add), "window")
}
