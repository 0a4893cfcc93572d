package drift

import (
	"fmt"
	"math"
)

// ReferenceKind is what a drift rule compares the current window with.
type ReferenceKind uint8

// The reference kinds, named in configuration as their String.
const (
	// Learned: the first window of the model key (a model version) that
	// reaches min_samples, frozen.
	Learned ReferenceKind = iota
	// Pinned: configured bounds and proportions, e.g. the training data's.
	Pinned
	// PreviousVersion: the last full window of the version of the same model
	// name that was serving before this one appeared.
	PreviousVersion
)

// String returns the configuration name.
func (k ReferenceKind) String() string {
	switch k {
	case Learned:
		return "learned"
	case Pinned:
		return "pinned"
	case PreviousVersion:
		return "previous_version"
	}
	return fmt.Sprintf("reference(%d)", uint8(k))
}

// ParseReference returns the kind named s; empty means learned.
func ParseReference(s string) (ReferenceKind, error) {
	switch s {
	case "", "learned":
		return Learned, nil
	case "pinned":
		return Pinned, nil
	case "previous_version":
		return PreviousVersion, nil
	}
	return 0, fmt.Errorf("unknown reference %q (want learned, pinned or previous_version)", s)
}

// shareTolerance is how far configured proportions may sum from 1: room for
// decimal fractions written by hand, not for a forgotten bucket.
const shareTolerance = 1e-9

// ValidateDistribution checks a pinned distribution: valid bounds
// (CheckBounds), len(bounds)+1 proportions, each finite and ≥ 0, summing to
// 1 ± 1e-9, not all in one bucket of zero width.
func ValidateDistribution(bounds, proportions []float64) error {
	if CheckBounds(bounds) != nil {
		return fmt.Errorf("bounds: must be finite, strictly increasing and at most %d, got %v", MaxBounds, clip(bounds))
	}
	if len(proportions) != len(bounds)+1 {
		return fmt.Errorf("proportions: need len(bounds)+1 = %d (one per bucket, the last above the highest bound), got %d", len(bounds)+1, len(proportions))
	}
	var sum float64
	for i, p := range proportions {
		if !(p >= 0) || math.IsInf(p, 1) {
			return fmt.Errorf("proportions[%d]: must be a finite number >= 0, got %v", i, p)
		}
		sum += p
	}
	if math.Abs(sum-1) > shareTolerance {
		return fmt.Errorf("proportions: must sum to 1, got %v", sum)
	}
	return nil
}

// clip shortens a hostile list in an error message.
func clip(b []float64) []float64 {
	if len(b) > 8 {
		return b[:8]
	}
	return b
}

// LearnedReference is the learned reference of one rule, model key and
// group: the first window that reaches min_samples, frozen from then on.
//
// It stays frozen when an alert resolves: a resolution means the window came
// back to the reference, and relearning then would let a recurring shift
// become the new normal. A new model version is a new model key and learns
// its own reference; a version whose distribution should be judged against
// its predecessor uses PreviousVersion instead.
type LearnedReference struct {
	hist  Hist
	ready bool
	// At is the data-point time the reference was frozen (the window's end).
	At int64
}

// Offer hands the learner the current window; the first one with at least
// minSamples points becomes the reference (copied). learned reports whether
// it did so now.
func (l *LearnedReference) Offer(window *Hist, samples, minSamples int, t int64) (learned bool) {
	if l.ready || samples < max(minSamples, 1) || window.Total() <= 0 {
		return false
	}
	l.hist.CopyFrom(window)
	l.ready, l.At = true, t
	return true
}

// Reference returns the frozen reference, ok false while none is learned.
func (l *LearnedReference) Reference() (ref *Hist, ok bool) { return &l.hist, l.ready }

// Reset forgets the reference, for a caller that decides to relearn.
func (l *LearnedReference) Reset() { l.hist.Reset(); l.ready, l.At = false, 0 }

// MemSize is the heap memory held, in bytes.
func (l *LearnedReference) MemSize() int { return l.hist.MemSize() }

// PinnedReference builds the reference of `reference: pinned`; one Hist,
// read-only, serves every model key of the rule.
func PinnedReference(d DistributionConfig) (*Hist, error) {
	var h Hist
	if err := h.SetShares(d.Bounds, d.Proportions); err != nil {
		return nil, err
	}
	return &h, nil
}
