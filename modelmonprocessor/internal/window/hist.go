package window

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"
)

// boundSet is one distinct set of explicit bucket upper bounds, already
// scaled. Points of a series nearly always share their bounds, so a window
// stores each set once and points refer to it: at 128 points of a 15-bucket
// histogram this saves 15 KiB per window.
type boundSet struct {
	bounds []float64
	refs   int // live points using the set; 0 means its buffer is free for reuse
	// live counts the set's points with observations, and acc sums their
	// bucket counts (exact, one entry per bucket). Both follow every add and
	// drop, so that a percentile after each new point re-buckets the sums of
	// the distinct sets instead of re-adding every point's buckets.
	live int
	acc  []uint64
	// mark is set while building the merged view for sets that take part.
	mark bool
}

// histPoint is one histogram data point. Its bucket counts are row row of
// the window's cells: the row stays with the ring slot and is reused by
// the point stored there next.
type histPoint struct {
	t     int64
	sum   float64 // scaled
	count uint64
	obs   uint64 // sum of the bucket counts
	set   int32  // index into HistWindow.sets
	row   int32
	n     int32 // bucket counts, one more than the set's bounds
}

// HistWindow is a sliding window of histogram points (latency-like signals)
// for one signal of one model. Percentiles and the mean are computed over the
// window's points merged into one histogram, never averaged per point.
//
// Bounded by count and age in data-point time exactly like Window, with the
// same late refusals. Memory is about 48 bytes per point plus its bucket
// counts at the width the window's largest count needs (1 byte each below
// 256), plus one copy of each distinct bound set; MemSize reports the real
// figure.
type HistWindow struct {
	r      ring[histPoint]
	size   int
	maxAge int64
	floor  int64
	sets   []boundSet
	// start and end are the oldest and newest point times (0 when empty),
	// as in Window: an evaluation reads them without touching a point.
	start, end int64
	// ts holds the points' times again, slot for slot with the ring, so
	// that dropping the oldest point finds the next one's time in the same
	// cache line instead of in the next point's.
	ts []int64
	// c holds the points' bucket counts.
	c cells

	// Conversion scratch for AddExponential; expBounds is kept while the
	// scale, offset and bucket count stay the same, as they mostly do.
	expBounds []float64
	expCounts []uint64
	expKey    struct {
		scale, offset int32
		n             int
	}

	// The merged histogram, built on demand and valid until the next change:
	// finite upper bounds and cumulative counts, the last one for +Inf.
	mBounds []float64
	mCum    []float64
	mValid  bool
	mOK     bool
}

