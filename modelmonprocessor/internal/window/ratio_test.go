package window

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRatioSharesOverWindow(t *testing.T) {
	sec := int64(time.Second)
	tests := []struct {
		name    string
		size    int
		age     time.Duration
		adds    [][3]float64 // t (s), num, den
		want    float64
		wantDen float64
		wantOK  bool
		wantLen int
	}{
		{name: "empty", size: 4, age: time.Minute, wantOK: false},
		{name: "one scrape", size: 4, age: time.Minute, adds: [][3]float64{{1, 1, 10}}, want: 0.1, wantDen: 10, wantOK: true, wantLen: 1},
		{name: "same time merges", size: 4, age: time.Minute, adds: [][3]float64{{1, 1, 10}, {1, 0, 10}, {1, 1, 0}}, want: 0.1, wantDen: 20, wantOK: true, wantLen: 1},
		{name: "count bound drops oldest", size: 2, age: time.Minute, adds: [][3]float64{{1, 10, 10}, {2, 0, 10}, {3, 0, 10}}, want: 0, wantDen: 20, wantOK: true, wantLen: 2},
		{name: "age bound drops old", size: 8, age: 10 * time.Second, adds: [][3]float64{{1, 10, 10}, {5, 1, 10}, {20, 1, 10}}, want: 0.1, wantDen: 10, wantOK: true, wantLen: 1},
		{name: "late joins entry at or before", size: 8, age: time.Minute, adds: [][3]float64{{1, 0, 10}, {5, 0, 10}, {3, 5, 5}}, want: 0.2, wantDen: 25, wantOK: true, wantLen: 2},
		{name: "zero denominator", size: 4, age: time.Minute, adds: [][3]float64{{1, 3, 0}}, wantDen: 0, wantOK: false, wantLen: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRatio(tt.size, tt.age)
			for _, a := range tt.adds {
				require.True(t, r.Add(int64(a[0])*sec, a[1], a[2]))
			}
			v, den, ok := r.Value()
			assert.Equal(t, tt.wantOK, ok)
			assert.InDelta(t, tt.want, v, 1e-12)
			assert.InDelta(t, tt.wantDen, den, 1e-12)
			assert.Equal(t, tt.wantLen, r.Len())
		})
	}
}

func TestRatioRefusesLateAndInvalid(t *testing.T) {
	r := NewRatio(8, 10*time.Second)
	require.True(t, r.Add(int64(100*time.Second), 1, 1))
	assert.False(t, r.Add(int64(80*time.Second), 1, 1), "older than maxAge behind newest")
	for _, bad := range []float64{math.NaN(), math.Inf(1), -1} {
		assert.False(t, r.Add(int64(101*time.Second), bad, 1))
		assert.False(t, r.Add(int64(101*time.Second), 1, bad))
	}
	num, den := r.Sums()
	assert.Equal(t, [2]float64{1, 1}, [2]float64{num, den})
	r.Expire(int64(200 * time.Second))
	assert.Equal(t, 0, r.Len())
	assert.Equal(t, int64(0), r.Start())
	r.Reset()
	assert.True(t, r.Add(int64(time.Second), 1, 2))
}

func TestRatioAddDoesNotAllocate(t *testing.T) {
	r := NewRatio(128, time.Minute)
	var ts int64
	allocs := testing.AllocsPerRun(1000, func() {
		ts += int64(time.Second)
		r.Add(ts, 1, 10)
		r.Add(ts, 0, 10)
		_, _, _ = r.Value()
	})
	assert.Zero(t, allocs)
}

func BenchmarkRatioAdd(b *testing.B) {
	r := NewRatio(128, time.Minute)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Add(int64(i/4)*int64(time.Second), 1, 10)
	}
}

// TestRatioRunningSumsStayExact: totals kept running while entries come
// and go equal the sum of the entries held.
func TestRatioRunningSumsStayExact(t *testing.T) {
	r := NewRatio(16, time.Hour)
	for i := 1; i <= 1000; i++ {
		require.True(t, r.Add(int64(i)*int64(time.Second), 0.1*float64(i%7), 0.3*float64(i%5)+0.01))
		num, den := r.Sums()
		var wn, wd float64
		for j := 0; j < r.Len(); j++ {
			wn += r.at(j).num
			wd += r.at(j).den
		}
		require.InDelta(t, wn, num, 1e-9)
		require.InDelta(t, wd, den, 1e-9)
	}
}
