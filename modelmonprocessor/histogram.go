package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"math"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// cumulative remembers the previous point of a cumulative histogram, so
// that the window receives what changed since then: percentiles over the
// window, not over the process lifetime.
type cumulative struct {
	valid  bool
	start  uint64
	count  uint64
	sum    float64
	counts []uint64
	// Layout: explicit bounds, or exponential scale and offset.
	bounds   []float64
	expScale int32
	offset   int32
	zero     uint64
}

// delta turns counts (in place), sum and count into the change since the
// previous point and remembers the current ones. ok is false when there is
// no comparable previous point (first point, reset, or new bucket layout).
func (c *cumulative) delta(start uint64, counts []uint64, sum float64, count uint64, sameLayout bool) (dsum float64, dcount uint64, ok bool) {
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

// maxBuckets bounds the buckets of one histogram point. A window keeps its
// points' buckets, so without a bound one hostile point of a million buckets
// would pin a window-size multiple of that. SDK defaults stay far below
// (160 exponential buckets, a few dozen explicit ones).
const maxBuckets = 1024

// maxStreams bounds the cumulative streams remembered per model and signal;
// beyond it the memory is cleared and streams are learnt again.
const maxStreams = 64

// cumulativeFor returns the previous-point memory of the stream a histogram
// point belongs to: one model often exports several (per route, per status).
func cumulativeFor(ss *signalState, attrs pcommon.Map) *cumulative {
	h := identity.HashAttributes(attrs)
	if ss.prev == nil {
		ss.prev = make(map[uint64]*cumulative, 1)
	}
	c, ok := ss.prev[h]
	if !ok {
		if len(ss.prev) >= maxStreams {
			clear(ss.prev)
		}
		c = &cumulative{}
		ss.prev[h] = c
	}
	return c
}

// freshStream reports whether a cumulative stream seen for the first time
// started recently enough that its totals belong in the window.
func (e *engine) freshStream(start uint64, t int64) bool {
	return start != 0 && (e.cfg.Window.Duration == 0 || t-int64(start) <= int64(e.cfg.Window.Duration))
}

func (e *engine) addHistogram(m *model, sig int, dp pmetric.HistogramDataPoint, cumulative bool, scale float64, now time.Time) {
	if dp.BucketCounts().Len() > maxBuckets {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.rawCounts = e.rawCounts[:0]
	for i := 0; i < dp.BucketCounts().Len(); i++ {
		e.rawCounts = append(e.rawCounts, dp.BucketCounts().At(i))
	}
	e.bounds = e.bounds[:0]
	for i := 0; i < dp.ExplicitBounds().Len(); i++ {
		e.bounds = append(e.bounds, dp.ExplicitBounds().At(i))
	}
	sum, count := dp.Sum(), dp.Count()
	if window.CheckBuckets(e.bounds, e.rawCounts) != nil || !e.validHistSum(sig, sum*scale) {
		e.counts[telemetry.InvalidValue]++
		return
	}
	t, ok := e.pointTime(dp.Timestamp(), now)
	if !ok {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.seen(m, sig, t)
	ss := &m.signals[sig]
	if cumulative {
		var ok bool
		p := cumulativeFor(ss, dp.Attributes())
		same := p.bounds != nil && slices.Equal(p.bounds, e.bounds)
		p.bounds = append(p.bounds[:0], e.bounds...)
		sum, count, ok = p.delta(uint64(dp.StartTimestamp()), e.rawCounts, sum, count, same)
		if !ok && !e.freshStream(uint64(dp.StartTimestamp()), t) {
			// Totals of unknown age: remember them, learn from the next point.
			e.counts[telemetry.Matched]++
			return
		}
	}
	e.counts[telemetry.Matched]++
	if count == 0 {
		return
	}
	if !e.histWindow(ss).Add(t, e.bounds, e.rawCounts, sum, count, scale) {
		e.counts[telemetry.Matched]--
		e.counts[telemetry.Late]++
		return
	}
	e.onPoint(m, sig, t, sum/float64(count)*scale)
}

func (e *engine) addExponential(m *model, sig int, dp pmetric.ExponentialHistogramDataPoint, cumulative bool, scale float64, now time.Time) {
	pos := dp.Positive().BucketCounts()
	if pos.Len() > maxBuckets {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.rawCounts = e.rawCounts[:0]
	for i := 0; i < pos.Len(); i++ {
		e.rawCounts = append(e.rawCounts, pos.At(i))
	}
	sum, count, zero := dp.Sum(), dp.Count(), dp.ZeroCount()
	negative := false
	for i := 0; i < dp.Negative().BucketCounts().Len(); i++ {
		negative = negative || dp.Negative().BucketCounts().At(i) > 0
	}
	if (negative && e.signals.domains[sig] == nonNegative) || !e.validHistSum(sig, sum*scale) {
		e.counts[telemetry.InvalidValue]++
		return
	}
	t, ok := e.pointTime(dp.Timestamp(), now)
	if !ok {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.seen(m, sig, t)
	ss := &m.signals[sig]
	offset := dp.Positive().Offset()
	if cumulative {
		var ok bool
		p := cumulativeFor(ss, dp.Attributes())
		same := p.valid && p.expScale == dp.Scale() && p.offset == offset && zero >= p.zero
		prevZero := p.zero
		p.expScale, p.offset, p.zero = dp.Scale(), offset, zero
		sum, count, ok = p.delta(uint64(dp.StartTimestamp()), e.rawCounts, sum, count, same)
		if ok {
			zero -= prevZero
		} else if !e.freshStream(uint64(dp.StartTimestamp()), t) {
			e.counts[telemetry.Matched]++
			return
		}
	}
	e.counts[telemetry.Matched]++
	if count == 0 {
		return
	}
	if !e.histWindow(ss).AddExponential(t, dp.Scale(), zero, offset, e.rawCounts, sum, count, scale) {
		e.counts[telemetry.Matched]--
		e.counts[telemetry.Late]++
		return
	}
	e.onPoint(m, sig, t, sum/float64(count)*scale)
}

func (e *engine) validHistSum(sig int, sum float64) bool {
	if math.IsNaN(sum) || math.IsInf(sum, 0) {
		return false
	}
	return e.signals.domains[sig] != nonNegative || sum >= 0
}
