package drift

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sum(c []uint64) uint64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return n
}

// The same observations recorded at scale 3 and at scale 1 are the same
// distribution once merged at scale 1: downscaling sums 2^(3−1) buckets.
func TestExponentialDownscale(t *testing.T) {
	fine := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	var a, b Hist
	require.NoError(t, a.AddExponential(&ExpPoint{Scale: 3, PositiveOffset: 4, Positive: fine, ZeroCount: 2,
		NegativeOffset: -3, Negative: []uint64{1, 1, 1, 1}, Count: sum(fine) + 2 + 4}))
	// Index i at scale 3 is index i>>2 at scale 1: 4..7 → 1, 8..11 → 2;
	// negative −3..0 → −1 (−3, −2, −1 → −1) and 0.
	require.NoError(t, b.AddExponential(&ExpPoint{Scale: 1, PositiveOffset: 1, Positive: []uint64{10, 26}, ZeroCount: 2,
		NegativeOffset: -1, Negative: []uint64{3, 1}, Count: 36 + 2 + 4}))
	var s Scratch
	for _, d := range all() {
		r, err := Compare(d, &a, &b, &s)
		require.NoError(t, err, d)
		assert.InDelta(t, 0, r.Value, 1e-12, d)
	}
	// Merging both into one histogram takes the smaller scale.
	require.NoError(t, a.AddExponential(&ExpPoint{Scale: 1, PositiveOffset: 1, Positive: []uint64{10, 26}, ZeroCount: 2,
		NegativeOffset: -1, Negative: []uint64{3, 1}, Count: 42}))
	assert.Equal(t, int32(1), a.exp.Scale())
	assert.Equal(t, 84.0, a.Total())
	r, err := Compare(LInf, &a, &b, &s)
	require.NoError(t, err)
	assert.InDelta(t, 0, r.Value, 1e-12)
}

// The explicit view: negative buckets, the zero bucket, positive buckets,
// with their bounds at powers of the base.
func TestExponentialExplicitView(t *testing.T) {
	var cur, ref Hist
	require.NoError(t, cur.AddExponential(&ExpPoint{Scale: 0, ZeroCount: 1, PositiveOffset: 0, Positive: []uint64{2, 3},
		NegativeOffset: 1, Negative: []uint64{4}, Count: 10}))
	require.NoError(t, ref.AddExponential(&ExpPoint{Scale: 0, PositiveOffset: 1, Positive: []uint64{5}, Count: 5}))
	var s Scratch
	bounds, cw, rw, err := s.alignExp(&cur.exp, &ref.exp)
	require.NoError(t, err)
	// neg index 1 covers (−4, −2]; zero; pos 0 (1, 2], pos 1 (2, 4].
	assert.Equal(t, []float64{-4, -2, 1, 2, 4}, bounds)
	assert.Equal(t, []float64{0, 4, 1, 2, 3, 0}, cw)
	assert.Equal(t, []float64{0, 0, 0, 0, 5, 0}, rw)

	r, err := Compare(LInf, &cur, &ref, &s)
	require.NoError(t, err)
	assert.InDelta(t, 0.7, r.Value, 1e-12) // (2, 4]: 0.3 vs 1
	assert.Equal(t, 2.0, r.Top[0].Lower)
	assert.Equal(t, 4.0, r.Top[0].Upper)
}

func TestExponentialWideSpanDownscales(t *testing.T) {
	var h Hist
	require.NoError(t, h.AddExponential(&ExpPoint{Scale: 20, PositiveOffset: 0, Positive: []uint64{1}, Count: 1}))
	require.NoError(t, h.AddExponential(&ExpPoint{Scale: 20, PositiveOffset: 1 << 20, Positive: []uint64{1}, Count: 1}))
	lo, hi := h.exp.pos.span(0)
	assert.Less(t, hi-lo, int64(MaxExpBuckets))
	assert.Less(t, h.exp.Scale(), int32(20))
	assert.Equal(t, 2.0, h.Total())
}

func TestExponentialInvalid(t *testing.T) {
	cases := map[string]ExpPoint{
		"scale":     {Scale: 21, Count: 0},
		"low scale": {Scale: -11, Count: 0},
		"count":     {Scale: 0, Positive: []uint64{1, 2}, Count: 4},
		"overflow":  {Scale: 0, Positive: []uint64{math.MaxUint64, 2}, Count: 1},
		"offset":    {Scale: 0, PositiveOffset: math.MaxInt32, Positive: []uint64{1, 1}, Count: 2},
		"too many":  {Scale: 0, Positive: make([]uint64, 10_000), Count: 0},
	}
	for name, p := range cases {
		var h Hist
		assert.Error(t, h.AddExponential(&p), name)
		assert.Equal(t, 0.0, h.Total(), name)
	}
	var h Hist
	p := ExpPoint{Scale: 2, PositiveOffset: 3, Positive: []uint64{1, 2}, Count: 3}
	require.NoError(t, h.AddExponential(&p))
	require.ErrorIs(t, h.AddExplicit([]float64{1}, []uint64{1, 1}, 2), ErrLayout)
	require.ErrorIs(t, h.SubExponential(&ExpPoint{Scale: 2, PositiveOffset: 3, Positive: []uint64{2}, Count: 2}), ErrNotAdded)
	require.NoError(t, h.SubExponential(&p))
	assert.Equal(t, 0.0, h.Total())
}

func TestExpBase(t *testing.T) {
	assert.Equal(t, 8.0, expBase(3, 0))
	assert.Equal(t, 256.0, expBase(2, -2))
	assert.Equal(t, 2.0, expBase(4, 2))
	assert.InDelta(t, math.Sqrt2, expBase(1, 1), 1e-15)
	assert.Equal(t, 0.5, expBase(-2, 1))
}

// A Scratch reused across exponential layouts rebuilds the bounds when the
// layout changes and gives what a fresh one gives.
func TestExponentialScratchReuse(t *testing.T) {
	var a, b, c Hist
	require.NoError(t, a.AddExponential(&ExpPoint{Scale: 2, PositiveOffset: 0, Positive: []uint64{1, 2, 3}, Count: 6}))
	require.NoError(t, b.AddExponential(&ExpPoint{Scale: 2, PositiveOffset: 1, Positive: []uint64{3, 2, 1}, Count: 6}))
	require.NoError(t, c.AddExponential(&ExpPoint{Scale: 1, PositiveOffset: 5, Positive: []uint64{4}, NegativeOffset: 0, Negative: []uint64{2}, Count: 6}))
	var shared Scratch
	for _, pair := range [][2]*Hist{{&a, &b}, {&a, &c}, {&b, &c}, {&a, &b}} {
		for _, d := range all() {
			got, err := Compare(d, pair[0], pair[1], &shared)
			require.NoError(t, err)
			var fresh Scratch
			want, err := Compare(d, pair[0], pair[1], &fresh)
			require.NoError(t, err)
			assert.Equal(t, want, got, d)
		}
	}
}