// NewHist returns an empty histogram window; size ≤ 0 means DefaultSize,
// maxAge ≤ 0 means DefaultMaxAge.
func NewHist(size int, maxAge time.Duration) *HistWindow {
	if size <= 0 {
		size = DefaultSize
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	h := &HistWindow{size: size, maxAge: int64(maxAge)}
	h.Reset()
	return h
}

// CheckBuckets reports why an explicit-bounds histogram cannot be stored:
// counts must have one more entry than bounds (the +Inf bucket) and bounds
// must be finite and strictly increasing. HistWindow.Add refuses such points;
// callers that want to tell them from late ones check first.
func CheckBuckets(bounds []float64, counts []uint64) error {
	if len(counts) != len(bounds)+1 {
		return fmt.Errorf("histogram has %d bucket counts for %d bounds, want %d", len(counts), len(bounds), len(bounds)+1)
	}
	if !validBounds(bounds) {
		return errors.New("histogram bounds are not finite and strictly increasing")
	}
	return nil
}

func validBounds(bounds []float64) bool {
	prev := math.Inf(-1)
	for _, b := range bounds {
		// NaN fails b > prev, ±Inf fails b-b == 0: one pass of two tests,
		// as every point of a histogram signal is checked.
		if !(b > prev) || b-b != 0 {
			return false
		}
		prev = b
	}
	return true
}

// Add stores one histogram point at time t (unix nanoseconds): explicit upper
// bounds (len n), bucket counts (len n+1, the last for +Inf), the sum and the
// count of its observations. scale multiplies bounds and sum to normalise
// units (1000 for seconds to milliseconds); scale ≤ 0 means 1. The slices are
// copied into memory the window reuses. Add returns false, storing nothing,
// when the point is late (as Window.Add) or malformed (see CheckBuckets).
func (h *HistWindow) Add(t int64, bounds []float64, counts []uint64, sum float64, count uint64, scale float64) bool {
	if t < h.floor || len(counts) != len(bounds)+1 {
		return false
	}
	if !(scale > 0) || math.IsInf(scale, 1) {
		scale = 1
	}
	// Bounds equal, once scaled, to a set the window holds were checked when
	// that set was stored: the points of a series share their bounds.
	set := h.lookup(bounds, scale)
	if set < 0 && !validBounds(bounds) {
		return false
	}
	if set < 0 && scale != 1 {
		// Scaling can overflow or collapse extreme bounds; refuse rather than
		// store buckets that are no longer increasing.
		prev := math.Inf(-1)
		for _, b := range bounds {
			s := b * scale
			if math.IsInf(s, 0) || !(s > prev) {
				return false
			}
			prev = s
		}
	}
	r := &h.r
	if set >= 0 && r.n >= h.size && t >= h.end && h.replaceOldest(t, set, counts, sum*scale, count) {
		return true
	}
	if !h.makeRoom() {
		if t < h.start {
			return false
		}
		h.dropOldest()
	}
	pos := r.n
	if t < h.end {
		for pos > 0 && h.ts[r.idx(pos-1)] > t {
			pos--
		}
	}
	for i := r.n; i > pos; i-- {
		h.ts[r.idx(i)] = h.ts[r.idx(i-1)]
	}
	h.ts[r.idx(pos)] = t
	if set >= 0 {
		h.sets[set].refs++
	} else {
		set = h.intern(bounds, scale)
	}
	p := r.open(pos)
	p.t, p.sum, p.count, p.set = t, sum*scale, count, int32(set)
	if pos == 0 {
		h.start = t
	}
	if pos == r.n-1 {
		h.end = t
	}
	h.c.fit(len(r.buf), len(counts), widthFor(counts))
	p.n = int32(len(counts))
	p.obs = h.c.store(int(p.row), counts)
	if p.obs > 0 {
		s := &h.sets[set]
		if s.live == 0 {
			s.acc = slices.Grow(s.acc[:0], len(counts))[:len(counts)]
			clear(s.acc)
		}
		for j, c := range counts {
			s.acc[j] += c
		}
		s.live++
	}
	h.mValid = false
	if pos == r.n-1 {
		h.raiseFloor(cutoff(t, h.maxAge))
	}
	return true
}

// replaceOldest is Add's steady state: a full window, a point at or after
// the newest one, bounds of the set the oldest point used. The oldest slot
// takes the new point and becomes the newest, and one pass over the buckets
// swaps the old counts for the new ones in the slot and in the set's running
// sums (uint64 arithmetic wraps, so acc+c-old is acc-old+c exactly). It
// reports false, changing nothing, when the oldest point is of another set
// or had no observations; Add then drops and stores as usual.
func (h *HistWindow) replaceOldest(t int64, set int, counts []uint64, sum float64, count uint64) bool {
	r := &h.r
	head := r.head
	p := &r.buf[head]
	if int(p.set) != set || p.obs == 0 {
		return false
	}
	h.c.fit(len(r.buf), len(counts), widthFor(counts))
	s := &h.sets[set]
	acc := s.acc[:len(counts)]
	obs := h.c.swap(int(p.row), counts, acc)
	if obs == 0 {
		// The new point adds nothing to the sums (its counts wrap to a zero
		// total or are all zero): take its counts back out.
		for j, c := range counts {
			acc[j] -= c
		}
		s.live--
	}
	p.t, p.sum, p.count, p.obs = t, sum, count, obs
	h.ts[head] = t
	r.head = r.idx(1)
	h.start, h.end = h.ts[r.head], t
	h.mValid = false
	h.raiseFloor(cutoff(t, h.maxAge))
	return true
}

// AddExponential stores an OpenTelemetry exponential histogram point by
// converting it to explicit bounds: bucket offset+i of scale s covers
// (base^(offset+i), base^(offset+i+1)] with base = 2^(2^-s), and the zero
// bucket becomes the bucket (-Inf, 0]. Negative buckets are ignored (latency
// has none); sum and count are taken as given. Zero allocations once the
// window's buffers have grown to the point's bucket count.
func (h *HistWindow) AddExponential(t int64, expScale int32, zeroCount uint64, offset int32, counts []uint64, sum float64, count uint64, scale float64) bool {
	key := h.expKey
	key.scale, key.offset, key.n = expScale, offset, len(counts)
	if key != h.expKey || len(h.expBounds) != len(counts)+2 {
		h.expKey = key
		h.expBounds = append(h.expBounds[:0], 0)
		for i := 0; i <= len(counts); i++ {
			h.expBounds = append(h.expBounds, expBoundary(int64(offset)+int64(i), expScale))
		}
	}
	h.expCounts = append(h.expCounts[:0], zeroCount, 0)
	h.expCounts = append(h.expCounts, counts...)
	h.expCounts = append(h.expCounts, 0)
	return h.Add(t, h.expBounds, h.expCounts, sum, count, scale)
}

// expBoundary returns base^index for base 2^(2^-scale): exact powers of two
// where the index allows, as the OpenTelemetry mapping functions do.
func expBoundary(index int64, scale int32) float64 {
	if scale <= 0 {
		// base^index = 2^(index·2^-scale); float64 holds that exponent
		// exactly for every index and scale OpenTelemetry allows.
		e := float64(index) * math.Ldexp(1, int(-scale))
		return math.Ldexp(1, int(max(min(e, 4096), -4096)))
	}
	if scale > 62 {
		scale = 62
	}
	div := int64(1) << uint(scale)
	if index%div == 0 {
		return math.Ldexp(1, int(index/div))
	}
	return math.Exp2(float64(index) / float64(div))
}

// lookup returns the index of the set equal to bounds·scale, or -1. Dropping
// points never changes a set's bounds, so the index stays good through the
// drops that make room for a new point.
func (h *HistWindow) lookup(bounds []float64, scale float64) int {
	for i := range h.sets {
		if equalScaled(h.sets[i].bounds, bounds, scale) {
			return i
		}
	}
	return -1
}

// intern returns the index of the set equal to bounds·scale, adding it (in a
// free set's buffer if there is one) when missing, and takes a reference.
func (h *HistWindow) intern(bounds []float64, scale float64) int {
	free := -1
	for i := range h.sets {
		s := &h.sets[i]
		if equalScaled(s.bounds, bounds, scale) {
			s.refs++
			return i
		}
		if s.refs == 0 && free < 0 {
			free = i
		}
	}
	if free < 0 {
		h.sets = append(h.sets, boundSet{})
		free = len(h.sets) - 1
	}
	s := &h.sets[free]
	s.bounds = s.bounds[:0]
	for _, b := range bounds {
		s.bounds = append(s.bounds, b*scale)
	}
	s.refs = 1
	return free
}

func equalScaled(stored, bounds []float64, scale float64) bool {
	if len(stored) != len(bounds) {
		return false
	}
	for i, b := range bounds {
		if stored[i] != b*scale {
			return false
		}
	}
	return true
}

func (h *HistWindow) dropOldest() {
	p := h.r.at(0)
	s := &h.sets[p.set]
	s.refs--
	if p.obs > 0 {
		h.c.subtract(int(p.row), int(p.n), s.acc)
		s.live--
	}
	h.r.dropOldest()
	h.mValid = false
	if h.r.n == 0 {
		h.start, h.end = 0, 0
	} else {
		h.start = h.ts[h.r.head]
	}
}

// makeRoom is ring.makeRoom keeping ts slot for slot with the ring.
func (h *HistWindow) makeRoom() bool {
	r := &h.r
	head, slots := r.head, len(r.buf)
	if !r.makeRoom(h.size) {
		return false
	}
	if len(r.buf) != slots {
		ts := make([]int64, len(r.buf))
		for i := 0; i < r.n; i++ { // the ring was full: every slot is live
			ts[i] = h.ts[(head+i)%slots]
		}
		h.ts = ts
		// The live points keep their rows, rows 0 to n-1 in some order;
		// the new slots take the rows after them.
		for i := r.n; i < len(r.buf); i++ {
			r.buf[i].row = int32(i)
		}
		h.c.fit(len(r.buf), 0, 0)
	}
	return true
}

// Expire drops the points older than now-maxAge and refuses such points later.
func (h *HistWindow) Expire(now int64) { h.raiseFloor(cutoff(now, h.maxAge)) }

func (h *HistWindow) raiseFloor(c int64) {
	if c <= h.floor {
		return
	}
	h.floor = c
	for h.r.n > 0 && h.start < c {
		h.dropOldest()
	}
}

// Len returns the number of points in the window.
func (h *HistWindow) Len() int { return h.r.n }

// Start returns the oldest point's time, 0 when empty.
func (h *HistWindow) Start() int64 { return h.start }

// End returns the newest point's time, 0 when empty.
func (h *HistWindow) End() int64 { return h.end }

// Reset empties the window and forgets its floor, keeping its memory.
func (h *HistWindow) Reset() {
	h.r.reset()
	h.start, h.end = 0, 0
	for i := range h.sets {
		h.sets[i].refs, h.sets[i].live = 0, 0
	}
	h.floor = math.MinInt64
	h.mValid = false
}

// MemSize returns the approximate number of bytes the window holds.
func (h *HistWindow) MemSize() int {
	n := int(unsafe.Sizeof(*h)) + cap(h.r.buf)*int(unsafe.Sizeof(histPoint{})) + cap(h.ts)*8 + h.c.memSize()
	n += cap(h.sets) * int(unsafe.Sizeof(boundSet{}))
	for i := range h.sets {
		n += (cap(h.sets[i].bounds) + cap(h.sets[i].acc)) * 8
	}
	return n + (cap(h.expBounds)+cap(h.expCounts)+cap(h.mBounds)+cap(h.mCum))*8
}

// Aggregate computes a over the window; false when the window is empty or
// the statistic is unavailable.
//
//   - Count: total observations (the points' counts summed).
//   - Mean: total sum / total count; false when there are no observations.
//   - Last: the newest point's mean (sum/count).
//   - P50, P90, P95, P99: Prometheus histogram_quantile over the merged
//     window — linear interpolation inside the bucket, the lowest bucket
//     starting at 0 when its bound is positive, the largest finite bound when
//     the rank falls in +Inf; false when no point has finite bounds and
//     observations.
//   - Min: the smallest lower bound of a non-empty bucket (0 for a lowest
//     bucket with a positive bound). Max: the largest upper bound of a
//     non-empty finite bucket, or the largest finite bound when the +Inf
//     bucket has observations. Both are bucket-resolution estimates.
//   - Stddev and EWMA are not available from histograms.
//
// Merging points whose bounds differ uses the union of their bounds up to the
// smallest largest-finite-bound among them; a point's bucket is split over the
// merged buckets it spans in proportion to their width — the uniform spread
// inside a bucket that histogram_quantile itself assumes — and observations
// above that limit count in +Inf. With equal bounds, counts are summed as is.
func (h *HistWindow) Aggregate(a Aggregation) (float64, bool) {
	n := h.r.n
	if n == 0 {
		return 0, false
	}
	switch a {
	case Count, Mean:
		var sum float64
		var count uint64
		for i := 0; i < n; i++ {
			p := h.r.at(i)
			sum += p.sum
			count += p.count
		}
		if a == Count {
			return float64(count), true
		}
		if count == 0 {
			return 0, false
		}
		return sum / float64(count), true
	case Last:
		p := h.r.at(n - 1)
		if p.count == 0 {
			return 0, false
		}
		return p.sum / float64(p.count), true
	case Min:
		return h.minBound()
	case Max:
		return h.maxBound()
	}
	if q, ok := a.Quantile(); ok {
		if s := h.onlySet(); s != nil {
			// One bound set (the common case): its running sums are the
			// merged histogram, read in place.
			return countsQuantile(q, s.bounds, s.acc)
		}
		if !h.merge() {
			return 0, false
		}
		return bucketQuantile(q, h.mBounds, h.mCum), true
	}
	return 0, false
}

func (h *HistWindow) minBound() (float64, bool) {
	m, ok := math.Inf(1), false
	for i := 0; i < h.r.n; i++ {
		p := h.r.at(i)
		b := h.sets[p.set].bounds
		j, n := 0, int(p.n)
		for j < n && h.c.get(int(p.row), j) == 0 {
			j++
		}
		var lo float64
		switch {
		case j == n || len(b) == 0:
			continue // no observations, or no bounds to place them
		case j == 0:
			lo = b[0]
			if lo > 0 {
				lo = 0
			}
		default:
			lo = b[j-1]
		}
		m, ok = math.Min(m, lo), true
	}
	return m, ok
}

func (h *HistWindow) maxBound() (float64, bool) {
	m, ok := math.Inf(-1), false
	for i := 0; i < h.r.n; i++ {
		p := h.r.at(i)
		b := h.sets[p.set].bounds
		j := int(p.n) - 1
		for j >= 0 && h.c.get(int(p.row), j) == 0 {
			j--
		}
		if j < 0 || len(b) == 0 {
			continue
		}
		m, ok = math.Max(m, b[min(j, len(b)-1)]), true
	}
	return m, ok
}

// onlySet returns the bound set merge would use alone, or nil when merge
// has several (or none) to combine.
func (h *HistWindow) onlySet() *boundSet {
	var only *boundSet
	for i := range h.sets {
		if s := &h.sets[i]; s.live > 0 && len(s.bounds) > 0 {
			if only != nil {
				return nil
			}
			only = s
		}
	}
	return only
}

// countsQuantile is bucketQuantile over per-bucket counts (one more than
// bounds, the last for +Inf) rather than cumulative ones: the cumulative
// counts are summed on the way, in float64 and in the order merge sums
// them, so the result is the same to the bit. False when there are no
// observations.
func countsQuantile(q float64, bounds []float64, counts []uint64) (float64, bool) {
	m := len(bounds)
	var total float64
	for _, c := range counts[:m+1] {
		total += float64(c)
	}
	if !(total > 0) {
		return 0, false
	}
	rank := q * total
	b, cum, prev := 0, float64(counts[0]), 0.0
	for b < m && cum < rank {
		b++
		prev, cum = cum, cum+float64(counts[b])
	}
	if b == m {
		return bounds[m-1], true
	}
	if b == 0 && bounds[0] <= 0 {
		return bounds[0], true
	}
	start, end, count := 0.0, bounds[b], cum
	if b > 0 {
		start = bounds[b-1]
		count -= prev
		rank -= prev
	}
	return start + (end-start)*(rank/count), true
}

// merge builds the merged histogram of the window's points that have finite
// bounds and observations, reporting false when there are none. Points are
// summed per bound set as they come and go (exact integer sums), so the
// re-bucketing cost is paid once per distinct set, not once per point.
func (h *HistWindow) merge() bool {
	if h.mValid {
		return h.mOK
	}
	h.mValid, h.mOK = true, false
	limit, used := math.Inf(1), 0
	var last *boundSet
	for i := range h.sets {
		s := &h.sets[i]
		s.mark = s.live > 0 && len(s.bounds) > 0
		if s.mark {
			used, last = used+1, s
			limit = math.Min(limit, s.bounds[len(s.bounds)-1])
		}
	}
	if used == 0 {
		return false
	}
	if used == 1 {
		h.mBounds = append(h.mBounds[:0], last.bounds...)
	} else {
		h.mBounds = h.mBounds[:0]
		for i := range h.sets {
			if s := &h.sets[i]; s.mark {
				for _, b := range s.bounds {
					if b <= limit {
						h.mBounds = append(h.mBounds, b)
					}
				}
			}
		}
		slices.Sort(h.mBounds)
		h.mBounds = slices.Compact(h.mBounds)
	}
	m := len(h.mBounds)
	h.mCum = slices.Grow(h.mCum[:0], m+1)[:m+1]
	clear(h.mCum)
	for i := range h.sets {
		s := &h.sets[i]
		switch {
		case !s.mark:
		case used == 1:
			for j, c := range s.acc {
				h.mCum[j] = float64(c)
			}
		default:
			spread(h.mCum, h.mBounds, s.bounds, s.acc, limit)
		}
	}
	for k := 1; k <= m; k++ {
		h.mCum[k] += h.mCum[k-1]
	}
	h.mOK = h.mCum[m] > 0
	return h.mOK
}

// spread adds a point's bucket counts (bounds b) to the merged per-bucket
// counts acc (bounds mb, the last entry for +Inf), splitting each bucket over
// the merged buckets it spans in proportion to the overlap. limit is the
// largest merged bound; the part of a bucket above it goes to +Inf.
func spread(acc, mb, b []float64, counts []uint64, limit float64) {
	m := len(mb)
	k := 0
	for j, cnt := range counts {
		c := float64(cnt)
		if c == 0 {
			continue
		}
		if j == len(b) {
			acc[m] += c
			continue
		}
		hi := b[j]
		var lo float64
		if j == 0 {
			if hi <= 0 {
				// A non-positive lowest bucket is read as all at its bound,
				// as histogram_quantile does.
				if hi <= limit {
					idx, _ := slices.BinarySearch(mb, hi)
					acc[idx] += c
				} else {
					acc[m] += c
				}
				continue
			}
			lo = 0
		} else {
			lo = b[j-1]
		}
		width := hi - lo
		top := hi
		if hi > limit {
			top = limit
			if lo >= limit {
				acc[m] += c
				continue
			}
			acc[m] += c * (hi - limit) / width
		}
		for k < m && mb[k] <= lo {
			k++
		}
		// The merged buckets from here up to top tile (lo, top]: each takes
		// the share of c its overlap with (lo, hi] is of the width.
		for from := lo; k < m; k++ {
			to := mb[k]
			if to > top {
				to = top
			}
			acc[k] += c * (to - from) / width
			from = to
			if mb[k] >= top {
				break
			}
		}
	}
}

// bucketQuantile is Prometheus' histogram_quantile over finite upper bounds
// and cumulative counts (cum has one more entry, for +Inf), 0 ≤ q ≤ 1 and a
// positive total.
func bucketQuantile(q float64, bounds, cum []float64) float64 {
	m := len(bounds)
	rank := q * cum[m]
	b := 0
	for b < m && cum[b] < rank {
		b++
	}
	if b == m {
		return bounds[m-1]
	}
	if b == 0 && bounds[0] <= 0 {
		return bounds[0]
	}
	start, end, count := 0.0, bounds[b], cum[b]
	if b > 0 {
		start = bounds[b-1]
		count -= cum[b-1]
		rank -= cum[b-1]
	}
	return start + (end-start)*(rank/count)
}
