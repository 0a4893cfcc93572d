package drift

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCoarser(t *testing.T) {
	fine := []float64{1, 2, 3, 4}
	got, err := Coarser(fine, []float64{2, 4})
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 4}, got)
	got, err = Coarser([]float64{1, 3}, fine)
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 3}, got)
	got, err = Coarser(fine, fine)
	require.NoError(t, err)
	assert.Equal(t, fine, got)
	got, err = Coarser(nil, fine)
	require.NoError(t, err)
	assert.Empty(t, got)
	_, err = Coarser([]float64{1, 2.5}, fine)
	require.ErrorIs(t, err, ErrIncompatibleBounds)
	_, err = Coarser([]float64{1, 5}, fine)
	require.ErrorIs(t, err, ErrIncompatibleBounds)
}

func TestCheckPoint(t *testing.T) {
	ok := []float64{1, 2}
	cases := map[string]struct {
		bounds []float64
		counts []uint64
		count  uint64
		want   error
	}{
		"valid":     {ok, []uint64{1, 2, 3}, 6, nil},
		"nan bound": {[]float64{1, math.NaN()}, []uint64{1, 2, 3}, 6, ErrBounds},
		"inf bound": {[]float64{1, math.Inf(1)}, []uint64{1, 2, 3}, 6, ErrBounds},
		"unsorted":  {[]float64{2, 1}, []uint64{1, 2, 3}, 6, ErrBounds},
		"repeated":  {[]float64{1, 1}, []uint64{1, 2, 3}, 6, ErrBounds},
		"too many":  {make([]float64, 10_000), make([]uint64, 10_001), 0, ErrBounds},
		"shape":     {ok, []uint64{1, 2}, 3, ErrShape},
		"sum":       {ok, []uint64{1, 2, 3}, 7, ErrCountMismatch},
		"overflow":  {ok, []uint64{math.MaxUint64, 2, 0}, 1, ErrCountMismatch},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := CheckPoint(c.bounds, c.counts, c.count)
			if c.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.want)
		})
	}
}

// Points on nested grids land on the coarsest: a finer point is summed onto
// the histogram's grid, a coarser one coarsens the histogram, and removing
// the points again leaves the coarse grid empty.
func TestHistNestedGrids(t *testing.T) {
	var h Hist
	require.NoError(t, h.AddExplicit([]float64{1, 2, 3, 4}, []uint64{1, 2, 3, 4, 5}, 15))
	require.NoError(t, h.AddExplicit([]float64{1, 2, 3, 4, 5, 6}, []uint64{1, 1, 1, 1, 1, 1, 1}, 7))
	b, c := h.Explicit()
	assert.Equal(t, []float64{1, 2, 3, 4}, b)
	assert.Equal(t, []float64{2, 3, 4, 5, 8}, c)

	require.NoError(t, h.AddExplicit([]float64{2, 4}, []uint64{10, 0, 1}, 11))
	b, c = h.Explicit()
	assert.Equal(t, []float64{2, 4}, b)
	assert.Equal(t, []float64{15, 9, 9}, c)
	assert.Equal(t, 33.0, h.Total())

	require.ErrorIs(t, h.AddExplicit([]float64{3}, []uint64{1, 1}, 2), ErrIncompatibleBounds)
	require.ErrorIs(t, h.AddExplicit([]float64{2, 4}, []uint64{1, 1, 1}, 4), ErrCountMismatch)
	assert.Equal(t, 33.0, h.Total(), "refused points change nothing")

	require.NoError(t, h.SubExplicit([]float64{1, 2, 3, 4}, []uint64{1, 2, 3, 4, 5}, 15))
	require.NoError(t, h.SubExplicit([]float64{1, 2, 3, 4, 5, 6}, []uint64{1, 1, 1, 1, 1, 1, 1}, 7))
	require.ErrorIs(t, h.SubExplicit([]float64{2, 4}, []uint64{11, 0, 0}, 11), ErrNotAdded)
	require.NoError(t, h.SubExplicit([]float64{2, 4}, []uint64{10, 0, 1}, 11))
	assert.Equal(t, 0.0, h.Total())
	require.ErrorIs(t, h.AddExponential(&ExpPoint{Count: 0}), ErrLayout)
}

// Comparing on a common coarser grid is comparing the pre-summed counts.
func TestCompareRegrids(t *testing.T) {
	var fine, coarse, summed Hist
	require.NoError(t, fine.AddExplicit([]float64{1, 2, 3, 4}, []uint64{5, 1, 7, 2, 9}, 24))
	require.NoError(t, coarse.AddExplicit([]float64{2, 4}, []uint64{3, 3, 3}, 9))
	require.NoError(t, summed.AddExplicit([]float64{2, 4}, []uint64{6, 9, 9}, 24))
	var s Scratch
	for _, d := range all() {
		got, err := Compare(d, &fine, &coarse, &s)
		require.NoError(t, err, d)
		want, err := Compare(d, &summed, &coarse, &s)
		require.NoError(t, err, d)
		assert.InDelta(t, want.Value, got.Value, 1e-12, d)
		// And in the other direction.
		got, err = Compare(d, &coarse, &fine, &s)
		require.NoError(t, err, d)
		want, err = Compare(d, &coarse, &summed, &s)
		require.NoError(t, err, d)
		assert.InDelta(t, want.Value, got.Value, 1e-12, d)
	}
	var other Hist
	require.NoError(t, other.AddExplicit([]float64{2.5}, []uint64{1, 1}, 2))
	_, err := Compare(PSI, &fine, &other, &s)
	require.ErrorIs(t, err, ErrIncompatibleBounds)
	var empty Hist
	_, err = Compare(PSI, &fine, &empty, &s)
	require.ErrorIs(t, err, ErrEmpty)
}

func TestPinned(t *testing.T) {
	h, err := PinnedReference(DistributionConfig{Bounds: []float64{10, 20, 30, 40}, Proportions: []float64{0.1, 0.2, 0.4, 0.2, 0.1}})
	require.NoError(t, err)
	var cur Hist
	require.NoError(t, cur.AddExplicit([]float64{10, 20, 30, 40}, []uint64{10, 20, 40, 20, 10}, 100))
	var s Scratch
	r, err := Compare(PSI, &cur, h, &s)
	require.NoError(t, err)
	assert.InDelta(t, 0, r.Value, 1e-12)

	for name, d := range map[string]DistributionConfig{
		"sum":      {Bounds: []float64{1}, Proportions: []float64{0.5, 0.4}},
		"count":    {Bounds: []float64{1}, Proportions: []float64{1}},
		"negative": {Bounds: []float64{1}, Proportions: []float64{1.5, -0.5}},
		"nan":      {Bounds: []float64{1}, Proportions: []float64{math.NaN(), 1}},
		"unsorted": {Bounds: []float64{2, 1}, Proportions: []float64{0.5, 0.5, 0}},
		"inf":      {Bounds: []float64{math.Inf(1)}, Proportions: []float64{0.5, 0.5}},
	} {
		_, err := PinnedReference(d)
		assert.Error(t, err, name)
	}
	// Within 1e-9 of 1 is accepted (decimal fractions written by hand).
	_, err = PinnedReference(DistributionConfig{Bounds: []float64{1, 2}, Proportions: []float64{0.1, 0.2, 0.7000000001}})
	require.NoError(t, err)
	_, err = PinnedReference(DistributionConfig{Bounds: []float64{1, 2}, Proportions: []float64{0.1, 0.2, 0.700001}})
	require.Error(t, err)
}
