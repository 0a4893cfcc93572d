// Package cumulative turns the points of cumulative histogram streams into
// deltas: a window wants what changed since the previous point (percentiles
// over the window), not totals over the process lifetime.
package cumulative // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/cumulative"

// MaxStreams bounds the streams remembered per Streams; beyond it the memory
// is cleared and streams are learnt again.
const MaxStreams = 64

// Stream remembers the previous point of one cumulative histogram stream.
type Stream struct {
	valid  bool
	start  uint64
	count  uint64
	sum    float64
	counts []uint64
	// Layout: explicit bounds, or exponential scale, offset and zero count.
	Bounds   []float64
	ExpScale int32
	Offset   int32
	Zero     uint64
}

// Valid reports whether the stream has a previous point.
func (c *Stream) Valid() bool { return c.valid }

// Delta turns counts (in place), sum and count into the change since the
// previous point and remembers the current ones. ok is false when there is
// no comparable previous point (first point, reset, or new bucket layout):
// counts are then left as they are and the totals returned.
func (c *Stream) Delta(start uint64, counts []uint64, sum float64, count uint64, sameLayout bool) (dsum float64, dcount uint64, ok bool) {
	ok = c.valid && sameLayout && c.start == start && count >= c.count && len(counts) == len(c.counts)
	if ok {
		for i, n := range counts {
			if n < c.counts[i] {
				ok = false
				break
			}
		}
	}
	prevSum, prevCount := c.sum, c.count
	c.valid, c.start, c.sum, c.count = true, start, sum, count
	if !ok {
		c.counts = append(c.counts[:0], counts...)
		return sum, count, false
	}
	for i, n := range counts {
		counts[i], c.counts[i] = n-c.counts[i], n
	}
	return sum - prevSum, count - prevCount, true
}

// Streams holds the streams of one model and signal (one model often
// exports several: per route, per status), by attribute hash. The zero
// value is empty and ready.
type Streams struct {
	m map[uint64]*Stream
}

// For returns the stream of attribute hash h, creating it when new.
func (s *Streams) For(h uint64) *Stream {
	if s.m == nil {
		s.m = make(map[uint64]*Stream, 1)
	}
	c, ok := s.m[h]
	if !ok {
		if len(s.m) >= MaxStreams {
			clear(s.m)
		}
		c = &Stream{}
		s.m[h] = c
	}
	return c
}

// Len is the number of streams remembered.
func (s *Streams) Len() int { return len(s.m) }
