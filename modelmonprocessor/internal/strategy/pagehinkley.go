package strategy

import (
	"errors"
	"math"
	"unsafe"
)

// Page-Hinkley defaults. min_instances and alpha are river's. delta and
// threshold are on the σ-normalised scale (see PageHinkleyConfig) and differ
// from river's 0.005 and 50: with a near-zero delta any lasting deviation
// accumulates, so a slow 0.5σ sine drift alone raised 7 false alarms per
// 10,000 samples and the 3σ step took 15 samples; delta 1σ and threshold 25σ
// keep every stationary stream under 1 and detect a 3σ step in 13 (median).
const (
	DefaultPHMinInstances = 30
	DefaultPHDelta        = 1.0
	DefaultPHThreshold    = 25.0
	DefaultPHAlpha        = 0.9999
)

// PageHinkleyConfig parameterises the Page-Hinkley test. Nil fields take the
// defaults. Unlike river, deviations are divided by the σ of the warm-up
// samples, so delta and threshold are in standard deviations and one rule
// works for accuracy (σ ≈ 0.01) and latency (σ ≈ 20 ms) alike.
type PageHinkleyConfig struct {
	// MinInstances is how many samples are learnt before the test may fire (default 30).
	MinInstances *int `mapstructure:"min_instances"`
	// Delta is the tolerated deviation per sample, in σ (≥ 0, default 1).
	Delta *float64 `mapstructure:"delta"`
	// Threshold is the decision bound λ of the cumulative statistic, in σ
	// (default 25).
	Threshold *float64 `mapstructure:"threshold"`
	// Alpha is the fading factor of the cumulative sums, in (0, 1] (default 0.9999).
	Alpha *float64 `mapstructure:"alpha"`
}

func (c PageHinkleyConfig) validate() error {
	return errors.Join(
		checkWarmup("page_hinkley.min_instances", c.MinInstances),
		checkNonNegative("page_hinkley.delta", c.Delta),
		checkPositive("page_hinkley.threshold", c.Threshold),
		checkFraction("page_hinkley.alpha", c.Alpha),
	)
}

// pageHinkley is river's two-sided Page-Hinkley test on values standardised
// by the warm-up σ. The running mean (over every sample since the reset)
// stops learning while the rule is active.
type pageHinkley struct {
	dir          Direction
	minInstances int
	delta        float64
	threshold    float64
	alpha        float64

	mean   moments
	sigma  float64 // frozen after the warm-up
	sumInc float64
	sumDec float64
	minInc float64
	maxDec float64
}

var _ Detector = (*pageHinkley)(nil)

func newPageHinkley(c PageHinkleyConfig, dir Direction) *pageHinkley {
	p := &pageHinkley{
		dir:          dir,
		minInstances: or(c.MinInstances, DefaultPHMinInstances),
		delta:        or(c.Delta, DefaultPHDelta),
		threshold:    or(c.Threshold, DefaultPHThreshold),
		alpha:        or(c.Alpha, DefaultPHAlpha),
	}
	p.Reset()
	return p
}

func (p *pageHinkley) Observe(in Input) Result {
	if !finite(in.Value) {
		return Result{Invalid: true}
	}
	x := in.Value
	warming := p.mean.n < p.minInstances
	if !in.Active || warming {
		p.mean.add(x)
	}
	if warming {
		if p.mean.n == p.minInstances {
			p.sigma = scale(p.mean.stddev(), p.mean.mean)
		}
		return Result{}
	}
	dev := (x - p.mean.mean) / p.sigma
	p.sumInc = p.alpha*p.sumInc + dev - p.delta
	p.sumDec = p.alpha*p.sumDec + dev + p.delta
	p.minInc = math.Min(p.minInc, p.sumInc)
	p.maxDec = math.Max(p.maxDec, p.sumDec)
	up, down := p.sumInc-p.minInc, p.maxDec-p.sumDec
	res := Result{
		Ready: true, Threshold: p.threshold,
		HasBaseline: true, BaselineMean: p.mean.mean, BaselineStddev: p.sigma,
	}
	res.Observed, res.Side = sided(p.dir, up, down)
	res.Breach = res.Observed > p.threshold
	return res
}

func (p *pageHinkley) Reset() {
	*p = pageHinkley{
		dir: p.dir, minInstances: p.minInstances, delta: p.delta, threshold: p.threshold, alpha: p.alpha,
		minInc: math.Inf(1), maxDec: math.Inf(-1),
	}
}

func (p *pageHinkley) memSize() int { return int(unsafe.Sizeof(*p)) }
