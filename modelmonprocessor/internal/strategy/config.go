package strategy

import (
	"fmt"
)

// Config holds the parameters of every adaptive strategy; a rule reads the
// block named like its strategy (baseline:, ewma:, page_hinkley:, cusum:).
//
// The zero value means "every parameter at its default": rules in a YAML list
// get no defaults from the factory, so an unset (nil) field is the default and
// only an explicitly written value is checked and used.
type Config struct {
	Baseline    BaselineConfig    `mapstructure:"baseline"`
	EWMA        EWMAConfig        `mapstructure:"ewma"`
	PageHinkley PageHinkleyConfig `mapstructure:"page_hinkley"`
	CUSUM       CUSUMConfig       `mapstructure:"cusum"`
}

// Names lists the valid strategy names.
func Names() []string { return []string{Static, Baseline, EWMA, PageHinkley, CUSUM} }

// Validate checks the parameters of the named strategy. Only the block of
// that strategy is checked: a rule may carry unused blocks.
func (c *Config) Validate(name string) error {
	switch name {
	case Static:
		return nil
	case Baseline:
		return c.Baseline.validate()
	case EWMA:
		return c.EWMA.validate()
	case PageHinkley:
		return c.PageHinkley.validate()
	case CUSUM:
		return c.CUSUM.validate()
	}
	return fmt.Errorf("unknown strategy %q (want one of %v)", name, Names())
}

// New builds a detector for one rule and one model key. threshold is used by
// the static strategy only; dir is the side on which a value is bad.
func New(name string, c *Config, dir Direction, threshold float64) (Detector, error) {
	if c == nil {
		c = &Config{}
	}
	if err := c.Validate(name); err != nil {
		return nil, err
	}
	if dir > Both {
		return nil, fmt.Errorf("unknown direction %d", dir)
	}
	switch name {
	case Static:
		return NewStatic(dir, threshold), nil
	case Baseline:
		return newBaseline(c.Baseline, dir), nil
	case EWMA:
		return newEWMA(c.EWMA, dir), nil
	case PageHinkley:
		return newPageHinkley(c.PageHinkley, dir), nil
	case CUSUM:
		return newCUSUM(c.CUSUM, dir), nil
	}
	return nil, fmt.Errorf("unknown strategy %q", name)
}

// fieldErr names the offending YAML field, e.g. "ewma.alpha: must be in (0, 1]".
func fieldErr(field, msg string) error { return fmt.Errorf("%s: %s", field, msg) }

func checkWarmup(field string, v *int) error {
	if v != nil && *v < 2 {
		return fieldErr(field, fmt.Sprintf("must be at least 2 (a standard deviation needs two samples), got %d", *v))
	}
	return nil
}

func checkPositive(field string, v *float64) error {
	if v != nil && !(*v > 0 && finite(*v)) {
		return fieldErr(field, fmt.Sprintf("must be a finite number > 0, got %v", *v))
	}
	return nil
}

func checkNonNegative(field string, v *float64) error {
	if v != nil && !(*v >= 0 && finite(*v)) {
		return fieldErr(field, fmt.Sprintf("must be a finite number >= 0, got %v", *v))
	}
	return nil
}

// checkFraction accepts (0, 1]: alphas are weights, and 0 would never learn.
func checkFraction(field string, v *float64) error {
	if v != nil && !(*v > 0 && *v <= 1) {
		return fieldErr(field, fmt.Sprintf("must be in (0, 1], got %v", *v))
	}
	return nil
}

// or returns *v, or def when the setting is absent.
func or[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}
