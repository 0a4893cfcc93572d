package window

// refWindow is the straightforward scalar window: a ring of (time, value)
// samples and a sorted copy of the values. Window stores values and times
// apart and keeps a sorted index instead of the copy; the comparison tests
// replay streams through both and require the same samples and every
// aggregate bit for bit.

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"time"
	"unsafe"
)

// refWindow is a sliding window of scalar samples for one signal of one model.
//
// Memory: each sample is an int64 time and a float64 value, 16 bytes, held
// in a ring that starts at 8 slots and doubles up to size; at size 128 a full
// window holds 2 KiB of samples, plus 1 KiB of sort scratch once a percentile
// has been asked for. MemSize reports the real figure.
type refWindow struct {
	r      ring[sample]
	size   int
	maxAge int64
	// floor is the oldest time the window accepts: the newest time seen, or
	// the last Expire's now, minus maxAge. It never decreases (until Reset),
	// so a point refused once stays refused even after the window drains.
	floor int64
	alpha float64
	// sorted holds the values in ascending order for percentiles. It is
	// built by one sort when a percentile is first asked for and from then on
	// kept in step with every added and dropped sample (a binary search and
	// a shift), so a percentile after each batch does not sort 128 values.
	sorted      []float64
	sortedValid bool
	// sums keeps Mean and Stddev O(1) per evaluation; see moments.
	sums moments
	// start and end are the oldest and newest sample times (0 when empty),
	// kept here so that a rule's evaluation reads no sample: between a
	// batch's Add and its evaluation the ring has mostly left the cache.
	start, end int64
}

// New returns an empty window holding at most size samples no older than
// maxAge before the newest one. size ≤ 0 means DefaultSize; maxAge ≤ 0 means
// DefaultMaxAge.
func newRef(size int, maxAge time.Duration) *refWindow {
	w := new(refWindow)
	w.Init(size, maxAge)
	return w
}

