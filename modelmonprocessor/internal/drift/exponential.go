package drift

import (
	"errors"
	"math"
)

// The scales OpenTelemetry allows for exponential histograms.
const (
	MinScale = -10
	MaxScale = 20
)

// MaxExpBuckets bounds the index span of each sign of an ExpHist. Merging
// points whose buckets lie far apart would widen it without bound; beyond
// it the histogram is downscaled, as the SDKs do past their 160 buckets.
const MaxExpBuckets = 320

// ErrExpPoint: an exponential point with a scale outside [-10, 20], more
// than MaxBounds buckets of a sign, or indices beyond int32.
var ErrExpPoint = errors.New("drift: exponential point with an invalid scale, size or offset")

// ExpPoint is one exponential histogram point as OTLP carries it: positive
// bucket Offset+i counts values in (base^(Offset+i), base^(Offset+i+1)],
// negative ones the same magnitudes below zero, base = 2^(2^-Scale).
type ExpPoint struct {
	Scale          int32
	ZeroCount      uint64
	PositiveOffset int32
	Positive       []uint64
	NegativeOffset int32
	Negative       []uint64
	Count          uint64
}

// check validates p and returns the first and last index with a count per
// sign (lo > hi when the sign is empty).
func (p *ExpPoint) check() (plo, phi, nlo, nhi int64, err error) {
	if p.Scale < MinScale || p.Scale > MaxScale || len(p.Positive) > MaxBounds || len(p.Negative) > MaxBounds {
		return 0, 0, 0, 0, ErrExpPoint
	}
	sum := p.ZeroCount
	var ok bool
	if plo, phi, sum, ok = span(p.PositiveOffset, p.Positive, sum); !ok {
		return 0, 0, 0, 0, ErrExpPoint
	}
	if nlo, nhi, sum, ok = span(p.NegativeOffset, p.Negative, sum); !ok {
		return 0, 0, 0, 0, ErrExpPoint
	}
	if sum != p.Count {
		return 0, 0, 0, 0, ErrCountMismatch
	}
	return plo, phi, nlo, nhi, nil
}

// span returns the indices of the first and last non-zero count and adds
// the counts to sum; ok is false on an overflowing sum or index.
func span(offset int32, counts []uint64, sum uint64) (lo, hi int64, total uint64, ok bool) {
	lo, hi = 1, 0
	if int64(offset)+int64(len(counts)) > math.MaxInt32+1 {
		return 0, 0, 0, false
	}
	for i, c := range counts {
		if c == 0 {
			continue
		}
		if sum+c < sum {
			return 0, 0, 0, false
		}
		sum += c
		idx := int64(offset) + int64(i)
		if lo > hi {
			lo = idx
		}
		hi = idx
	}
	return lo, hi, sum, true
}

// expRange is the dense counts of one sign from index offset on.
type expRange struct {
	offset int64
	counts []float64
}

func (r *expRange) empty() bool { return len(r.counts) == 0 }

// bounds of the range downscaled by d (lo > hi when empty).
func (r *expRange) span(d int32) (lo, hi int64) {
	if r.empty() {
		return 1, 0
	}
	return r.offset >> d, (r.offset + int64(len(r.counts)) - 1) >> d
}

// downscale merges buckets 2^d at a time in place: the new position of a
// bucket never exceeds its old one.
func (r *expRange) downscale(d int32) {
	if d == 0 || r.empty() {
		return
	}
	lo, hi := r.span(d)
	for i, c := range r.counts {
		j := (r.offset+int64(i))>>d - lo
		if int64(i) != j {
			r.counts[j] += c
			r.counts[i] = 0
		}
	}
	r.counts = r.counts[:hi-lo+1]
	r.offset = lo
}

// extend widens the range to [lo, hi], keeping its counts in place.
func (r *expRange) extend(lo, hi int64) {
	if r.empty() {
		r.offset = lo
		r.counts = grow(r.counts, int(hi-lo+1))
		clear(r.counts)
		return
	}
	curLo, curHi := r.offset, r.offset+int64(len(r.counts))-1
	lo, hi = min(lo, curLo), max(hi, curHi)
	if lo == curLo && hi == curHi {
		return
	}
	n := int(hi - lo + 1)
	shift := int(curLo - lo)
	old := len(r.counts)
	if cap(r.counts) >= n {
		r.counts = r.counts[:n]
		copy(r.counts[shift:], r.counts[:old])
	} else {
		c := make([]float64, n, n+n/4)
		copy(c[shift:], r.counts)
		r.counts = c
	}
	clear(r.counts[:shift])
	clear(r.counts[shift+old:])
	r.offset = lo
}

// ExpHist is a sum of exponential histogram points at one scale: the
// smallest scale among them, further lowered while a sign's buckets would
// span more than MaxExpBuckets indices.
type ExpHist struct {
	scale    int32
	set      bool
	zero     float64
	pos, neg expRange
	tmp      [2][]float64 // a point's counts per sign at h's scale, before removing it
}

// Reset empties h, keeping its buffers.
func (h *ExpHist) Reset() {
	h.set, h.zero = false, 0
	h.pos.counts, h.neg.counts = h.pos.counts[:0], h.neg.counts[:0]
}

// Scale is the scale h holds its buckets at.
func (h *ExpHist) Scale() int32 { return h.scale }

// Total is the number of observations.
func (h *ExpHist) Total() float64 {
	t := h.zero
	for _, c := range h.pos.counts {
		t += c
	}
	for _, c := range h.neg.counts {
		t += c
	}
	return t
}

// CopyFrom makes h an independent copy of o.
func (h *ExpHist) CopyFrom(o *ExpHist) {
	h.scale, h.set, h.zero = o.scale, o.set, o.zero
	h.pos.offset, h.neg.offset = o.pos.offset, o.neg.offset
	h.pos.counts = append(h.pos.counts[:0], o.pos.counts...)
	h.neg.counts = append(h.neg.counts[:0], o.neg.counts...)
}

