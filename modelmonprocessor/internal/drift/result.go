package drift

import (
	"math"
	"strconv"
)

// TopBuckets is how many of the most contributing buckets a Result keeps.
const TopBuckets = 3

// Bucket is one bucket's part in a distance: where it is and how much of
// the current and the reference distribution it holds.
type Bucket struct {
	// Index is the bucket's position in the compared grid, 0 for (−∞, b₀].
	Index int
	// Lower and Upper are the bucket's bounds, −Inf and +Inf at the edges.
	Lower, Upper float64
	// Cur and Ref are the bucket's shares of the current and the reference
	// distribution (the real shares, before PSI's empty-share floor).
	Cur, Ref float64
	// Contribution is the bucket's term of the distance: for psi,
	// wasserstein and the maxima (linf, ks) in the distance's units; for
	// jensen_shannon and hellinger the term of the squared distance (the
	// divergence), which adds up to Value². For ks the term is the gap of
	// the cumulative shares at the bucket's upper bound.
	Contribution float64
}

// Result is a distance and the buckets that contribute most to it.
type Result struct {
	Value float64
	// Top holds the NTop buckets of largest positive contribution, largest
	// first; ties keep the lower index first.
	Top  [TopBuckets]Bucket
	NTop int
}

// Buckets returns the contributing buckets, largest first.
func (r *Result) Buckets() []Bucket { return r.Top[:r.NTop] }

// offer keeps bucket i if it is among the largest contributions so far.
func (r *Result) offer(bounds []float64, i int, cur, ref, c float64) {
	if !(c > 0) {
		return
	}
	k := r.NTop
	if k == TopBuckets {
		if c <= r.Top[k-1].Contribution {
			return
		}
		k--
	} else {
		r.NTop++
	}
	for k > 0 && r.Top[k-1].Contribution < c {
		r.Top[k] = r.Top[k-1]
		k--
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	if i > 0 {
		lo = bounds[i-1]
	}
	if i < len(bounds) {
		hi = bounds[i]
	}
	r.Top[k] = Bucket{Index: i, Lower: lo, Upper: hi, Cur: cur, Ref: ref, Contribution: c}
}

// String describes the bucket for a person: its range and both shares,
// e.g. "(20, 30]: 45.0% vs 20.0%".
func (b Bucket) String() string {
	return "(" + strconv.FormatFloat(b.Lower, 'g', 6, 64) + ", " + strconv.FormatFloat(b.Upper, 'g', 6, 64) + "]: " +
		strconv.FormatFloat(100*b.Cur, 'f', 1, 64) + "% vs " + strconv.FormatFloat(100*b.Ref, 'f', 1, 64) + "%"
}
