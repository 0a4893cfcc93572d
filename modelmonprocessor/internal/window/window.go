// Package window holds the per-model, per-signal sliding windows a rule
// aggregates over: Window for gauge-like values and HistWindow for
// latency-like histograms.
//
// A window is bounded by count (size) and by age (maxAge), both in data-point
// time — the unix-nanosecond timestamps the points carry — not arrival time.
// Points that arrive out of order but still inside the window are placed in
// time order; points that would fall outside it at once are refused, and the
// caller counts them as late. Aggregations are computed on demand, without
// allocating: Mean and Stddev from running sums kept exact enough (see
// moments), percentiles from a sorted index kept in step, the others by a
// pass over the window.
//
// Windows are not safe for concurrent use; the engine serialises per model.
package window

import (
	"errors"
	"math"
	"time"
	"unsafe"
)

// Defaults used when New or NewHist is given a non-positive size or maxAge.
const (
	DefaultSize   = 128
	DefaultMaxAge = 5 * time.Minute
	// DefaultEWMAAlpha weighs the newest value in the EWMA aggregation.
	DefaultEWMAAlpha = 0.3
)

// sample is one scalar sample, as the tests and the reference implementation
// see it; the window stores values and times apart (see Window).
type sample struct {
	t int64
	v float64
}

// Window is a sliding window of scalar samples for one signal of one model.
//
// Memory: each value is a float64 in a ring that starts at 8 slots and
// doubles up to size. Times cost nothing per sample while they are evenly
// spaced (start, step and count say them all: one export per interval with
// aligned timestamps, a regular scrape); the first sample off that grid
// gives the window an int64 per slot for times, kept until the window
// empties. A percentile adds a sorted index of one byte per slot (four
// beyond 256 slots) instead of a sorted copy of the values. At size 128 a
// full window holds 1 KiB of values, 2 KiB with irregular times, plus
// 128 B once a percentile has been asked for. MemSize reports the real
// figure.
type Window struct {
	// vals is the ring of values in time order, oldest at logical position
	// 0 (physical index head); len(vals) is the ring's capacity.
	vals []float64
	// times parallels vals while wide: every sample's time. While not wide
	// the times are start, start+step, … (one sample: start = end).
	times []int64
	// perm is the sorted index: the physical slots of the samples ordered by
	// value (cmp.Compare, NaN first) and, among equal values, by slot (so a
	// percentile between a -0 and a 0 may read either; see sortindex.go).
	// One byte per entry while the ring has at most 256 slots, else four
	// (see permAt). Built by one sort when a percentile is first asked for,
	// then kept in step with every added and dropped sample by binary search
	// and a shift of bytes, so a percentile after each batch sorts nothing.
	perm []byte
	// start and end are the oldest and newest sample times (0 when empty),
	// kept here so that a rule's evaluation reads no sample.
	start, end int64
	step       int64
	maxAge     int64
	// floor is the oldest time the window accepts: the newest time seen, or
	// the last Expire's now, minus maxAge. It never decreases (until Reset),
	// so a point refused once stays refused even after the window drains.
	floor int64
	alpha float64
	// sums keeps Mean and Stddev O(1) per evaluation; see moments.
	sums        moments
	head, n     int32
	size        int32
	wide        bool
	sortedValid bool
}

// New returns an empty window holding at most size samples no older than
// maxAge before the newest one. size ≤ 0 means DefaultSize; maxAge ≤ 0 means
// DefaultMaxAge.
func New(size int, maxAge time.Duration) *Window {
	w := new(Window)
	w.Init(size, maxAge)
	return w
}

// maxSize bounds the window's size, far above any useful one, so that the
// ring's positions and the moments' counters fit in int32.
const maxSize = 1 << 24

// Init makes w an empty window, as New(size, maxAge) returns, dropping any
// memory it held. It serves windows kept by value inside a larger structure:
// one allocation for all of a model's windows, and no pointer to follow.
func (w *Window) Init(size int, maxAge time.Duration) {
	if size <= 0 {
		size = DefaultSize
	}
	size = min(size, maxSize)
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	*w = Window{size: int32(size), maxAge: int64(maxAge), alpha: DefaultEWMAAlpha}
	w.Reset()
}

// SetEWMAAlpha sets the weight of the newest value in the EWMA aggregation,
// 0 < alpha ≤ 1 (default 0.3).
func (w *Window) SetEWMAAlpha(alpha float64) error {
	if !(alpha > 0 && alpha <= 1) {
		return errors.New("ewma alpha must be in (0, 1]")
	}
	w.alpha = alpha
	return nil
}

// idx maps logical position i (0 ≤ i ≤ len(vals)) to its physical slot.
func (w *Window) idx(i int) int {
	j := int(w.head) + i
	if j >= len(w.vals) {
		j -= len(w.vals)
	}
	return j
}

// logical maps a physical slot to its logical position.
func (w *Window) logical(p int) int {
	l := p - int(w.head)
	if l < 0 {
		l += len(w.vals)
	}
	return l
}

