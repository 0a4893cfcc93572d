package drift

import (
	"errors"
	"fmt"
	"math"
)

// Distance names one of the distances between two bucketed distributions.
type Distance uint8

// The distances, named in configuration as their String.
const (
	PSI Distance = iota + 1
	JensenShannon
	Hellinger
	Wasserstein
	KS
	LInf
)

var distanceNames = [...]string{
	PSI:           "psi",
	JensenShannon: "jensen_shannon",
	Hellinger:     "hellinger",
	Wasserstein:   "wasserstein",
	KS:            "ks",
	LInf:          "linf",
}

// defaultThresholds are the `above:` values docs/drift.md recommends: the
// conventions of the batch tools operators know (PSI 0.1 as Evidently's
// default and the lower edge of the 0.1/0.25 rule of thumb, JS distance 0.1 as
// NannyML, normalised Wasserstein 0.1 as Evidently), and 0.1 for the share-
// based distances, whose values read as "a tenth of the mass moved".
var defaultThresholds = [...]float64{
	PSI:           0.1,
	JensenShannon: 0.1,
	Hellinger:     0.1,
	Wasserstein:   0.1,
	KS:            0.1,
	LInf:          0.1,
}

// String returns the configuration name, e.g. "jensen_shannon".
func (d Distance) String() string {
	if int(d) < len(distanceNames) && distanceNames[d] != "" {
		return distanceNames[d]
	}
	return fmt.Sprintf("distance(%d)", uint8(d))
}

// DefaultThreshold is the documented default `above:` bound of the distance.
func (d Distance) DefaultThreshold() float64 {
	if int(d) < len(defaultThresholds) {
		return defaultThresholds[d]
	}
	return math.NaN()
}

// Names lists the distance names in the order docs/drift.md presents them.
func Names() []string {
	return []string{"psi", "jensen_shannon", "hellinger", "wasserstein", "ks", "linf"}
}

// Parse returns the distance named s; ok is false for any other name, so
// the caller can fall back to the non-drift aggregations.
func Parse(s string) (d Distance, ok bool) {
	for i, n := range distanceNames {
		if n != "" && n == s {
			return Distance(i), true
		}
	}
	return 0, false
}

// Errors a comparison returns; the caller counts them as invalid values.
var (
	// ErrShape: the shares are not one per bucket (len(bounds)+1).
	ErrShape = errors.New("drift: need len(bounds)+1 bucket counts")
	// ErrBadCount: a count or share is negative, NaN or infinite.
	ErrBadCount = errors.New("drift: bucket counts must be finite and >= 0")
	// ErrEmpty: a distribution has no observations.
	ErrEmpty = errors.New("drift: a distribution without observations")
	// ErrTooFewBounds: wasserstein needs a finite bucket to measure widths.
	ErrTooFewBounds = errors.New("drift: wasserstein needs at least two bounds")
	// ErrNotFinite: bounds so far apart that the distance overflows.
	ErrNotFinite = errors.New("drift: the distance is not a finite number")
	// ErrUnknownDistance: a Distance outside the constants.
	ErrUnknownDistance = errors.New("drift: unknown distance")
)

// psiFloor replaces an empty share in PSI, whose logarithm has no value at 0.
const psiFloor = 0.0001

// Compute returns distance d between the current weights cur and the
// reference weights ref over the buckets of bounds. Weights are counts or
// shares, one per bucket, each side normalised by its own total. bounds must
// already be valid (CheckBounds); Compare takes care of differing grids.
//
// With a reused Scratch it allocates nothing.
func Compute(d Distance, bounds, cur, ref []float64, s *Scratch) (Result, error) {
	n := len(bounds) + 1
	if len(cur) != n || len(ref) != n {
		return Result{}, ErrShape
	}
	p, q := s.shares(n)
	if err := normalise(p, cur); err != nil {
		return Result{}, err
	}
	if err := normalise(q, ref); err != nil {
		return Result{}, err
	}
	var r Result
	switch d {
	case PSI:
		r = psi(bounds, p, q)
	case JensenShannon:
		r = jensenShannon(bounds, p, q)
	case Hellinger:
		r = hellinger(bounds, p, q)
	case LInf:
		r = linf(bounds, p, q)
	case KS:
		r = ks(bounds, p, q)
	case Wasserstein:
		if len(bounds) < 2 {
			return Result{}, ErrTooFewBounds
		}
		r = wasserstein(bounds, p, q)
	default:
		return Result{}, ErrUnknownDistance
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
		return Result{}, ErrNotFinite
	}
	return r, nil
}

// normalise writes w / Σw into dst.
func normalise(dst, w []float64) error {
	var total float64
	for _, v := range w {
		if !(v >= 0) || math.IsInf(v, 1) {
			return ErrBadCount
		}
		total += v
	}
	if !(total > 0) || math.IsInf(total, 1) {
		if total == 0 {
			return ErrEmpty
		}
		return ErrBadCount
	}
	inv := 1 / total
	for i, v := range w {
		dst[i] = v * inv
	}
	return nil
}

func psi(bounds, p, q []float64) Result {
	var r Result
	for i := range p {
		pi, qi := p[i], q[i]
		if pi == 0 {
			pi = psiFloor
		}
		if qi == 0 {
			qi = psiFloor
		}
		c := (pi - qi) * math.Log(pi/qi)
		r.Value += c
		r.offer(bounds, i, p[i], q[i], c)
	}
	return r
}

// jensenShannon reports each bucket's term of the divergence (the squared
// distance), so the contributions add up to Value².
func jensenShannon(bounds, p, q []float64) Result {
	var r Result
	var div float64
	for i := range p {
		m := (p[i] + q[i]) / 2
		var c float64
		if p[i] > 0 {
			c += p[i] * math.Log(p[i]/m)
		}
		if q[i] > 0 {
			c += q[i] * math.Log(q[i]/m)
		}
		c /= 2 * math.Ln2
		div += c
		r.offer(bounds, i, p[i], q[i], c)
	}
	// Rounding can leave the divergence a hair outside [0, 1].
	r.Value = math.Sqrt(min(max(div, 0), 1))
	return r
}

// hellinger reports each bucket's (√p − √q)²/2, which add up to Value².
func hellinger(bounds, p, q []float64) Result {
	var r Result
	var sum float64
	for i := range p {
		d := math.Sqrt(p[i]) - math.Sqrt(q[i])
		c := d * d / 2
		sum += c
		r.offer(bounds, i, p[i], q[i], c)
	}
	r.Value = math.Sqrt(sum)
	return r
}

func linf(bounds, p, q []float64) Result {
	var r Result
	for i := range p {
		c := math.Abs(p[i] - q[i])
		r.Value = max(r.Value, c)
		r.offer(bounds, i, p[i], q[i], c)
	}
	return r
}

// ks reports, per finite bound, the gap between the cumulative shares at
// it, attributed to the bucket that ends at that bound.
func ks(bounds, p, q []float64) Result {
	var r Result
	var cp, cq float64
	for i := range bounds {
		cp += p[i]
		cq += q[i]
		c := math.Abs(cp - cq)
		r.Value = max(r.Value, c)
		r.offer(bounds, i, p[i], q[i], c)
	}
	return r
}
