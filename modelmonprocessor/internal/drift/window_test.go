package drift

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sec = int64(time.Second)

func counts(t *testing.T, w *Window) []float64 {
	t.Helper()
	_, c := w.Hist().Explicit()
	return c
}

func TestWindowSlidesByCountAndAge(t *testing.T) {
	w := NewWindow(2, time.Minute)
	b := []float64{1, 2}
	require.NoError(t, w.AddExplicit(10*sec, b, []uint64{1, 0, 0}, 1))
	require.NoError(t, w.AddExplicit(20*sec, b, []uint64{0, 2, 0}, 2))
	require.NoError(t, w.AddExplicit(30*sec, b, []uint64{0, 0, 3}, 3))
	assert.Equal(t, 2, w.Len())
	assert.Equal(t, []float64{0, 2, 3}, counts(t, w))
	assert.Equal(t, 20*sec, w.Start())
	assert.Equal(t, 30*sec, w.End())

	// Full by count: a point older than the oldest is late; one between
	// the two is kept in order and drops the oldest.
	require.ErrorIs(t, w.AddExplicit(15*sec, b, []uint64{9, 0, 0}, 9), ErrLate)
	require.NoError(t, w.AddExplicit(25*sec, b, []uint64{4, 0, 0}, 4))
	assert.Equal(t, []float64{4, 0, 3}, counts(t, w))
	assert.Equal(t, 25*sec, w.Start())

	// By age: a newer point pushes out what is older than a minute.
	require.NoError(t, w.AddExplicit(91*sec, b, []uint64{0, 5, 0}, 5))
	assert.Equal(t, 1, w.Len())
	assert.Equal(t, []float64{0, 5, 0}, counts(t, w))
	require.ErrorIs(t, w.AddExplicit(29*sec, b, []uint64{1, 0, 0}, 1), ErrLate)

	w.Expire(200 * sec)
	assert.Equal(t, 0, w.Len())
	assert.Equal(t, 0.0, w.Hist().Total())

	// Invalid points are refused and change nothing.
	require.ErrorIs(t, w.AddExplicit(300*sec, b, []uint64{1, 0, 0}, 2), ErrCountMismatch)
	assert.Equal(t, 0, w.Len())
	w.Reset()
	require.NoError(t, w.AddExplicit(1*sec, b, []uint64{1, 0, 0}, 1))
	assert.Positive(t, w.MemSize())
}

// A window of one point: the new point replaces the old one in the sum.
func TestWindowOfOne(t *testing.T) {
	w := NewWindow(1, time.Hour)
	b := []float64{1}
	require.NoError(t, w.AddExplicit(1*sec, b, []uint64{1, 0}, 1))
	require.NoError(t, w.AddExplicit(2*sec, b, []uint64{0, 3}, 3))
	assert.Equal(t, []float64{0, 3}, counts(t, w))
	// A series that changes layout waits until its old points have left.
	require.ErrorIs(t, w.AddExponential(3*sec, &ExpPoint{Scale: 0, Positive: []uint64{2}, Count: 2}), ErrLayout)
	assert.Equal(t, []float64{0, 3}, counts(t, w))
	w.Expire(int64(2 * time.Hour))
	require.NoError(t, w.AddExponential(int64(3*time.Hour), &ExpPoint{Scale: 0, Positive: []uint64{2}, Count: 2}))
	assert.Equal(t, 2.0, w.Hist().Total())
	assert.True(t, w.Hist().Exponential())
}

