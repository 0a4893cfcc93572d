package cumulative

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDelta(t *testing.T) {
	tests := []struct {
		name      string
		prevStart uint64
		start     uint64
		prev      []uint64
		counts    []uint64
		same      bool
		wantOK    bool
		want      []uint64
	}{
		{"increments", 1, 1, []uint64{1, 2}, []uint64{3, 5}, true, true, []uint64{2, 3}},
		{"restart: new start time", 1, 2, []uint64{1, 2}, []uint64{3, 5}, true, false, []uint64{3, 5}},
		{"a bucket went down: reset", 1, 1, []uint64{4, 2}, []uint64{3, 5}, true, false, []uint64{3, 5}},
		{"new layout", 1, 1, []uint64{1, 2}, []uint64{3, 5}, false, false, []uint64{3, 5}},
		{"bucket count changed", 1, 1, []uint64{1, 2, 3}, []uint64{3, 5}, true, false, []uint64{3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Stream
			_, _, ok := s.Delta(tt.prevStart, append([]uint64(nil), tt.prev...), 1, sum(tt.prev), true)
			assert.False(t, ok, "the first point has nothing to compare with")
			counts := append([]uint64(nil), tt.counts...)
			dsum, dcount, ok := s.Delta(tt.start, counts, 3, sum(tt.counts), tt.same)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, counts)
			if ok {
				assert.Equal(t, 2.0, dsum)
				assert.Equal(t, sum(tt.counts)-sum(tt.prev), dcount)
			} else {
				assert.Equal(t, 3.0, dsum)
				assert.Equal(t, sum(tt.counts), dcount)
			}
			// The next point compares with this one whatever happened.
			next := []uint64{tt.counts[0] + 1, tt.counts[1] + 1}
			_, dcount, ok = s.Delta(tt.start, next, 4, sum(tt.counts)+2, true)
			assert.True(t, ok)
			assert.Equal(t, uint64(2), dcount)
		})
	}
}

func TestStreamsBounded(t *testing.T) {
	var s Streams
	first := s.For(1)
	assert.Same(t, first, s.For(1))
	for h := uint64(2); h <= MaxStreams; h++ {
		s.For(h)
	}
	assert.Equal(t, MaxStreams, s.Len())
	s.For(MaxStreams + 1)
	assert.Equal(t, 1, s.Len(), "past the bound the memory starts over")
	assert.NotSame(t, first, s.For(1))
}

func sum(c []uint64) uint64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return n
}
