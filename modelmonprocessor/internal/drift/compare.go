package drift

// Compare returns distance d between the current distribution and the
// reference. Explicit histograms on different grids are compared on the
// coarser one when one contains the other (ErrIncompatibleBounds
// otherwise); exponential histograms are compared at the smaller of their
// scales over the union of their buckets, seen as explicit bounds: a
// negative bucket i as (−base^(i+1), −base^i], the zero bucket between the
// negative and the positive ones, a positive bucket i as (base^i, base^(i+1)].
//
// With a reused Scratch it allocates nothing.
func Compare(d Distance, cur, ref *Hist, s *Scratch) (Result, error) {
	bounds, cw, rw, err := s.align(cur, ref)
	if err != nil {
		return Result{}, err
	}
	return Compute(d, bounds, cw, rw, s)
}

// Align lays the current and the reference distribution onto the grid
// Compare compares them on: its bounds and each side's counts (a pinned
// reference's shares) per bucket. The slices are s's or the histograms',
// valid until either changes or s is used again; an empty side is ErrEmpty.
func (s *Scratch) Align(cur, ref *Hist) (bounds, curCounts, refCounts []float64, err error) {
	return s.align(cur, ref)
}

// align lays cur and ref onto one grid: bounds and the counts of each on
// it, in s's buffers or the histograms' own.
func (s *Scratch) align(cur, ref *Hist) (bounds, cw, rw []float64, err error) {
	if cur.layout == layoutNone || ref.layout == layoutNone {
		return nil, nil, nil, ErrEmpty
	}
	if cur.layout != ref.layout {
		return nil, nil, nil, ErrLayout
	}
	if cur.layout == layoutExponential {
		return s.alignExp(&cur.exp, &ref.exp)
	}
	if equalBounds(cur.bounds, ref.bounds) {
		return cur.bounds, cur.counts, ref.counts, nil
	}
	coarse, err := Coarser(cur.bounds, ref.bounds)
	if err != nil {
		return nil, nil, nil, err
	}
	s.cur = grow(s.cur, len(coarse)+1)
	s.ref = grow(s.ref, len(coarse)+1)
	clear(s.cur)
	clear(s.ref)
	regrid(s.cur, coarse, cur.bounds, cur.counts, 1)
	regrid(s.ref, coarse, ref.bounds, ref.counts, 1)
	return coarse, s.cur, s.ref, nil
}

// alignExp lays two exponential histograms onto one explicit grid in s.
func (s *Scratch) alignExp(a, b *ExpHist) (bounds, aw, bw []float64, err error) {
	scale := min(a.scale, b.scale)
	da, db := a.scale-scale, b.scale-scale
	pLo, pHi := a.pos.span(da)
	bl, bh := b.pos.span(db)
	pLo, pHi = union(pLo, pHi, bl, bh, bl <= bh)
	nLo, nHi := a.neg.span(da)
	bl, bh = b.neg.span(db)
	nLo, nHi = union(nLo, nHi, bl, bh, bl <= bh)
	scale, ok := fitScale(scale, scale, pLo, pHi, nLo, nHi)
	if !ok {
		return nil, nil, nil, ErrExpPoint
	}
	// Re-derive the spans at the fitted scale.
	da, db = a.scale-scale, b.scale-scale
	pLo, pHi = a.pos.span(da)
	bl, bh = b.pos.span(db)
	pLo, pHi = union(pLo, pHi, bl, bh, bl <= bh)
	nLo, nHi = a.neg.span(da)
	bl, bh = b.neg.span(db)
	nLo, nHi = union(nLo, nHi, bl, bh, bl <= bh)
	hasPos, hasNeg := pLo <= pHi, nLo <= nHi

	zeroAt := 0
	if hasNeg {
		zeroAt = int(nHi-nLo) + 2
	}
	// Bounds: −base^(nHi+1) … −base^nLo, then base^pLo … base^(pHi+1); kept
	// while the layout stays, as it does between evaluations of one rule.
	key := expGrid{scale, nLo, nHi, pLo, pHi, hasNeg, hasPos, true}
	if s.grid != key {
		s.grid = key
		s.bounds = s.bounds[:0]
		if hasNeg {
			for k := nHi + 1; k >= nLo; k-- {
				s.bounds = append(s.bounds, -expBase(k, scale))
			}
		}
		if hasPos {
			for k := pLo; k <= pHi+1; k++ {
				s.bounds = append(s.bounds, expBase(k, scale))
			}
		}
	}
	n := len(s.bounds) + 1
	s.cur, s.ref = grow(s.cur, n), grow(s.ref, n)
	fillExp(s.cur, a, a.scale-scale, zeroAt, nHi, pLo)
	fillExp(s.ref, b, b.scale-scale, zeroAt, nHi, pLo)
	return s.bounds, s.cur, s.ref, nil
}

// expGrid identifies the explicit view of an exponential layout.
type expGrid struct {
	scale                int32
	nLo, nHi, pLo, pHi   int64
	hasNeg, hasPos, used bool
}

// fillExp writes h's counts, downscaled by d, into the explicit buckets w.
func fillExp(w []float64, h *ExpHist, d int32, zeroAt int, nHi, pLo int64) {
	clear(w)
	w[zeroAt] = h.zero
	for i, c := range h.neg.counts {
		k := (h.neg.offset + int64(i)) >> d
		w[1+int(nHi-k)] += c
	}
	for i, c := range h.pos.counts {
		k := (h.pos.offset + int64(i)) >> d
		w[zeroAt+1+int(k-pLo)] += c
	}
}
