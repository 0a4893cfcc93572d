package strategy

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// every builds each adaptive strategy at its defaults, in every direction.
func every(t *testing.T, fn func(t *testing.T, name string, d Detector)) {
	for _, name := range []string{Baseline, EWMA, PageHinkley, CUSUM} {
		for _, dir := range []Direction{Below, Above, Both} {
			t.Run(name+"/"+dir.String(), func(t *testing.T) {
				d, err := New(name, &Config{}, dir, 0)
				require.NoError(t, err)
				fn(t, name, d)
			})
		}
	}
}

// wild alternates huge swings, so anything that could fire would.
func wild(i int) float64 { return float64(i%2)*1e6 - 5e5 + float64(i) }

func TestWarmupNeverFires(t *testing.T) {
	every(t, func(t *testing.T, _ string, d Detector) {
		t0 := time.Unix(0, 0)
		for i := range 30 {
			got := d.Observe(Input{Value: wild(i), Time: t0.Add(time.Duration(i) * time.Second)})
			require.False(t, got.Ready, "sample %d", i)
			require.False(t, got.Breach, "sample %d", i)
		}
		got := d.Observe(Input{Value: 1, Time: t0.Add(30 * time.Second)})
		assert.True(t, got.Ready, "sample 31 is the first one tested")
	})
}

func TestResetForgetsEverything(t *testing.T) {
	every(t, func(t *testing.T, _ string, d Detector) {
		t0 := time.Unix(0, 0)
		feed := func() []Result {
			var out []Result
			for i := range 40 {
				out = append(out, d.Observe(Input{Value: 10 + math.Sin(float64(i)), Time: t0.Add(time.Duration(i) * time.Second)}))
			}
			out = append(out, d.Observe(Input{Value: -100, Time: t0.Add(40 * time.Second)}))
			return out
		}
		first := feed()
		d.Reset()
		assert.Equal(t, first, feed(), "a reset detector behaves like a new one")
	})
}

func TestNonFiniteIsIgnored(t *testing.T) {
	every(t, func(t *testing.T, _ string, d Detector) {
		t0 := time.Unix(0, 0)
		for i := range 30 {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				got := d.Observe(Input{Value: bad, Time: t0})
				require.Equal(t, Result{Invalid: true}, got)
			}
			d.Observe(Input{Value: float64(i % 3), Time: t0.Add(time.Duration(i) * time.Second)})
		}
		// 30 finite samples complete the warm-up; the bad ones did not count.
		assert.True(t, d.Observe(Input{Value: 1, Time: t0.Add(31 * time.Second)}).Ready)
	})
}

func TestConstantWarmupStaysFinite(t *testing.T) {
	every(t, func(t *testing.T, _ string, d Detector) {
		t0 := time.Unix(0, 0)
		for i := range 30 {
			d.Observe(Input{Value: 0.97, Time: t0.Add(time.Duration(i) * time.Second)})
		}
		got := d.Observe(Input{Value: 0.97, Time: t0.Add(31 * time.Second)})
		assert.False(t, got.Breach, "an unchanged value never breaches")
		for _, v := range []float64{got.Observed, got.Threshold, got.BaselineMean, got.BaselineStddev} {
			assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%v", got)
		}
	})
}

func TestObserveDoesNotAllocate(t *testing.T) {
	every(t, func(t *testing.T, _ string, d Detector) {
		t0 := time.Unix(0, 0)
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			i++
			d.Observe(Input{Value: math.Sin(float64(i)), Time: t0.Add(time.Duration(i) * time.Minute)})
		})
		assert.Zero(t, allocs)
	})
}

func TestMemSize(t *testing.T) {
	every(t, func(t *testing.T, name string, d Detector) {
		size := MemSize(d)
		assert.Positive(t, size)
		// The rolling baseline carries its bucket ring; the others a few words.
		limit := 128
		if name == Baseline {
			limit = 512
		}
		assert.LessOrEqual(t, size, limit)
	})
	assert.Positive(t, MemSize(NewStatic(Below, 1)))
}
