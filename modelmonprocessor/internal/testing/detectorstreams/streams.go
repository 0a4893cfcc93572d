// Package detectorstreams holds the synthetic accuracy-like streams the
// detection strategies are measured on: stationary noise of several shapes
// (for false alarms) and shifts of the mean (for detection delay). The
// detectorquality command measures the detectors on them; the processor's
// window replay test feeds them through the engine.
package detectorstreams

import (
	"math"
	"math/rand/v2"
)

// Level and noise of every synthetic stream: an accuracy-like gauge. The
// detectors normalise by what they learn, so the scale only has to be
// realistic, not special.
const (
	Level = 0.9
	Sigma = 0.01
)

// Horizon is how long after a change, in samples, a detector has before it
// counts as missed; the decay change reaches its full size at it.
const Horizon = 500

// Noise yields unit-variance samples of one stationary process.
type Noise interface{ Next() float64 }

type gaussian struct{ r *rand.Rand }

func (g *gaussian) Next() float64 { return g.r.NormFloat64() }

// studentT is Student's t with ν = 3, scaled to unit variance (Var t₃ = 3),
// so that "σ" means the same in every stream while the tails are heavy.
type studentT struct{ r *rand.Rand }

func (s *studentT) Next() float64 {
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

func (s *sinusoid) Next() float64 {
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

func (a *ar1) Next() float64 {
	a.x = phi*a.x + math.Sqrt(1-phi*phi)*a.r.NormFloat64()
	return a.x
}

// Stationary names the false-alarm streams in table order.
var Stationary = []struct {
	Name string
	Make func(r *rand.Rand) Noise
}{
	{"Gaussian", func(r *rand.Rand) Noise { return &gaussian{r} }},
	{"Student-t ν=3", func(r *rand.Rand) Noise { return &studentT{r} }},
	{"sine drift", func(r *rand.Rand) Noise { return &sinusoid{r: r, phase: 2 * math.Pi * r.Float64()} }},
	{"AR(1) φ=0.5", func(r *rand.Rand) Noise { return &ar1{r: r, x: r.NormFloat64()} }},
}

// Change is a shift of the mean, in σ, that starts at the change point and is
// applied in the rule's bad direction.
type Change struct {
	Name  string
	Shift func(k int) float64 // k = samples since the change, from 1
}

func step(size float64) func(int) float64 { return func(int) float64 { return size } }

// decay ramps linearly to 3σ over the Horizon samples.
func decay(k int) float64 { return 3 * math.Min(float64(k)/Horizon, 1) }

// Changes names the changes in table order.
var Changes = []Change{
	{"1σ step", step(1)},
	{"2σ step", step(2)},
	{"3σ step", step(3)},
	{"3σ decay/500", decay},
}
