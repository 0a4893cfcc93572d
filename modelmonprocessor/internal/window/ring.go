package window

import "math"

// minCapacity is the backing array a window starts with. Most signals are
// exported every 10–60 s, so a 5 m window holds 5–30 points: starting small
// and doubling up to the size keeps those windows far below the worst case,
// and a window that has reached its working size never allocates again.
const minCapacity = 8

// ring is a circular buffer whose items are kept in time order, oldest at
// logical position 0. Dropped and overwritten items stay in the backing array
// so that the buffers they own (histogram counts) are reused by the next item.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

// idx maps logical position i (0 ≤ i ≤ len(buf)) to its index in buf.
func (r *ring[T]) idx(i int) int {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return j
}

func (r *ring[T]) at(i int) *T { return &r.buf[r.idx(i)] }

// segments returns the items in time order as at most two contiguous slices.
func (r *ring[T]) segments() (first, second []T) {
	end := r.head + r.n
	if end <= len(r.buf) {
		return r.buf[r.head:end], nil
	}
	return r.buf[r.head:], r.buf[:end-len(r.buf)]
}

// makeRoom ensures one free slot, growing the backing array by doubling up to
// limit. It reports false when the ring already holds limit items.
func (r *ring[T]) makeRoom(limit int) bool {
	if r.n < len(r.buf) {
		return true
	}
	if len(r.buf) >= limit {
		return false
	}
	c := 2 * len(r.buf)
	if c < minCapacity {
		c = minCapacity
	}
	if c > limit {
		c = limit
	}
	nb := make([]T, c)
	for i := 0; i < r.n; i++ { // the ring is full: every slot is live
		nb[i] = *r.at(i)
	}
	r.buf, r.head = nb, 0
	return true
}

// open inserts a slot at logical position pos (0 ≤ pos ≤ n), shifting the
// newer items up by one, and returns it. There must be a free slot. The slot
// returned is the former free slot, with whatever buffers it still owns.
func (r *ring[T]) open(pos int) *T {
	free := *r.at(r.n)
	for i := r.n; i > pos; i-- {
		r.buf[r.idx(i)] = r.buf[r.idx(i-1)]
	}
	p := r.at(pos)
	*p = free
	r.n++
	return p
}

// dropOldest forgets the oldest item; its slot becomes free for reuse.
func (r *ring[T]) dropOldest() {
	r.head = r.idx(1)
	r.n--
}

func (r *ring[T]) reset() { r.head, r.n = 0, 0 }

// cutoff returns t-d, saturating at the smallest int64 instead of wrapping.
func cutoff(t, d int64) int64 {
	if t < math.MinInt64+d {
		return math.MinInt64
	}
	return t - d
}