// timeAt returns the time of the sample at logical position i.
func (w *Window) timeAt(i int) int64 {
	if w.wide {
		return w.times[w.idx(i)]
	}
	return w.start + int64(i)*w.step
}

// sampleAt returns the sample at logical position i.
func (w *Window) sampleAt(i int) sample {
	return sample{w.timeAt(i), w.vals[w.idx(i)]}
}

// Add stores the sample (t, v), t in unix nanoseconds, in time order. Samples
// with equal times are all kept, in arrival order; one at the newest time
// counts as in order. Add returns false, storing nothing, when the sample is
// late: older than the newest time minus maxAge (or than the last Expire's
// cutoff), or older than every sample of a window already full by count.
// Accepting a newer sample drops those that fall out of the window by count
// or by age.
func (w *Window) Add(t int64, v float64) bool {
	if t < w.floor {
		return false
	}
	if !w.makeRoom() {
		if t < w.start {
			return false
		}
		if t >= w.end && w.n > 1 {
			w.replaceOldest(t, v)
			return true
		}
		w.dropOldest()
	}
	if w.n == 0 {
		w.sums.reset()
	}
	n := int(w.n)
	pos := n
	if t < w.end {
		for pos > 0 && w.timeAt(pos-1) > t {
			pos--
		}
	}
	w.placeTime(pos, t)
	if pos < n {
		w.open(pos)
	}
	p := w.idx(pos)
	w.vals[p] = v
	w.n++
	w.sortIn(p, v)
	w.sums.add(v)
	if pos == 0 {
		w.start = t
	}
	if pos == n {
		w.end = t
		w.raiseFloor(cutoff(t, w.maxAge))
	}
	return true
}

// replaceOldest is Add's steady state: a full window takes a sample at or
// after its newest time, so the oldest leaves and the new one takes its
// slot, and the sorted index moves the slot from the old value's place to
// the new one's in one shift.
func (w *Window) replaceOldest(t int64, v float64) {
	p := int(w.head)
	old := w.vals[p]
	if !w.wide && t-w.end != w.step {
		w.widen()
	}
	w.sums.remove(old, int(w.size))
	w.sums.add(v)
	w.resort(p, old, v)
	w.vals[p] = v
	if w.wide {
		w.times[p] = t
	}
	w.head = int32(w.idx(1))
	if w.wide {
		w.start = w.times[w.head]
	} else {
		w.start += w.step
	}
	w.end = t
	w.raiseFloor(cutoff(t, w.maxAge))
}

// placeTime records time t of a sample about to enter at logical position
// pos: it keeps the times implicit while they stay evenly spaced, and
// otherwise writes them out (the new one included, into the slot open will
// make, or has room at the end).
func (w *Window) placeTime(pos int, t int64) {
	n := int(w.n)
	if !w.wide {
		switch {
		case n == 0:
			return
		case n == 1:
			// Two samples are always evenly spaced, unless the step
			// overflows.
			if d := w.end - t; pos == 0 && d > 0 {
				w.step = d
				return
			}
			if d := t - w.start; pos == 1 && d >= 0 {
				w.step = d
				return
			}
		case pos == n && t-w.end == w.step:
			return
		}
		w.widen()
	}
	if pos < n {
		// open shifts the times with the values; the new one goes in after.
		w.timesOpen(pos)
	}
	w.times[w.idx(pos)] = t
}

// widen writes the implicit times out into the times ring.
func (w *Window) widen() {
	if len(w.times) != len(w.vals) {
		w.times = make([]int64, len(w.vals))
	}
	for i := 0; i < int(w.n); i++ {
		w.times[w.idx(i)] = w.start + int64(i)*w.step
	}
	w.wide = true
}

// timesOpen shifts the times at logical positions pos… up by one.
func (w *Window) timesOpen(pos int) {
	for i := int(w.n); i > pos; i-- {
		w.times[w.idx(i)] = w.times[w.idx(i-1)]
	}
}

// open shifts the values at logical positions pos… (pos < n) up by one slot
// and renumbers the sorted index entries that moved with them.
func (w *Window) open(pos int) {
	n := int(w.n)
	for i := n; i > pos; i-- {
		w.vals[w.idx(i)] = w.vals[w.idx(i-1)]
	}
	if !w.sortedValid {
		return
	}
	for k := 0; k < n; k++ {
		if l := w.logical(w.permAt(k)); l >= pos {
			w.setPerm(k, w.idx(l+1))
		}
	}
	w.fixSorted()
}

