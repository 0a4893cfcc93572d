package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSharesOnTheComparedGrid(t *testing.T) {
	var cur, ref Hist
	// The window on a finer grid than the reference: both on the coarser.
	require.NoError(t, cur.AddExplicit([]float64{10, 15, 20, 30}, []uint64{1, 1, 2, 4, 2}, 10))
	require.NoError(t, ref.AddExplicit([]float64{10, 20, 30}, []uint64{5, 5, 5, 5}, 20))
	bounds, c, r, err := Shares(&cur, &ref)
	require.NoError(t, err)
	assert.Equal(t, []float64{10, 20, 30}, bounds)
	assert.InDeltaSlice(t, []float64{0.1, 0.3, 0.4, 0.2}, c, 1e-12)
	assert.InDeltaSlice(t, []float64{0.25, 0.25, 0.25, 0.25}, r, 1e-12)

	// The shares give the distance Compare gives.
	var s Scratch
	want, err := Compare(JensenShannon, &cur, &ref, &s)
	require.NoError(t, err)
	got, err := Compute(JensenShannon, bounds, c, r, &s)
	require.NoError(t, err)
	assert.InDelta(t, want.Value, got.Value, 1e-12)

	bounds[0], c[0] = 99, 99
	again, _, _, err := Shares(&cur, &ref)
	require.NoError(t, err)
	assert.Equal(t, 10.0, again[0], "the result shares no memory with the histograms")

	_, _, _, err = Shares(&cur, &Hist{})
	assert.ErrorIs(t, err, ErrEmpty)
	var other Hist
	require.NoError(t, other.AddExplicit([]float64{11, 21}, []uint64{1, 1, 1}, 3))
	_, _, _, err = Shares(&cur, &other)
	assert.ErrorIs(t, err, ErrIncompatibleBounds)
}