// MemSize is the heap memory h holds, in bytes.
func (h *ExpHist) MemSize() int {
	return 8 * (cap(h.pos.counts) + cap(h.neg.counts) + cap(h.tmp[0]) + cap(h.tmp[1]))
}

// fitScale lowers scale until both spans, given at scale `from`, fit
// MaxExpBuckets; ok is false if even MinScale does not.
func fitScale(scale, from int32, spans ...int64) (int32, bool) {
	for ; scale >= MinScale; scale-- {
		fits := true
		for i := 0; i+1 < len(spans); i += 2 {
			lo, hi := spans[i], spans[i+1]
			if lo <= hi && (hi>>(from-scale))-(lo>>(from-scale)) >= MaxExpBuckets {
				fits = false
			}
		}
		if fits {
			return scale, true
		}
	}
	return 0, false
}

// add merges p into h with sign +1, or removes it with −1.
func (h *ExpHist) add(p *ExpPoint, sign float64) error {
	plo, phi, nlo, nhi, err := p.check()
	if err != nil {
		return err
	}
	if !h.set {
		if sign < 0 {
			return ErrNotAdded
		}
		h.set, h.scale, h.zero = true, p.Scale, 0
		h.pos.counts, h.neg.counts = h.pos.counts[:0], h.neg.counts[:0]
	}
	target := min(h.scale, p.Scale)
	// The union span per sign at the target scale; fitScale lowers the
	// target further while a span is wider than MaxExpBuckets.
	hpLo, hpHi := h.pos.span(h.scale - target)
	hnLo, hnHi := h.neg.span(h.scale - target)
	d := p.Scale - target
	uLo, uHi := union(hpLo, hpHi, plo>>d, phi>>d, plo <= phi)
	vLo, vHi := union(hnLo, hnHi, nlo>>d, nhi>>d, nlo <= nhi)
	target, ok := fitScale(target, target, uLo, uHi, vLo, vHi)
	if !ok {
		return ErrExpPoint
	}
	if sign < 0 && target != h.scale {
		return ErrNotAdded
	}
	h.pos.downscale(h.scale - target)
	h.neg.downscale(h.scale - target)
	h.scale = target
	d = p.Scale - target
	if sign < 0 {
		// Several of the point's buckets may fall into one of h's: compare
		// and subtract the sums, so that h never goes below zero.
		if !gather(&h.tmp[0], &h.pos, p.PositiveOffset, p.Positive, d) ||
			!gather(&h.tmp[1], &h.neg, p.NegativeOffset, p.Negative, d) || h.zero < float64(p.ZeroCount) {
			return ErrNotAdded
		}
		for j, c := range h.tmp[0] {
			h.pos.counts[j] -= c
		}
		for j, c := range h.tmp[1] {
			h.neg.counts[j] -= c
		}
		h.zero -= float64(p.ZeroCount)
		return nil
	}
	if plo <= phi {
		h.pos.extend(plo>>d, phi>>d)
	}
	if nlo <= nhi {
		h.neg.extend(nlo>>d, nhi>>d)
	}
	addCounts(&h.pos, p.PositiveOffset, p.Positive, d)
	addCounts(&h.neg, p.NegativeOffset, p.Negative, d)
	h.zero += float64(p.ZeroCount)
	return nil
}

// gather sums one sign of a point onto r's buckets in tmp; ok is false if
// r does not hold that much.
func gather(tmp *[]float64, r *expRange, offset int32, counts []uint64, d int32) bool {
	*tmp = grow(*tmp, len(r.counts))
	t := *tmp
	clear(t)
	for i, c := range counts {
		if c == 0 {
			continue
		}
		j := (int64(offset)+int64(i))>>d - r.offset
		if j < 0 || j >= int64(len(r.counts)) {
			return false
		}
		t[j] += float64(c)
	}
	for j, c := range t {
		if r.counts[j] < c {
			return false
		}
	}
	return true
}

func addCounts(r *expRange, offset int32, counts []uint64, d int32) {
	for i, c := range counts {
		if c != 0 {
			r.counts[(int64(offset)+int64(i))>>d-r.offset] += float64(c)
		}
	}
}

// union of [alo, ahi] (empty when alo > ahi) and [blo, bhi] if hasB.
func union(alo, ahi, blo, bhi int64, hasB bool) (int64, int64) {
	switch {
	case !hasB:
		return alo, ahi
	case alo > ahi:
		return blo, bhi
	}
	return min(alo, blo), max(ahi, bhi)
}

// AddExponential adds one exponential histogram point. Invalid points
// (scale, size, counts not adding up to Count) leave h unchanged.
func (h *Hist) AddExponential(p *ExpPoint) error {
	if h.layout == layoutExplicit {
		return ErrLayout
	}
	if err := h.exp.add(p, 1); err != nil {
		return err
	}
	h.layout = layoutExponential
	return nil
}

// SubExponential removes a point AddExponential added.
func (h *Hist) SubExponential(p *ExpPoint) error {
	if h.layout != layoutExponential {
		return ErrNotAdded
	}
	return h.exp.add(p, -1)
}

// expBase returns base^index for base 2^(2^-scale): exact at powers of two,
// ±Inf or 0 beyond float64's range.
func expBase(index int64, scale int32) float64 {
	if scale <= 0 {
		return math.Ldexp(1, int(index<<uint(-scale)))
	}
	q := index >> uint(scale)
	r := index - q<<uint(scale)
	return math.Ldexp(math.Exp2(float64(r)/float64(int64(1)<<uint(scale))), int(q))
}
