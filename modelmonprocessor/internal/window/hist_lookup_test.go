package window

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestHistAddChecksBoundsOnce: bounds equal to a stored set skip the checks
// they already passed, while other bounds are still checked and refused
// when malformed, whatever sets the window holds.
func TestHistAddChecksBoundsOnce(t *testing.T) {
	counts := []uint64{1, 1, 1, 1}
	tests := []struct {
		name   string
		bounds []float64
		scale  float64
		ok     bool
	}{
		{"the stored set", []float64{1, 2, 3}, 1000, true},
		{"the stored set, unscaled", []float64{1000, 2000, 3000}, 1, true},
		{"NaN bound", []float64{1, math.NaN(), 3}, 1000, false},
		{"not increasing", []float64{1, 3, 2}, 1000, false},
		{"infinite bound", []float64{1, 2, math.Inf(1)}, 1, false},
		{"overflows once scaled", []float64{1e306, 1e307, 1e308}, 1000, false},
		{"new valid set", []float64{1, 2, 4}, 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHist(4, time.Minute)
			assert.True(t, h.Add(base, []float64{1, 2, 3}, counts, 4, 4, 1000))
			assert.Equal(t, tt.ok, h.Add(base+sec, tt.bounds, counts, 4, 4, tt.scale))
			want := 1
			if tt.ok {
				want = 2
			}
			assert.Equal(t, want, h.Len())
		})
	}
}
