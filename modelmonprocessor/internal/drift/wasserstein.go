package drift

import "math"

// wasserstein is the earth mover's distance between the two histograms with
// every bucket's share placed at the bucket's midpoint, divided by the
// reference's standard deviation over the same midpoints:
//
//	W = Σⱼ |P(bⱼ) − Q(bⱼ)| · (mⱼ₊₁ − mⱼ) / σ_ref
//
// which is Σ over buckets of width × the mean of |P − Q| at the bucket's two
// bounds (the trapezoid rule over the cumulative shares), with P − Q = 0 at
// ±∞. It equals scipy.stats.wasserstein_distance(m, m, p, q) / σ_ref.
//
// The two infinite edge buckets are given the width of their neighbouring
// finite bucket: bucket 0 is taken as (b₀ − (b₁ − b₀), b₀] and bucket n as
// (bₙ₋₁, bₙ₋₁ + (bₙ₋₁ − bₙ₋₂)]. Mass moving into or out of an edge bucket
// therefore still counts, as far as one bucket width, instead of vanishing
// (excluded) or weighing infinitely.
//
// σ_ref is the standard deviation of the midpoints under the reference
// shares, floored at w/√12, w the width of the reference's largest bucket
// (the first one when tied): the spread of a uniform distribution over that
// bucket. Without the floor a reference inside a single bucket (σ = 0) would
// make every change infinite; the grid cannot resolve a smaller spread.
//
// Each bucket's contribution is its width × mean |P − Q| at its bounds / σ,
// so the contributions add up to Value.
func wasserstein(bounds, p, q []float64) Result {
	n := len(bounds)
	sigma := refSigma(bounds, q)
	var r Result
	var cp, cq float64
	prev := 0.0 // |P − Q| at the bucket's lower bound (−∞ for bucket 0)
	for i := 0; i <= n; i++ {
		gap := 0.0 // |P − Q| at the upper bound (+∞ for bucket n)
		if i < n {
			cp += p[i]
			cq += q[i]
			gap = math.Abs(cp - cq)
		}
		c := bucketWidth(bounds, i) * (prev + gap) / 2 / sigma
		r.Value += c
		r.offer(bounds, i, p[i], q[i], c)
		prev = gap
	}
	return r
}

// bucketWidth is the width of bucket i, the edge buckets taking their
// neighbour's. len(bounds) ≥ 2.
func bucketWidth(bounds []float64, i int) float64 {
	n := len(bounds)
	switch i {
	case 0:
		return bounds[1] - bounds[0]
	case n:
		return bounds[n-1] - bounds[n-2]
	}
	return bounds[i] - bounds[i-1]
}

// midpoint is the midpoint of bucket i, the edge buckets extended by their
// neighbour's width. len(bounds) ≥ 2.
func midpoint(bounds []float64, i int) float64 {
	n := len(bounds)
	switch i {
	case 0:
		return bounds[0] - (bounds[1]-bounds[0])/2
	case n:
		return bounds[n-1] + (bounds[n-1]-bounds[n-2])/2
	}
	return bounds[i-1] + (bounds[i]-bounds[i-1])/2
}

// refSigma is the floored standard deviation of the midpoints under the
// shares q (two passes: the mean first, for accuracy far from zero).
func refSigma(bounds, q []float64) float64 {
	var mean float64
	mode := 0
	for i, w := range q {
		mean += w * midpoint(bounds, i)
		if w > q[mode] {
			mode = i
		}
	}
	var v float64
	for i, w := range q {
		d := midpoint(bounds, i) - mean
		v += w * d * d
	}
	return max(math.Sqrt(v), bucketWidth(bounds, mode)/math.Sqrt(12))
}
