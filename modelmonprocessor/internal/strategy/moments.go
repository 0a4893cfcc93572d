package strategy

import "math"

// moments is Welford's running mean and variance: numerically stable for
// signals like accuracy, whose variance is tiny next to the squared mean.
type moments struct {
	n    int
	mean float64
	m2   float64
}

func (m *moments) add(x float64) {
	m.n++
	d := x - m.mean
	m.mean += d / float64(m.n)
	m.m2 += d * (x - m.mean)
}

// stddev is the sample standard deviation (n-1), 0 below two samples.
func (m *moments) stddev() float64 {
	if m.n < 2 {
		return 0
	}
	return math.Sqrt(m.m2 / float64(m.n-1))
}

// scale is the σ used to normalise deviations. A warm-up of identical values
// has σ = 0; the floor keeps the statistics finite (any later change is then
// as significant as it can be, which is documented for quantised signals).
func scale(sigma, mean float64) float64 {
	floor := 1e-9 * math.Abs(mean)
	if floor < 1e-12 {
		floor = 1e-12
	}
	return math.Max(sigma, floor)
}

// finite reports whether x can be fed to a detector.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
