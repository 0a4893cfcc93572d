package strategy

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// Baseline reference kinds, as written in `baseline.reference`.
const (
	// ReferenceRolling learns from a rolling window of time that pauses while
	// the rule is pending or firing.
	ReferenceRolling = "rolling"
	// ReferenceFirst learns from the first warmup samples of a model key and
	// then keeps that reference until the detector is reset.
	ReferenceFirst = "first"
)

// Baseline defaults.
const (
	DefaultBaselineWarmup = 30
	DefaultBaselineWindow = time.Hour
	DefaultBaselineZScore = 3.0
)

// BaselineConfig parameterises the baseline strategy. Nil fields take the
// defaults.
type BaselineConfig struct {
	// Reference is rolling (default) or first.
	Reference string `mapstructure:"reference"`
	// Warmup is the number of reference samples needed before the detector
	// may fire (default 30).
	Warmup *int `mapstructure:"warmup"`
	// Window is the length of the rolling reference (default 1h).
	Window *time.Duration `mapstructure:"window"`
	// ZScore is how many reference σ a value may stray in the rule's
	// direction (default 3).
	ZScore *float64 `mapstructure:"zscore"`
	// MaxRelativeChange, when set, replaces the z-score: fire when a value
	// moves more than this fraction of the reference mean (0.05 = 5%).
	MaxRelativeChange *float64 `mapstructure:"max_relative_change"`
}

func (c BaselineConfig) validate() error {
	var errs []error
	switch c.Reference {
	case "", ReferenceRolling, ReferenceFirst:
	default:
		errs = append(errs, fieldErr("baseline.reference", fmt.Sprintf("must be %q or %q, got %q", ReferenceRolling, ReferenceFirst, c.Reference)))
	}
	errs = append(errs, checkWarmup("baseline.warmup", c.Warmup))
	if c.Window != nil && *c.Window < time.Second {
		errs = append(errs, fieldErr("baseline.window", fmt.Sprintf("must be at least 1s, got %v", *c.Window)))
	}
	errs = append(errs, checkPositive("baseline.zscore", c.ZScore))
	errs = append(errs, checkPositive("baseline.max_relative_change", c.MaxRelativeChange))
	return errors.Join(errs...)
}

// baseline is a Shewhart chart against a learned reference: each value is
// compared with mean ± zscore·σ (or mean·(1 ± max_relative_change)).
type baseline struct {
	dir      Direction
	rolling  bool
	warmup   int
	zscore   float64
	relative float64 // > 0 replaces the z-score
	first    moments
	window   rollingMoments
}

var _ Detector = (*baseline)(nil)

func newBaseline(c BaselineConfig, dir Direction) *baseline {
	return &baseline{
		dir:      dir,
		rolling:  c.Reference != ReferenceFirst,
		warmup:   or(c.Warmup, DefaultBaselineWarmup),
		zscore:   or(c.ZScore, DefaultBaselineZScore),
		relative: or(c.MaxRelativeChange, 0),
		window:   newRollingMoments(or(c.Window, DefaultBaselineWindow)),
	}
}

func (b *baseline) Observe(in Input) Result {
	if !finite(in.Value) {
		return Result{Invalid: true}
	}
	ref := b.first
	if b.rolling {
		b.window.advance(in.Time)
		ref = b.window.merged()
	}
	if ref.n < b.warmup {
		if !in.Active {
			b.learn(in.Value)
		}
		return Result{}
	}
	mean, sigma := ref.mean, ref.stddev()
	lo, hi := b.bounds(mean, sigma)
	res := Result{
		Ready: true, Observed: in.Value,
		HasBaseline: true, BaselineMean: mean, BaselineStddev: sigma,
	}
	switch b.dir {
	case Below:
		res.Breach, res.Threshold, res.Side = in.Value < lo, lo, Below
	case Above:
		res.Breach, res.Threshold, res.Side = in.Value > hi, hi, Above
	default:
		res.Breach = in.Value < lo || in.Value > hi
		res.Threshold, res.Side = hi, Above
		if in.Value < mean {
			res.Threshold, res.Side = lo, Below
		}
	}
	// A breaching value is not learnt even before the engine marks the rule
	// active, so the first bad sample does not widen the reference.
	if b.rolling && !in.Active && !res.Breach {
		b.learn(in.Value)
	}
	return res
}

func (b *baseline) bounds(mean, sigma float64) (lo, hi float64) {
	if b.relative > 0 {
		d := b.relative * math.Abs(mean)
		return mean - d, mean + d
	}
	d := b.zscore * scale(sigma, mean)
	return mean - d, mean + d
}

func (b *baseline) learn(x float64) {
	if b.rolling {
		b.window.add(x)
		return
	}
	b.first.add(x)
}

func (b *baseline) Reset() {
	b.first = moments{}
	b.window.reset()
}

func (b *baseline) memSize() int { return int(unsafe.Sizeof(*b)) }
