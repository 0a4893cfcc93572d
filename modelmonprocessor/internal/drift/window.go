package drift

import (
	"errors"
	"math"
	"time"
	"unsafe"
)

// Window sizes when unset, as the processor's other windows.
const (
	DefaultWindowSize   = 128
	DefaultWindowMaxAge = 5 * time.Minute
	// maxBoundSets bounds the distinct bound sets a window keeps for its
	// points; a point with a further set gets its own copy.
	maxBoundSets = 4
)

// ErrLate: a point older than the window accepts (see Window.Add…).
var ErrLate = errors.New("drift: point older than the window")

// windowPoint is one histogram point of a Window; its buffers stay with the
// ring slot and are reused by the point stored there next.
type windowPoint struct {
	t      int64
	exp    bool
	bounds []float64 // explicit: shared with Window.sets or owned
	counts []uint64  // explicit counts, or the positive exponential buckets
	neg    []uint64
	count  uint64
	zero   uint64
	scale  int32
	posOff int32
	negOff int32
}

// Window is the sliding window of one drift rule for one model key and
// group: histogram points in data-point time, bounded by count and age as
// the processor's windows are, and their sum kept up to date as points enter
// and leave, so that an evaluation compares without re-adding anything.
//
// Points are kept in time order. A point is late, refused with ErrLate, when
// it is older than the newest time seen minus maxAge (or the last Expire's
// cutoff), or older than every point of a window already full by count.
//
// The sum's grid only coarsens while the window holds points (see Hist);
// it starts afresh once the window is empty. Likewise a series that changes
// from explicit to exponential buckets (or back) has its points refused with
// ErrLayout until its old points have left the window.
type Window struct {
	buf    []windowPoint
	head   int
	n      int
	size   int
	maxAge int64
	floor  int64
	sets   [][]float64
	sum    Hist
}

// NewWindow returns an empty window; size ≤ 0 means DefaultWindowSize,
// maxAge ≤ 0 DefaultWindowMaxAge.
func NewWindow(size int, maxAge time.Duration) *Window {
	if size <= 0 {
		size = DefaultWindowSize
	}
	if maxAge <= 0 {
		maxAge = DefaultWindowMaxAge
	}
	return &Window{size: size, maxAge: int64(maxAge), floor: math.MinInt64}
}

// Len is the number of points in the window.
func (w *Window) Len() int { return w.n }

// Start and End are the oldest and newest point times (0 when empty).
func (w *Window) Start() int64 {
	if w.n == 0 {
		return 0
	}
	return w.at(0).t
}

// End is the newest point's time (0 when empty).
func (w *Window) End() int64 {
	if w.n == 0 {
		return 0
	}
	return w.at(w.n - 1).t
}

// Hist is the sum of the window's points. It belongs to the window: read
// it, compare it, copy it (Hist.CopyFrom), but do not change it.
func (w *Window) Hist() *Hist { return &w.sum }

// Reset empties the window and forgets its floor, keeping its memory.
func (w *Window) Reset() {
	w.head, w.n = 0, 0
	w.floor = math.MinInt64
	w.sum.Reset()
}

// MemSize is the heap memory the window holds, in bytes.
func (w *Window) MemSize() int {
	n := cap(w.buf)*int(unsafe.Sizeof(windowPoint{})) + w.sum.MemSize()
	for i := range w.buf {
		p := &w.buf[i]
		n += 8 * (cap(p.counts) + cap(p.neg))
		if !w.shared(p.bounds) {
			n += 8 * cap(p.bounds)
		}
	}
	for _, s := range w.sets {
		n += 8 * cap(s)
	}
	return n
}

func (w *Window) at(i int) *windowPoint { return &w.buf[(w.head+i)%len(w.buf)] }

// AddExplicit stores an explicit histogram point at time t (unix
// nanoseconds). It returns ErrLate for a late point and the errors of
// Hist.AddExplicit for an invalid one or one on an incompatible grid; the
// window is then unchanged.
func (w *Window) AddExplicit(t int64, bounds []float64, counts []uint64, count uint64) error {
	pos, err := w.admit(t)
	if err != nil {
		return err
	}
	if err := w.sum.AddExplicit(bounds, counts, count); err != nil {
		return err
	}
	p, subErr := w.insert(pos)
	p.t, p.exp, p.count = t, false, count
	p.bounds = w.intern(p.bounds, bounds)
	p.counts = append(p.counts[:0], counts...)
	w.settle(t, subErr)
	return nil
}

// AddExponential stores an exponential histogram point at time t, as
// AddExplicit does.
func (w *Window) AddExponential(t int64, e *ExpPoint) error {
	pos, err := w.admit(t)
	if err != nil {
		return err
	}
	if err := w.sum.AddExponential(e); err != nil {
		return err
	}
	p, subErr := w.insert(pos)
	p.t, p.exp, p.count = t, true, e.Count
	p.scale, p.zero, p.posOff, p.negOff = e.Scale, e.ZeroCount, e.PositiveOffset, e.NegativeOffset
	p.counts = append(p.counts[:0], e.Positive...)
	p.neg = append(p.neg[:0], e.Negative...)
	w.settle(t, subErr)
	return nil
}

