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

// maxBuckets bounds the buckets of one histogram point. A window keeps its
// points' buckets, so without a bound one hostile point of a million buckets
// would pin a window-size multiple of that. SDK defaults stay far below
// (160 exponential buckets, a few dozen explicit ones).
const maxBuckets = 1024

// freshStream reports whether a cumulative stream seen for the first time
// started recently enough that its totals belong in the window.
func (e *worker) freshStream(start uint64, t int64) bool {
	return start != 0 && (e.cfg.Window.Duration == 0 || t-int64(start) <= int64(e.cfg.Window.Duration))
}

func (e *worker) addHistogram(m *model, sig int, dp pmetric.HistogramDataPoint, cumulative bool, scale float64, now time.Time) {
	bc := dp.BucketCounts()
	n := bc.Len()
	// One count per bound plus +Inf, checked before anything is read so
	// that a hostile point's bounds are never copied.
	if n > maxBuckets || n != dp.ExplicitBounds().Len()+1 {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.rawCounts = slices.Grow(e.rawCounts[:0], n)[:n]
	for i := range e.rawCounts {
		e.rawCounts[i] = bc.At(i)
	}
	sum, count := dp.Sum(), dp.Count()
	if !e.readBounds(dp.ExplicitBounds()) || !e.validHistSum(sig, sum*scale) {
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
		p := ss.prev.For(identity.HashAttributes(dp.Attributes()))
		same := p.Bounds != nil && slices.Equal(p.Bounds, e.bounds)
		if !same {
			p.Bounds = append(p.Bounds[:0], e.bounds...)
		}
		sum, count, ok = p.Delta(uint64(dp.StartTimestamp()), e.rawCounts, sum, count, same)
		if !ok && !e.freshStream(uint64(dp.StartTimestamp()), t) {
			// Totals of unknown age: remember them, learn from the next point.
			e.counts[telemetry.Matched]++
			return
		}
	}
	outcome, keep := telemetry.Matched, true
	if e.drift != nil {
		outcome, keep = e.driftExplicit(m, sig, t, dp.Attributes(), e.bounds, e.rawCounts, count, scale)
	}
	e.counts[outcome]++
	if count == 0 || !keep {
		return
	}
	if !e.histWindow(ss).Add(t, e.bounds, e.rawCounts, sum, count, scale) {
		e.counts[outcome]--
		e.counts[telemetry.Late]++
		return
	}
	e.onPoint(m, sig, t, sum/float64(count)*scale)
}

// readBounds reads a point's explicit bounds into e.bounds and reports
// whether they are finite and strictly increasing. Between points e.bounds
// holds only bounds that passed that check (emptied when a point's fail; no
// bounds at all are valid), so bounds equal bit for bit to the previous
// point's, as a fleet's SDKs mostly send them, are compared in place and not
// copied or checked again. Nothing else writes e.bounds.
func (e *worker) readBounds(eb pcommon.Float64Slice) bool {
	n := eb.Len()
	if n == len(e.bounds) {
		i := 0
		for i < n && math.Float64bits(eb.At(i)) == math.Float64bits(e.bounds[i]) {
			i++
		}
		if i == n {
			return true
		}
	}
	e.bounds = slices.Grow(e.bounds[:0], n)[:n]
	for i := range e.bounds {
		e.bounds[i] = eb.At(i)
	}
	if window.CheckBuckets(e.bounds, e.rawCounts) != nil {
		e.bounds = e.bounds[:0]
		return false
	}
	return true
}

func (e *worker) addExponential(m *model, sig int, dp pmetric.ExponentialHistogramDataPoint, cumulative bool, scale float64, now time.Time) {
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
		p := ss.prev.For(identity.HashAttributes(dp.Attributes()))
		same := p.Valid() && p.ExpScale == dp.Scale() && p.Offset == offset && zero >= p.Zero
		prevZero := p.Zero
		p.ExpScale, p.Offset, p.Zero = dp.Scale(), offset, zero
		sum, count, ok = p.Delta(uint64(dp.StartTimestamp()), e.rawCounts, sum, count, same)
		if ok {
			zero -= prevZero
		} else if !e.freshStream(uint64(dp.StartTimestamp()), t) {
			e.counts[telemetry.Matched]++
			return
		}
	}
	outcome, keep := telemetry.Matched, true
	if e.drift != nil {
		outcome, keep = e.driftExponential(m, sig, t, dp.Attributes(), dp.Scale(), zero, offset, e.rawCounts, cumulative, dp.Negative(), count)
	}
	e.counts[outcome]++
	if count == 0 || !keep {
		return
	}
	if !e.histWindow(ss).AddExponential(t, dp.Scale(), zero, offset, e.rawCounts, sum, count, scale) {
		e.counts[outcome]--
		e.counts[telemetry.Late]++
		return
	}
	e.onPoint(m, sig, t, sum/float64(count)*scale)
}

func (e *worker) validHistSum(sig int, sum float64) bool {
	if math.IsNaN(sum) || math.IsInf(sum, 0) {
		return false
	}
	return e.signals.domains[sig] != nonNegative || sum >= 0
}