// Init makes w an empty window, as New(size, maxAge) returns, dropping any
// memory it held. It serves windows kept by value inside a larger structure:
// one allocation for all of a model's windows, and no pointer to follow.
func (w *refWindow) Init(size int, maxAge time.Duration) {
	if size <= 0 {
		size = DefaultSize
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	*w = refWindow{size: size, maxAge: int64(maxAge), alpha: DefaultEWMAAlpha}
	w.Reset()
}

// SetEWMAAlpha sets the weight of the newest value in the EWMA aggregation,
// 0 < alpha ≤ 1 (default 0.3).
func (w *refWindow) SetEWMAAlpha(alpha float64) error {
	if !(alpha > 0 && alpha <= 1) {
		return errors.New("ewma alpha must be in (0, 1]")
	}
	w.alpha = alpha
	return nil
}

// Add stores the sample (t, v), t in unix nanoseconds, in time order. Samples
// with equal times are all kept, in arrival order; one at the newest time
// counts as in order. Add returns false, storing nothing, when the sample is
// late: older than the newest time minus maxAge (or than the last Expire's
// cutoff), or older than every sample of a window already full by count.
// Accepting a newer sample drops those that fall out of the window by count
// or by age.
func (w *refWindow) Add(t int64, v float64) bool {
	if t < w.floor {
		return false
	}
	r := &w.r
	full := !r.makeRoom(w.size)
	if full {
		old := r.at(0)
		if t < old.t {
			return false
		}
		// The sorted view trades the oldest value for v in one move.
		w.resort(old.v, v)
		w.forgetOldest(old.v)
	}
	if r.n == 0 {
		w.sums.reset()
	}
	pos := r.n
	for pos > 0 && r.at(pos-1).t > t {
		pos--
	}
	*r.open(pos) = sample{t, v}
	if !full {
		w.sortIn(v)
	}
	w.sums.add(v)
	if pos == 0 {
		w.start = t
	}
	if pos == r.n-1 {
		w.end = t
		w.raiseFloor(cutoff(t, w.maxAge))
	}
	return true
}

// dropOldest removes the oldest sample from the ring, the sorted view and
// the sums.
func (w *refWindow) dropOldest() {
	v := w.r.at(0).v
	w.unsort(v)
	w.forgetOldest(v)
}

// forgetOldest removes the oldest sample, of value v, from the ring and the
// sums; the caller takes care of the sorted view.
func (w *refWindow) forgetOldest(v float64) {
	r := &w.r
	w.sums.remove(v, w.size)
	r.dropOldest()
	if r.n == 0 {
		w.start, w.end = 0, 0
		return
	}
	w.start = r.at(0).t
}

// Expire drops the samples older than now-maxAge (now in unix nanoseconds),
// for windows of models that stopped sending, and refuses such samples later.
func (w *refWindow) Expire(now int64) {
	w.raiseFloor(cutoff(now, w.maxAge))
}

func (w *refWindow) raiseFloor(c int64) {
	if c <= w.floor {
		return
	}
	w.floor = c
	for w.r.n > 0 && w.start < c {
		w.dropOldest()
	}
}

// Len returns the number of samples in the window.
func (w *refWindow) Len() int { return w.r.n }

// Start returns the oldest sample's time, 0 when empty.
func (w *refWindow) Start() int64 { return w.start }

// End returns the newest sample's time, 0 when empty.
func (w *refWindow) End() int64 { return w.end }

// Reset empties the window and forgets its floor, keeping its memory.
func (w *refWindow) Reset() {
	w.r.reset()
	w.start, w.end = 0, 0
	w.floor = math.MinInt64
	w.sortedValid = false
	w.sums.reset()
}

// MemSize returns the approximate number of bytes the window holds.
func (w *refWindow) MemSize() int {
	return int(unsafe.Sizeof(*w)) + cap(w.r.buf)*int(unsafe.Sizeof(sample{})) + cap(w.sorted)*8
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
func (w *refWindow) Aggregate(a Aggregation) (float64, bool) {
	n := w.r.n
	if n == 0 {
		return 0, false
	}
	first, second := w.r.segments()
	switch a {
	case Last:
		return w.r.at(n - 1).v, true
	case Count:
		return float64(n), true
	case Mean:
		if m, _, ok := w.runningMoments(); ok {
			return m, true
		}
		return w.mean(), true
	case Min:
		m := first[0].v
		for _, seg := range [2][]sample{first, second} {
			for _, s := range seg {
				if s.v < m {
					m = s.v
				}
			}
		}
		return m, true
	case Max:
		m := first[0].v
		for _, seg := range [2][]sample{first, second} {
			for _, s := range seg {
				if s.v > m {
					m = s.v
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
		for _, seg := range [2][]sample{first, second} {
			for _, s := range seg {
				d := s.v - mean
				ss += d * d
			}
		}
		return math.Sqrt(ss / float64(n)), true
	case EWMA:
		ew := first[0].v
		for _, seg := range [2][]sample{first[1:], second} {
			for _, s := range seg {
				ew = w.alpha*s.v + (1-w.alpha)*ew
			}
		}
		return ew, true
	}
	if q, ok := a.Quantile(); ok {
		return sortedQuantile(w.sortedValues(), q), true
	}
	return 0, false
}

func (w *refWindow) mean() float64 {
	var sum float64
	first, second := w.r.segments()
	for _, seg := range [2][]sample{first, second} {
		for _, s := range seg {
			sum += s.v
		}
	}
	return sum / float64(w.r.n)
}

func (w *refWindow) sortedValues() []float64 {
	if w.sortedValid {
		return w.sorted
	}
	if cap(w.sorted) < w.r.n {
		w.sorted = make([]float64, 0, len(w.r.buf))
	}
	w.sorted = w.sorted[:0]
	first, second := w.r.segments()
	for _, seg := range [2][]sample{first, second} {
		for _, s := range seg {
			w.sorted = append(w.sorted, s.v)
		}
	}
	slices.Sort(w.sorted)
	w.sortedValid = true
	return w.sorted
}

// sortIn adds v to the sorted view, when there is one. The order is
// cmp.Compare's, the one slices.Sort uses (NaN first), so the view equals
// a fresh sort of the window.
func (w *refWindow) sortIn(v float64) {
	if !w.sortedValid {
		return
	}
	if len(w.sorted) == cap(w.sorted) {
		// Grow with the ring, never past the window's size.
		grown := make([]float64, len(w.sorted), min(max(2*cap(w.sorted), minCapacity), w.size))
		copy(grown, w.sorted)
		w.sorted = grown
	}
	i, _ := slices.BinarySearch(w.sorted, v)
	w.sorted = slices.Insert(w.sorted, i, v)
}

// unsort removes v, a value leaving the window, from the sorted view.
func (w *refWindow) unsort(v float64) {
	if !w.sortedValid {
		return
	}
	i, found := slices.BinarySearch(w.sorted, v)
	if !found {
		// Cannot happen while the view mirrors the window; rebuild if it does.
		w.sortedValid = false
		return
	}
	w.sorted = slices.Delete(w.sorted, i, i+1)
}

// resort replaces one value old, leaving the window, by v in the sorted
// view, when there is one: the view unsort(old) then sortIn(v) would leave,
// moving only the values between the two positions instead of shifting the
// tail down and up again (nothing at all when v equals old).
func (w *refWindow) resort(old, v float64) {
	if !w.sortedValid || (v == old && v != 0) {
		// Equal non-zero values have equal bits: the view stays as it is.
		// (Zeros differ in sign, and the view keeps which one is where.)
		return
	}
	s := w.sorted
	i, found := slices.BinarySearch(s, old)
	if !found {
		w.sortedValid = false
		return
	}
	if cmp.Compare(v, old) == 0 {
		s[i] = v
		return
	}
	// j is where sortIn would put v with old still in place: before old's
	// position when v sorts lower, after it otherwise.
	j, _ := slices.BinarySearch(s, v)
	if j <= i {
		copy(s[j+1:i+1], s[j:i])
		s[j] = v
		return
	}
	copy(s[i:j-1], s[i+1:j])
	s[j-1] = v
}

// sortedQuantile is Prometheus' quantile for 0 ≤ q ≤ 1 over ascending,
// non-empty values: the weighted mean of the two values around rank q·(n−1).
func sortedQuantile(values []float64, q float64) float64 {
	n := float64(len(values))
	rank := q * (n - 1)
	lower := math.Max(0, math.Floor(rank))
	upper := math.Min(n-1, lower+1)
	weight := rank - math.Floor(rank)
	return values[int(lower)]*(1-weight) + values[int(upper)]*weight
}

// runningMoments returns the mean and population variance from the running
// sums, rebuilding them first when needed; false when they cannot be trusted
// and the caller must use the exact pass.
func (w *refWindow) runningMoments() (mean, variance float64, ok bool) {
	m := &w.sums
	n := w.r.n
	if n == 0 || m.nonFinite > 0 {
		return 0, 0, false
	}
	if m.valid {
		if mean, variance, ok = m.trusted(n); ok {
			return mean, variance, true
		}
	}
	if !w.rebuildMoments() {
		return 0, 0, false
	}
	return m.trusted(n)
}

// rebuildMoments recomputes the sums exactly from the samples, with the shift
// re-centred on the sample value nearest the mean (its distance from the mean
// is at most the standard deviation, and it makes a constant window's
// variance exactly 0). It reports false when the values are not all finite or
// too large for the sums.
func (w *refWindow) rebuildMoments() bool {
	m := &w.sums
	n := w.r.n
	if n == 0 || m.nonFinite > 0 {
		return false
	}
	first, second := w.r.segments()
	mean := w.mean()
	shift, best := first[0].v, math.Inf(1)
	for _, seg := range [2][]sample{first, second} {
		for _, s := range seg {
			if d := math.Abs(s.v - mean); d < best {
				shift, best = s.v, d
			}
		}
	}
	*m = moments{shift: shift, shiftSet: true, valid: true, ops: int32(n)}
	for _, seg := range [2][]sample{first, second} {
		for _, s := range seg {
			d := s.v - shift
			q := d * d
			m.s1 += d
			m.s2 += q
			m.maxSq = max(m.maxSq, q)
		}
	}
	if !(m.maxSq <= 0x1p1000) || math.IsInf(m.s2, 0) {
		m.valid = false // as in addSlow: d² near or past overflow
		return false
	}
	return true
}