// settle finishes an insertion: the sum is rebuilt if removing the point
// that made room failed, and the floor follows the newest time.
func (w *Window) settle(t int64, subErr error) {
	if subErr != nil {
		w.rebuild()
	}
	if t == w.End() {
		w.raiseFloor(cutoff(t, w.maxAge))
	}
}

// Expire drops the points older than now − maxAge, for a model that
// stopped sending, and refuses such points later.
func (w *Window) Expire(now int64) { w.raiseFloor(cutoff(now, w.maxAge)) }

// admit returns where a point at t goes, dropping the oldest point first
// when the window is full by count.
func (w *Window) admit(t int64) (int, error) {
	if t < w.floor {
		return 0, ErrLate
	}
	if w.n == w.size {
		if t < w.at(0).t {
			return 0, ErrLate
		}
	}
	pos := w.n
	for pos > 0 && w.at(pos-1).t > t {
		pos--
	}
	return pos, nil
}

// insert opens slot pos (after the sum took the new point), first making
// room by removing the oldest point when the window is full, and returns
// the slot, whose buffers are reused.
func (w *Window) insert(pos int) (p *windowPoint, subErr error) {
	if w.n == w.size {
		subErr = w.removeOldest()
		pos--
	}
	if w.n == len(w.buf) {
		w.grow()
	}
	// Shift the newer points one slot up, carrying their buffers, and take
	// the buffers of the slot freed at the end.
	last := *w.at(w.n)
	for i := w.n; i > pos; i-- {
		*w.at(i) = *w.at(i - 1)
	}
	*w.at(pos) = last
	w.n++
	return w.at(pos), subErr
}

// grow doubles the ring (up to size), keeping the points in order.
func (w *Window) grow() {
	n := min(max(2*len(w.buf), 8), w.size)
	buf := make([]windowPoint, n)
	for i := 0; i < w.n; i++ {
		buf[i] = *w.at(i)
	}
	w.buf, w.head = buf, 0
}

func (w *Window) raiseFloor(c int64) {
	if c <= w.floor {
		return
	}
	w.floor = c
	for w.n > 0 && w.at(0).t < c {
		w.dropOldest()
	}
}

// dropOldest removes the oldest point from the ring and the sum.
func (w *Window) dropOldest() {
	err := w.removeOldest()
	switch {
	case w.n == 0:
		w.sum.Reset() // a fresh grid for the next points
	case err != nil:
		w.rebuild()
	}
}

// removeOldest takes the oldest point out of the ring and its counts out of
// the sum. Every stored point was added to the sum, so this cannot fail;
// should it ever, the caller rebuilds the sum rather than leave it wrong.
func (w *Window) removeOldest() error {
	p := w.at(0)
	var err error
	if p.exp {
		e := ExpPoint{Scale: p.scale, ZeroCount: p.zero, PositiveOffset: p.posOff, Positive: p.counts,
			NegativeOffset: p.negOff, Negative: p.neg, Count: p.count}
		err = w.sum.SubExponential(&e)
	} else {
		err = w.sum.SubExplicit(p.bounds, p.counts, p.count)
	}
	w.head = (w.head + 1) % len(w.buf)
	w.n--
	return err
}

// rebuild recomputes the sum from the points.
func (w *Window) rebuild() {
	w.sum.Reset()
	for i := 0; i < w.n; i++ {
		p := w.at(i)
		if p.exp {
			e := ExpPoint{Scale: p.scale, ZeroCount: p.zero, PositiveOffset: p.posOff, Positive: p.counts,
				NegativeOffset: p.negOff, Negative: p.neg, Count: p.count}
			_ = w.sum.AddExponential(&e)
		} else {
			_ = w.sum.AddExplicit(p.bounds, p.counts, p.count)
		}
	}
}

// intern returns bounds as a slice the window keeps: one of its shared
// sets, or else buf (the slot's own buffer) holding a copy.
func (w *Window) intern(buf, bounds []float64) []float64 {
	for _, s := range w.sets {
		if equalBounds(s, bounds) {
			return s
		}
	}
	if len(w.sets) < maxBoundSets {
		s := append([]float64(nil), bounds...)
		w.sets = append(w.sets, s)
		return s
	}
	if w.shared(buf) {
		buf = nil
	}
	return append(buf[:0], bounds...)
}

// shared reports whether b is one of the window's shared bound sets (a
// slot's buffer must never be one, or a later copy would overwrite a set).
func (w *Window) shared(b []float64) bool {
	for _, s := range w.sets {
		if len(s) > 0 && len(b) > 0 && &s[0] == &b[0] {
			return true
		}
	}
	return false
}

func cutoff(t, d int64) int64 {
	if t < math.MinInt64+d {
		return math.MinInt64
	}
	return t - d
}
