// Package strategy holds the detection strategies a rule can use: a static
// threshold and the adaptive change detectors. The rule lifecycle only sees
// the Detector interface, so a strategy plugs in without touching it.
package strategy

import (
	"fmt"
	"time"
	"unsafe"
)

// Strategy names, as written in a rule's `strategy:`.
const (
	Static      = "static"
	Baseline    = "baseline"
	EWMA        = "ewma"
	PageHinkley = "page_hinkley"
	CUSUM       = "cusum"
)

// Direction is the side on which a value is bad.
type Direction uint8

// Directions.
const (
	Below Direction = iota
	Above
	Both
)

// String returns the contract's comparison word for d.
func (d Direction) String() string {
	switch d {
	case Below:
		return "below"
	case Above:
		return "above"
	}
	return "both"
}

// ParseDirection parses below, above or both.
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "below":
		return Below, nil
	case "above":
		return Above, nil
	case "both":
		return Both, nil
	}
	return 0, fmt.Errorf("unknown direction %q (want below, above or both)", s)
}

// Input is one value a detector sees: a raw data-point value, or the rule's
// window aggregation when the rule asks for one.
type Input struct {
	Value float64
	Time  time.Time
	// Active is true while the rule is pending or firing for this model;
	// adaptive baselines stop learning then, so a slow fault is not learnt as normal.
	Active bool
}

// Result is a detector's verdict on one input.
type Result struct {
	// Breach is true when the condition holds. Never true during warm-up.
	Breach bool
	// Ready is false while the detector is still warming up.
	Ready bool
	// Observed is the compared statistic; Threshold its decision bound.
	Observed  float64
	Threshold float64
	// HasBaseline marks adaptive results carrying the learned mean and σ.
	HasBaseline    bool
	BaselineMean   float64
	BaselineStddev float64
	// Side is the side of the reference the verdict is about (Below or
	// Above), set with HasBaseline: for a two-sided rule it tells which way
	// the value moved, since Observed may be a statistic, not the value.
	Side Direction
	// Invalid marks a NaN or infinite value: it was ignored (no state
	// changed, no verdict) and the caller should count it.
	Invalid bool
}

// Detector is the detection state of one rule for one model key. It is not
// safe for concurrent use; the caller serialises per model.
type Detector interface {
	// Observe feeds one value and returns the verdict. It must not allocate.
	Observe(in Input) Result
	// Reset forgets everything learnt: a new model key or a resolved alert.
	Reset()
}

var _ Detector = (*staticThreshold)(nil)

// staticThreshold compares each value with a fixed bound.
type staticThreshold struct {
	dir       Direction
	threshold float64
}

// NewStatic returns the static threshold detector.
func NewStatic(dir Direction, threshold float64) Detector {
	return &staticThreshold{dir: dir, threshold: threshold}
}

func (s *staticThreshold) Observe(in Input) Result {
	if !finite(in.Value) {
		return Result{Invalid: true}
	}
	breach := false
	switch s.dir {
	case Below:
		breach = in.Value < s.threshold
	case Above:
		breach = in.Value > s.threshold
	}
	return Result{Breach: breach, Ready: true, Observed: in.Value, Threshold: s.threshold}
}

func (s *staticThreshold) Reset() {}

func (s *staticThreshold) memSize() int { return int(unsafe.Sizeof(*s)) }

// sizer is implemented by every detector of this package.
type sizer interface{ memSize() int }

// MemSize is the number of bytes one detector holds: its state is a fixed-size
// struct (no slices, maps or pointers), so this is what a model key costs per
// rule, and it never grows with the number of samples. It is 0 for detectors
// from outside this package.
func MemSize(d Detector) int {
	if s, ok := d.(sizer); ok {
		return s.memSize()
	}
	return 0
}