// makeRoom ensures one free slot, growing the ring by doubling up to size.
// It reports false when the window already holds size samples.
func (w *Window) makeRoom() bool {
	n := int(w.n)
	if n < len(w.vals) {
		return true
	}
	if n >= int(w.size) {
		return false
	}
	c := min(max(2*len(w.vals), minCapacity), int(w.size))
	vals := make([]float64, c)
	for i := 0; i < n; i++ { // the ring is full: every slot is live
		vals[i] = w.vals[w.idx(i)]
	}
	if w.wide {
		times := make([]int64, c)
		for i := 0; i < n; i++ {
			times[i] = w.times[w.idx(i)]
		}
		w.times = times
	} else {
		w.times = nil // a wider ring needs a wider one when it comes
	}
	if w.sortedValid {
		// The samples move to their logical positions: renumber the index.
		perm := make([]byte, c*permWidth(c))
		for k := 0; k < n; k++ {
			setPermIn(perm, c, k, w.logical(w.permAt(k)))
		}
		w.perm = perm
	}
	w.vals, w.head = vals, 0
	w.fixSorted()
	return true
}

// dropOldest removes the oldest sample from the ring, the sorted index and
// the sums.
func (w *Window) dropOldest() {
	p := int(w.head)
	v := w.vals[p]
	w.unsort(p, v)
	w.sums.remove(v, int(w.size))
	w.head = int32(w.idx(1))
	w.n--
	switch {
	case w.n == 0:
		w.head, w.start, w.end, w.wide = 0, 0, 0, false
	case w.wide:
		w.start = w.times[w.head]
	default:
		w.start += w.step
	}
}

// Expire drops the samples older than now-maxAge (now in unix nanoseconds),
// for windows of models that stopped sending, and refuses such samples later.
func (w *Window) Expire(now int64) {
	w.raiseFloor(cutoff(now, w.maxAge))
}

func (w *Window) raiseFloor(c int64) {
	if c <= w.floor {
		return
	}
	w.floor = c
	for w.n > 0 && w.start < c {
		w.dropOldest()
	}
}

// Len returns the number of samples in the window.
func (w *Window) Len() int { return int(w.n) }

// Start returns the oldest sample's time, 0 when empty.
func (w *Window) Start() int64 { return w.start }

// End returns the newest sample's time, 0 when empty.
func (w *Window) End() int64 { return w.end }

// Reset empties the window and forgets its floor, keeping its memory.
func (w *Window) Reset() {
	w.head, w.n = 0, 0
	w.start, w.end, w.step = 0, 0, 0
	w.wide = false
	w.floor = math.MinInt64
	w.sortedValid = false
	w.sums.reset()
}

// MemSize returns the approximate number of bytes the window holds.
func (w *Window) MemSize() int {
	return int(unsafe.Sizeof(*w)) + cap(w.vals)*8 + cap(w.times)*8 + cap(w.perm)
}

// segments returns the values in time order as at most two contiguous slices.
func (w *Window) segments() (first, second []float64) {
	end := int(w.head) + int(w.n)
	if end <= len(w.vals) {
		return w.vals[w.head:end], nil
	}
	return w.vals[w.head:], w.vals[:end-len(w.vals)]
}

// Aggregate computes a over the window's samples; false when the window is
// empty or a is not a scalar aggregation.
//
//   - Last: the newest value (the last to arrive among equal newest times).
//   - Mean, Min, Max, Count.
//   - Stddev: population standard deviation (divides by n).
//   - P50, P90, P95, P99: linear interpolation between the closest ranks, as
//     Prometheus' quantile_over_time: rank q·(n−1) over the sorted values.
//   - EWMA: exponentially weighted mean over the samples in time order,
//     starting from the oldest value, s ← α·v + (1−α)·s, α = 0.3 by default.
func (w *Window) Aggregate(a Aggregation) (float64, bool) {
	n := int(w.n)
	if n == 0 {
		return 0, false
	}
	first, second := w.segments()
	switch a {
	case Last:
		return w.vals[w.idx(n-1)], true
	case Count:
		return float64(n), true
	case Mean:
		if m, _, ok := w.runningMoments(); ok {
			return m, true
		}
		return w.mean(), true
	case Min:
		m := first[0]
		for _, seg := range [2][]float64{first, second} {
			for _, v := range seg {
				if v < m {
					m = v
				}
			}
		}
		return m, true
	case Max:
		m := first[0]
		for _, seg := range [2][]float64{first, second} {
			for _, v := range seg {
				if v > m {
					m = v
				}
			}
		}
		return m, true
	case Stddev:
		if _, v, ok := w.runningMoments(); ok {
			return math.Sqrt(v), true
		}
		mean := w.mean()
		var ss float64
		for _, seg := range [2][]float64{first, second} {
			for _, v := range seg {
				d := v - mean
				ss += d * d
			}
		}
		return math.Sqrt(ss / float64(n)), true
	case EWMA:
		ew := first[0]
		for _, seg := range [2][]float64{first[1:], second} {
			for _, v := range seg {
				ew = w.alpha*v + (1-w.alpha)*ew
			}
		}
		return ew, true
	}
	if q, ok := a.Quantile(); ok {
		w.buildSorted()
		return w.quantile(q), true
	}
	return 0, false
}

func (w *Window) mean() float64 {
	var sum float64
	first, second := w.segments()
	for _, seg := range [2][]float64{first, second} {
		for _, v := range seg {
			sum += v
		}
	}
	return sum / float64(w.n)
}
