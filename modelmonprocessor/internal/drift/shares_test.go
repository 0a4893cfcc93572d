package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlignOnTheComparedGrid(t *testing.T) {
	var cur, ref Hist
	// The window on a finer grid than the reference: both on the coarser.
	require.NoError(t, cur.AddExplicit([]float64{10, 15, 20, 30}, []uint64{1, 1, 2, 4, 2}, 10))
	require.NoError(t, ref.AddExplicit([]float64{10, 20, 30}, []uint64{5, 5, 5, 5}, 20))
	var s Scratch
	bounds, c, r, err := s.Align(&cur, &ref)
	require.NoError(t, err)
	assert.Equal(t, []float64{10, 20, 30}, bounds)
	assert.Equal(t, []float64{1, 3, 4, 2}, c)
	assert.Equal(t, []float64{5, 5, 5, 5}, r)

	// The aligned counts give the distance Compare gives.
	p, q := append([]float64(nil), c...), append([]float64(nil), r...)
	var s2 Scratch
	want, err := Compare(JensenShannon, &cur, &ref, &s2)
	require.NoError(t, err)
	got, err := Compute(JensenShannon, bounds, p, q, &s2)
	require.NoError(t, err)
	assert.InDelta(t, want.Value, got.Value, 1e-12)

	allocs := testing.AllocsPerRun(100, func() { _, _, _, _ = s.Align(&cur, &ref) })
	assert.Zero(t, allocs, "a reused Scratch allocates nothing")

	_, _, _, err = s.Align(&cur, &Hist{})
	assert.ErrorIs(t, err, ErrEmpty)
	var other Hist
	require.NoError(t, other.AddExplicit([]float64{11, 21}, []uint64{1, 1, 1}, 3))
	_, _, _, err = s.Align(&cur, &other)
	assert.ErrorIs(t, err, ErrIncompatibleBounds)
}
