package window

import (
	"math"
	"time"
)

// ratioEntry is what arrived at one data-point time: the increments of a
// numerator and a denominator (failed and all requests, or a duration
// total and a request count).
type ratioEntry struct {
	t        int64
	num, den float64
}

// Ratio is a sliding window of two sums over data-point time: error rates
// (failed over all requests) and ratios of counters (total duration over
// requests) are shares of what happened in the window, not averages of
// per-point shares, so the window keeps increments and divides their sums.
//
// Points of one scrape or one export share a timestamp, so increments at
// an existing time join its entry: a window of size entries spans size
// scrapes whatever the number of series. A late increment (behind the
// newest time but within maxAge) joins the newest entry at or before its
// time, or the oldest; one older than maxAge behind the newest is refused.
// Memory is fixed at creation; Add never allocates.
type Ratio struct {
	buf    []ratioEntry
	head   int // index of the oldest entry
	n      int
	maxAge int64
	floor  int64
	// num and den are the running totals. Subtracting dropped entries
	// from a float sum drifts, so after as many drops as the window holds
	// they are summed again from the entries: exact, and O(1) amortised.
	num, den float64
	drops    int
}

// NewRatio returns an empty ratio window of at most size entries (≤ 0:
// DefaultSize) spanning at most maxAge (≤ 0: DefaultMaxAge).
func NewRatio(size int, maxAge time.Duration) *Ratio {
	if size <= 0 {
		size = DefaultSize
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	return &Ratio{buf: make([]ratioEntry, size), maxAge: int64(maxAge), floor: math.MinInt64}
}

func (r *Ratio) at(i int) *ratioEntry { return &r.buf[(r.head+i)%len(r.buf)] }

// Add records increments num and den at t (unix nanoseconds); false, and
// nothing recorded, for a late time or a value that is not a finite
// non-negative number.
func (r *Ratio) Add(t int64, num, den float64) bool {
	if t < r.floor || !(num >= 0) || !(den >= 0) || math.IsInf(num, 0) || math.IsInf(den, 0) {
		return false
	}
	if r.n > 0 {
		newest := r.at(r.n - 1)
		if t <= newest.t {
			e := r.at(0)
			for i := r.n - 1; i >= 0; i-- {
				if c := r.at(i); c.t <= t {
					e = c
					break
				}
			}
			e.num += num
			e.den += den
			r.num += num
			r.den += den
			return true
		}
	}
	if r.n == len(r.buf) {
		r.dropOldest()
	}
	*r.at(r.n) = ratioEntry{t: t, num: num, den: den}
	r.n++
	r.num += num
	r.den += den
	r.raiseFloor(cutoff(t, r.maxAge))
	return true
}

// Expire drops the entries older than now-maxAge and refuses such times later.
func (r *Ratio) Expire(now int64) { r.raiseFloor(cutoff(now, r.maxAge)) }

func (r *Ratio) raiseFloor(c int64) {
	if c <= r.floor {
		return
	}
	r.floor = c
	for r.n > 0 && r.at(0).t < c {
		r.dropOldest()
	}
}

func (r *Ratio) dropOldest() {
	e := r.at(0)
	r.num -= e.num
	r.den -= e.den
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	r.drops++
}

// Sums returns the numerator and denominator totals over the window.
func (r *Ratio) Sums() (num, den float64) {
	if r.drops >= len(r.buf) || r.n == 0 {
		r.num, r.den, r.drops = 0, 0, 0
		for i := 0; i < r.n; i++ {
			e := r.at(i)
			r.num += e.num
			r.den += e.den
		}
	}
	return r.num, r.den
}

// Value returns num/den over the window; false when the denominator is 0.
func (r *Ratio) Value() (v, den float64, ok bool) {
	num, den := r.Sums()
	if den <= 0 {
		return 0, den, false
	}
	return num / den, den, true
}

// Len returns the number of entries (distinct times) in the window.
func (r *Ratio) Len() int { return r.n }

// Start returns the oldest entry's time, 0 when empty.
func (r *Ratio) Start() int64 {
	if r.n == 0 {
		return 0
	}
	return r.at(0).t
}

// End returns the newest entry's time, 0 when empty.
func (r *Ratio) End() int64 {
	if r.n == 0 {
		return 0
	}
	return r.at(r.n - 1).t
}

// Reset empties the window and forgets its floor, keeping its memory.
func (r *Ratio) Reset() {
	r.head, r.n = 0, 0
	r.num, r.den, r.drops = 0, 0, 0
	r.floor = math.MinInt64
}
