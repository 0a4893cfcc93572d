package window

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendSamplesInTimeOrder(t *testing.T) {
	w := New(3, time.Hour)
	for i, v := range []float64{1, 2, 3, 4} {
		require.True(t, w.Add(int64(10+i), v))
	}
	require.True(t, w.Add(11, 9)) // late but inside: placed in order, the oldest drops
	ts, vs := w.AppendSamples(nil, nil)
	assert.Equal(t, []int64{12, 13}, ts[1:])
	assert.Len(t, ts, 3)
	assert.Equal(t, []float64{3, 4}, vs[1:])
	agg, _ := w.Aggregate(Count)
	assert.Equal(t, 3.0, agg, "reading changes nothing")
}

func TestEachPointQuantiles(t *testing.T) {
	h := NewHist(8, time.Hour)
	require.True(t, h.Add(2, []float64{0.1, 0.2}, []uint64{0, 4, 0}, 0.6, 4, 1000))
	require.True(t, h.Add(1, []float64{0.1, 0.2}, []uint64{2, 0, 0}, 0.1, 2, 1000))
	require.True(t, h.Add(3, []float64{0.1, 0.2}, []uint64{0, 0, 0}, 0, 0, 1000))
	var got [][3]float64
	var times []int64
	h.EachPointQuantiles([]float64{0.5, 0.99}, func(t int64, q []float64, ok bool) {
		times = append(times, t)
		if ok {
			got = append(got, [3]float64{float64(t), q[0], q[1]})
		}
	})
	assert.Equal(t, []int64{1, 2, 3}, times)
	require.Len(t, got, 2, "the empty point has no quantiles")
	assert.InDelta(t, 50, got[0][1], 1e-9)
	assert.InDelta(t, 150, got[1][1], 1e-9)
	assert.InDelta(t, 199, got[1][2], 1e-9)
}
