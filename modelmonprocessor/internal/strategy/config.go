package strategy

import "fmt"

// Config holds the parameters of every adaptive strategy; a rule reads the
// block named like its strategy (baseline:, ewma:, page_hinkley:, cusum:).
type Config struct {
	Baseline    BaselineConfig    `mapstructure:"baseline"`
	EWMA        EWMAConfig        `mapstructure:"ewma"`
	PageHinkley PageHinkleyConfig `mapstructure:"page_hinkley"`
	CUSUM       CUSUMConfig       `mapstructure:"cusum"`
}

// BaselineConfig parameterises the baseline strategy.
type BaselineConfig struct{}

// EWMAConfig parameterises the EWMA control chart.
type EWMAConfig struct{}

// PageHinkleyConfig parameterises the Page-Hinkley test.
type PageHinkleyConfig struct{}

// CUSUMConfig parameterises the CUSUM test.
type CUSUMConfig struct{}

// DefaultConfig returns every strategy at its documented defaults.
func DefaultConfig() Config { return Config{} }

// Names lists the valid strategy names.
func Names() []string { return []string{Static, Baseline, EWMA, PageHinkley, CUSUM} }

// Validate checks the parameters of the named strategy.
func (c *Config) Validate(name string) error {
	switch name {
	case Static:
		return nil
	}
	return fmt.Errorf("unknown strategy %q (want one of %v)", name, Names())
}

// New builds a detector for one rule and one model key. threshold is used by
// the static strategy only.
func New(name string, c *Config, dir Direction, threshold float64) (Detector, error) {
	if err := c.Validate(name); err != nil {
		return nil, err
	}
	switch name {
	case Static:
		return NewStatic(dir, threshold), nil
	}
	return nil, fmt.Errorf("unknown strategy %q", name)
}
