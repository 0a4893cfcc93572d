// Package counter turns cumulative counters (and the counts of cumulative
// histograms) into increments, per stream, as Prometheus' increase() does:
// a value below the previous one, or a new start time, is a reset after
// which the whole new value is the increment.
package counter // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/counter"

import "math"

// Outcome says what one point of a stream contributed.
type Outcome uint8

const (
	// Increment: the point's increase over the previous one is known.
	Increment Outcome = iota
	// Baseline: the first point of a stream of unknown age, or the first
	// after the stream table was full; remembered, nothing counted.
	Baseline
	// Invalid: NaN, infinite or negative; ignored, the previous point kept.
	Invalid
	// Refused: a new stream while the table is full.
	Refused
)

// stream is the previous point of one series.
type stream struct {
	start uint64
	last  float64
}

// Streams remembers the previous point of at most max streams, keyed by a
// hash of the series' attributes. Bounded: one hostile label with 10k
// values would otherwise grow it without limit; streams beyond max are
// refused (and counted by the caller) until Reset.
type Streams struct {
	m   map[uint64]stream
	max int
}

// New returns an empty table of at most limit streams (at least 1).
func New(limit int) *Streams {
	return &Streams{m: make(map[uint64]stream), max: max(limit, 1)}
}

// Len returns the number of streams remembered.
func (s *Streams) Len() int { return len(s.m) }

// Reset forgets every stream.
func (s *Streams) Reset() { clear(s.m) }

// Observe records the cumulative value v (with the series' start time,
// unix nanoseconds, 0 when unknown) of stream key and returns its
// increment. fresh says whether a stream seen for the first time started
// recently enough that its whole value belongs to the window (a process
// that just started); otherwise its first point is a baseline.
//
// No allocation for a known stream.
func (s *Streams) Observe(key, start uint64, v float64, fresh bool) (float64, Outcome) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, Invalid
	}
	prev, ok := s.m[key]
	if !ok {
		if len(s.m) >= s.max {
			return 0, Refused
		}
		s.m[key] = stream{start: start, last: v}
		if fresh {
			return v, Increment
		}
		return 0, Baseline
	}
	s.m[key] = stream{start: start, last: v}
	if v < prev.last || (start != 0 && prev.start != 0 && start != prev.start) {
		return v, Increment
	}
	return v - prev.last, Increment
}
