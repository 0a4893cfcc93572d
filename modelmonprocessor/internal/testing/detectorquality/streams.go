package main

import (
	"math"
	"math/rand/v2"
)

// Level and noise of every synthetic stream: an accuracy-like gauge. The
// detectors normalise by what they learn, so the scale only has to be
// realistic, not special.
const (
	level = 0.9
	sigma = 0.01
)

// noise yields unit-variance samples of one stationary process.
type noise interface{ next() float64 }

type gaussian struct{ r *rand.Rand }

func (g *gaussian) next() float64 { return g.r.NormFloat64() }

// studentT is Student's t with ν = 3, scaled to unit variance (Var t₃ = 3),
// so that "σ" means the same in every stream while the tails are heavy.
type studentT struct{ r *rand.Rand }

func (s *studentT) next() float64 {
	z := s.r.NormFloat64()
	chi2 := 0.0
	for range 3 {
		v := s.r.NormFloat64()
		chi2 += v * v
	}
	return z / math.Sqrt(chi2/3) / math.Sqrt(3)
}

// sinusoid is Gaussian noise around a slow sine of amplitude 0.5σ and period
// 2,000 samples, starting at a random phase per seed.
type sinusoid struct {
	r     *rand.Rand
	i     int
	phase float64
}

func (s *sinusoid) next() float64 {
	s.i++
	return s.r.NormFloat64() + 0.5*math.Sin(2*math.Pi*float64(s.i)/2000+s.phase)
}

// ar1 is x_t = φ x_{t-1} + √(1-φ²) ε_t with φ = 0.5, started in its stationary
// law, so its marginal σ is 1 but its sums wander √3 times farther than white
// noise's.
type ar1 struct {
	r *rand.Rand
	x float64
}

const phi = 0.5

func (a *ar1) next() float64 {
	a.x = phi*a.x + math.Sqrt(1-phi*phi)*a.r.NormFloat64()
	return a.x
}

// stationary names the false-alarm streams in table order.
var stationary = []struct {
	name string
	make func(r *rand.Rand) noise
}{
	{"Gaussian", func(r *rand.Rand) noise { return &gaussian{r} }},
	{"Student-t ν=3", func(r *rand.Rand) noise { return &studentT{r} }},
	{"sine drift", func(r *rand.Rand) noise { return &sinusoid{r: r, phase: 2 * math.Pi * r.Float64()} }},
	{"AR(1) φ=0.5", func(r *rand.Rand) noise { return &ar1{r: r, x: r.NormFloat64()} }},
}

// change is a shift of the mean, in σ, that starts at the change point and is
// applied in the rule's bad direction.
type change struct {
	name  string
	shift func(k int) float64 // k = samples since the change, from 1
}

func step(size float64) func(int) float64 { return func(int) float64 { return size } }

// decay ramps linearly to 3σ over the 500 samples of the detection horizon.
func decay(k int) float64 { return 3 * math.Min(float64(k)/horizon, 1) }

var changes = []change{
	{"1σ step", step(1)},
	{"2σ step", step(2)},
	{"3σ step", step(3)},
	{"3σ decay/500", decay},
}