func TestWindowNestedGrids(t *testing.T) {
	w := NewWindow(2, time.Hour)
	require.NoError(t, w.AddExplicit(1*sec, []float64{1, 2, 3, 4}, []uint64{1, 1, 1, 1, 1}, 5))
	require.NoError(t, w.AddExplicit(2*sec, []float64{2, 4}, []uint64{1, 1, 1}, 3))
	require.ErrorIs(t, w.AddExplicit(3*sec, []float64{3}, []uint64{1, 1}, 2), ErrIncompatibleBounds)
	assert.Equal(t, []float64{3, 3, 2}, counts(t, w))
	// The fine point leaves, summed onto the coarse grid.
	require.NoError(t, w.AddExplicit(3*sec, []float64{2, 4}, []uint64{0, 0, 7}, 7))
	assert.Equal(t, []float64{1, 1, 8}, counts(t, w))
	// Once empty, the window takes a finer grid again.
	w.Expire(int64(3 * time.Hour))
	require.NoError(t, w.AddExplicit(int64(4*time.Hour), []float64{1, 2, 3, 4}, []uint64{1, 1, 1, 1, 1}, 5))
	b, _ := w.Hist().Explicit()
	assert.Equal(t, []float64{1, 2, 3, 4}, b)
}

// The running sum always equals the points in the window added afresh,
// whatever the order, grids and scales the points come with.
func TestWindowSumMatchesPoints(t *testing.T) {
	grids := [][]float64{{1, 2, 3, 4, 5, 6, 7, 8}, {2, 4, 6, 8}, {4, 8}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {3}}
	for _, c := range []struct {
		exp  bool
		size int
	}{{false, 16}, {true, 16}, {false, 1}, {true, 1}, {false, 3}} {
		exp := c.exp
		r := rand.New(rand.NewPCG(7, uint64(c.size)))
		w := NewWindow(c.size, time.Minute)
		var s Scratch
		now := int64(0)
		refused := map[error]int{}
		for i := range 3000 {
			now += int64(r.IntN(8)) * sec
			at := now - int64(r.IntN(20))*sec // some late or out of order
			var err error
			if exp {
				pos := make([]uint64, 1+r.IntN(12))
				neg := make([]uint64, r.IntN(4))
				p := ExpPoint{Scale: int32(r.IntN(6)) - 1, ZeroCount: uint64(r.IntN(3)), PositiveOffset: int32(r.IntN(20)) - 10,
					NegativeOffset: int32(r.IntN(6)), Positive: pos, Negative: neg}
				for j := range pos {
					pos[j] = uint64(r.IntN(5))
				}
				for j := range neg {
					neg[j] = uint64(r.IntN(5))
				}
				p.Count = p.ZeroCount + sum(pos) + sum(neg)
				err = w.AddExponential(at, &p)
			} else {
				g := grids[r.IntN(len(grids))]
				c := make([]uint64, len(g)+1)
				for j := range c {
					c[j] = uint64(r.IntN(5))
				}
				err = w.AddExplicit(at, g, c, sum(c))
			}
			if err != nil {
				require.True(t, errors.Is(err, ErrLate) || errors.Is(err, ErrIncompatibleBounds), "%v", err)
				refused[err]++
			}
			if r.IntN(50) == 0 {
				w.Expire(now + int64(r.IntN(90))*sec)
			}
			var fresh Hist
			for k := 0; k < w.Len(); k++ {
				p := w.at(k)
				if p.exp {
					require.NoError(t, fresh.AddExponential(&ExpPoint{Scale: p.scale, ZeroCount: p.zero, PositiveOffset: p.posOff,
						Positive: p.counts, NegativeOffset: p.negOff, Negative: p.neg, Count: p.count}))
				} else {
					require.NoError(t, fresh.AddExplicit(p.bounds, p.counts, p.count))
				}
				if k > 0 {
					require.LessOrEqual(t, w.at(k-1).t, p.t, "time order")
				}
			}
			require.Equal(t, fresh.Total(), w.Hist().Total(), "step %d", i)
			if fresh.Total() > 0 {
				for _, d := range []Distance{LInf, KS} {
					got, err := Compare(d, w.Hist(), &fresh, &s)
					require.NoError(t, err)
					require.InDelta(t, 0, got.Value, 1e-12, "step %d", i)
				}
			}
		}
		assert.Positive(t, refused[ErrLate], "late points exercised")
		if !exp && c.size > 1 {
			assert.Positive(t, refused[ErrIncompatibleBounds], "incompatible grids exercised")
		}
	}
}
