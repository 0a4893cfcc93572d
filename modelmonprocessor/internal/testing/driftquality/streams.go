package main

import (
	"math"
	"math/rand/v2"
	"slices"
)

// stream is a stationary distribution of feature values with the fixed
// bucket bounds an exporting service would have configured for it.
type stream struct {
	name string
	// mean and sd of the stationary distribution: a shift of kσ moves
	// every value by k·sd, a scale change stretches values around mean.
	mean, sd float64
	bounds   []float64
	// draw returns one value shifted by shift (in units of the values)
	// and scaled around mean by scale.
	draw func(r *rand.Rand, shift, scale float64) float64
}

// numBounds is the number of bucket bounds of every stream's histogram.
const numBounds = 15

// linear returns numBounds equally spaced bounds from lo to hi, as linear
// buckets configured over a feature's plausible range.
func linear(lo, hi float64) []float64 {
	n := numBounds
	b := make([]float64, n)
	for i := range b {
		b[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return b
}

// z999 is the 0.999 quantile of the standard normal: the bounds cover the
// central 99.8% of each continuous stream, the rest falls in the edge buckets.
const z999 = 3.0902323061678132

func streams() []stream {
	const s = 0.5 // log-scale σ of the lognormal stream
	lnMean := math.Exp(s * s / 2)
	lnSD := math.Sqrt((math.Exp(s*s) - 1) * math.Exp(s*s))
	return []stream{
		{
			name: "normal", mean: 0, sd: 1,
			bounds: linear(-z999, z999),
			draw: func(r *rand.Rand, shift, scale float64) float64 {
				return r.NormFloat64()*scale + shift
			},
		},
		{
			name: "lognormal", mean: lnMean, sd: lnSD,
			bounds: linear(math.Exp(-z999*s), math.Exp(z999*s)),
			draw: func(r *rand.Rand, shift, scale float64) float64 {
				return lnMean + (math.Exp(s*r.NormFloat64())-lnMean)*scale + shift
			},
		},
		{
			// Two modes at ±2 (σ 1 each): σ = √5.
			name: "bimodal", mean: 0, sd: math.Sqrt(5),
			bounds: linear(-2-z999, 2+z999),
			draw: func(r *rand.Rand, shift, scale float64) float64 {
				x := r.NormFloat64() + 2
				if r.IntN(2) == 0 {
					x -= 4
				}
				return x*scale + shift
			},
		},
		{
			// Poisson(4) counts, one bucket per integer 0…14 and one above.
			// A discrete feature stays discrete under a change: a mean
			// shift raises the rate, a scale change stretches the integers
			// around the mean and rounds.
			name: "discrete", mean: 4, sd: 2,
			bounds: linear(0.5, 14.5),
			draw: func(r *rand.Rand, shift, scale float64) float64 {
				x := float64(poisson(r, 4+shift))
				return math.Round(4 + (x-4)*scale)
			},
		},
	}
}

// poisson draws a Poisson(λ) count by Knuth's product method (λ ≤ 10 here).
func poisson(r *rand.Rand, lambda float64) int {
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// point fills counts (len(bounds)+1) with a histogram of n draws, as one
// exported histogram point of n observations.
func (st *stream) point(r *rand.Rand, counts []float64, n int, shift, scale float64) {
	clear(counts)
	for range n {
		x := st.draw(r, shift, scale)
		i, _ := slices.BinarySearch(st.bounds, x) // (lower, upper]: first bound ≥ x
		counts[i]++
	}
}
