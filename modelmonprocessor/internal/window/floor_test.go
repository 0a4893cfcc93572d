package window

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFloorAdmit(t *testing.T) {
	const maxAge = int64(5 * time.Minute)
	minute := int64(time.Minute)
	tests := []struct {
		name  string
		times []int64
		want  []bool
	}{
		{"in order", []int64{0, minute, 2 * minute}, []bool{true, true, true}},
		{"older but inside the age", []int64{10 * minute, 6 * minute, 5 * minute}, []bool{true, true, true}},
		{"older than the newest minus the age", []int64{10 * minute, 5*minute - 1}, []bool{true, false}},
		{"an older admitted time does not lower the floor", []int64{10 * minute, 6 * minute, 5*minute - 1}, []bool{true, true, false}},
		{"extreme times saturate", []int64{math.MinInt64, math.MaxInt64, math.MaxInt64 - maxAge}, []bool{true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Floor
			for i, at := range tt.times {
				assert.Equal(t, tt.want[i], f.Admit(at, maxAge), "time %d", i)
			}
		})
	}
}

// TestFloorMatchesWindowByAge checks that a Floor refuses exactly what a
// window refuses as late while the window is never full by count.
func TestFloorMatchesWindowByAge(t *testing.T) {
	const n = 5000
	maxAge := int64(time.Minute)
	rng := rand.New(rand.NewPCG(7, 11))
	w := New(n+1, time.Duration(maxAge))
	var f Floor
	now := int64(0)
	for i := 0; i < n; i++ {
		now += rng.Int64N(int64(10 * time.Second))
		at := now - rng.Int64N(2*maxAge)
		assert.Equal(t, w.Add(at, 1), f.Admit(at, maxAge), "sample %d", i)
	}
}
