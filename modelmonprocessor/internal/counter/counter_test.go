package counter

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestObserveIncrements(t *testing.T) {
	type obs struct {
		key, start uint64
		v          float64
		fresh      bool
		inc        float64
		out        Outcome
	}
	tests := []struct {
		name string
		seq  []obs
	}{
		{"first point is a baseline", []obs{{1, 0, 100, false, 0, Baseline}, {1, 0, 110, false, 10, Increment}}},
		{"fresh first point counts whole", []obs{{1, 5, 7, true, 7, Increment}, {1, 5, 9, false, 2, Increment}}},
		{"value drop is a reset", []obs{{1, 0, 100, false, 0, Baseline}, {1, 0, 3, false, 3, Increment}, {1, 0, 4, false, 1, Increment}}},
		{"new start time is a reset", []obs{{1, 10, 100, false, 0, Baseline}, {1, 20, 150, false, 150, Increment}}},
		{"streams are separate", []obs{{1, 0, 100, false, 0, Baseline}, {2, 0, 5, false, 0, Baseline}, {1, 0, 101, false, 1, Increment}, {2, 0, 9, false, 4, Increment}}},
		{"invalid keeps previous", []obs{{1, 0, 10, false, 0, Baseline}, {1, 0, math.NaN(), false, 0, Invalid}, {1, 0, -5, false, 0, Invalid}, {1, 0, math.Inf(1), false, 0, Invalid}, {1, 0, 12, false, 2, Increment}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(8)
			for i, o := range tt.seq {
				inc, out := s.Observe(o.key, o.start, o.v, o.fresh)
				assert.Equal(t, o.out, out, "step %d", i)
				assert.Equal(t, o.inc, inc, "step %d", i)
			}
		})
	}
}

func TestStreamsBounded(t *testing.T) {
	s := New(100)
	refused := 0
	for k := uint64(0); k < 10000; k++ {
		if _, out := s.Observe(k, 0, 1, false); out == Refused {
			refused++
		}
	}
	assert.Equal(t, 100, s.Len())
	assert.Equal(t, 9900, refused)
	_, out := s.Observe(5, 0, 2, false)
	assert.Equal(t, Increment, out, "known streams still count when full")
	s.Reset()
	assert.Zero(t, s.Len())
}

func TestObserveKnownStreamDoesNotAllocate(t *testing.T) {
	s := New(16)
	for k := uint64(0); k < 8; k++ {
		s.Observe(k, 0, 0, false)
	}
	v := 0.0
	allocs := testing.AllocsPerRun(1000, func() {
		v++
		for k := uint64(0); k < 8; k++ {
			s.Observe(k, 0, v, false)
		}
	})
	assert.Zero(t, allocs)
}
