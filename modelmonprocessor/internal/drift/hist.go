package drift

// layout of a Hist: nothing yet, explicit bounds, or exponential buckets.
type layout uint8

const (
	layoutNone layout = iota
	layoutExplicit
	layoutExponential
)

// Hist is a distribution to compare: the sum of a window's histogram points
// (current), or a reference (learned, pinned, previous version). It holds
// either explicit buckets or an exponential histogram, whichever the first
// point brought, and keeps one grid: explicit points on a finer grid are
// summed onto it, a point on a coarser grid coarsens it, and exponential
// points are merged at the smaller scale.
//
// Memory: 8 bytes per bound and per bucket, at most MaxBounds or
// 2·MaxExpBuckets of each. The zero value is an empty histogram.
type Hist struct {
	layout layout
	bounds []float64 // explicit: finite upper bounds, owned
	counts []float64 // explicit: len(bounds)+1
	tmp    []float64 // explicit: a point regridded before it is subtracted
	exp    ExpHist
}

// Reset empties h, keeping its buffers.
func (h *Hist) Reset() {
	h.layout = layoutNone
	h.bounds = h.bounds[:0]
	h.counts = h.counts[:0]
	h.exp.Reset()
}

// Exponential reports whether h holds exponential buckets.
func (h *Hist) Exponential() bool { return h.layout == layoutExponential }

// Total is the number of observations (the sum of the shares for a pinned
// reference).
func (h *Hist) Total() float64 {
	switch h.layout {
	case layoutExplicit:
		var t float64
		for _, c := range h.counts {
			t += c
		}
		return t
	case layoutExponential:
		return h.exp.Total()
	}
	return 0
}

// Explicit returns the bounds and bucket counts of an explicit histogram
// (nil for an empty or exponential one). The slices belong to h.
func (h *Hist) Explicit() (bounds, counts []float64) {
	if h.layout != layoutExplicit {
		return nil, nil
	}
	return h.bounds, h.counts
}

// AddExplicit adds one explicit histogram point. A point on a finer grid
// (its bounds contain h's) is summed onto h's grid; a point on a coarser grid
// first coarsens h; any other grid is ErrIncompatibleBounds. Invalid points
// (CheckPoint) leave h unchanged.
func (h *Hist) AddExplicit(bounds []float64, counts []uint64, count uint64) error {
	return h.explicit(bounds, counts, count, 1)
}

// SubExplicit removes a point AddExplicit added, for a window that slides.
// h's grid stays as coarse as it became.
func (h *Hist) SubExplicit(bounds []float64, counts []uint64, count uint64) error {
	return h.explicit(bounds, counts, count, -1)
}

func (h *Hist) explicit(bounds []float64, counts []uint64, count uint64, sign float64) error {
	if err := CheckPoint(bounds, counts, count); err != nil {
		return err
	}
	switch h.layout {
	case layoutExponential:
		return ErrLayout
	case layoutNone:
		if sign < 0 {
			return ErrNotAdded
		}
		h.layout = layoutExplicit
		h.bounds = append(h.bounds[:0], bounds...)
		h.counts = grow(h.counts, len(counts))
		for i, c := range counts {
			h.counts[i] = float64(c)
		}
		return nil
	}
	if !equalBounds(h.bounds, bounds) {
		coarse, err := Coarser(h.bounds, bounds)
		if err != nil {
			return err
		}
		if len(coarse) < len(h.bounds) {
			if sign < 0 {
				return ErrNotAdded // h never held a point this coarse
			}
			h.coarsen(coarse)
		}
	}
	h.tmp = grow(h.tmp, len(h.counts))
	clear(h.tmp)
	regrid(h.tmp, h.bounds, bounds, counts, 1)
	if sign < 0 {
		for i, c := range h.tmp {
			if c > h.counts[i] {
				return ErrNotAdded
			}
		}
	}
	for i, c := range h.tmp {
		h.counts[i] += sign * c
	}
	return nil
}

// coarsen sums h's buckets onto coarse, a subset of h's bounds, in place:
// a coarse bucket index never exceeds the fine one it gathers.
func (h *Hist) coarsen(coarse []float64) {
	k := 0
	for j, c := range h.counts {
		if j < len(h.bounds) {
			for k < len(coarse) && coarse[k] < h.bounds[j] {
				k++
			}
		} else {
			k = len(coarse)
		}
		if k != j {
			h.counts[k] += c
			h.counts[j] = 0
		}
	}
	h.counts = h.counts[:len(coarse)+1]
	h.bounds = append(h.bounds[:0], coarse...)
}

// SetShares makes h an explicit distribution with the given shares (a pinned
// reference). ValidateDistribution says what is accepted.
func (h *Hist) SetShares(bounds, shares []float64) error {
	if err := ValidateDistribution(bounds, shares); err != nil {
		return err
	}
	h.Reset()
	h.layout = layoutExplicit
	h.bounds = append(h.bounds, bounds...)
	h.counts = append(h.counts, shares...)
	return nil
}

// CopyFrom makes h an independent copy of o (a snapshot that stays while o
// moves on), reusing h's buffers.
func (h *Hist) CopyFrom(o *Hist) {
	h.layout = o.layout
	h.bounds = append(h.bounds[:0], o.bounds...)
	h.counts = append(h.counts[:0], o.counts...)
	h.exp.CopyFrom(&o.exp)
}

// MemSize is the heap memory h holds, in bytes.
func (h *Hist) MemSize() int {
	return 8*(cap(h.bounds)+cap(h.counts)+cap(h.tmp)) + h.exp.MemSize()
}
