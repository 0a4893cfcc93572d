package drift

import (
	"errors"
	"math"
)

// MaxBounds bounds the explicit bounds of a grid, as the processor bounds the
// buckets of a histogram point: a hostile point of millions of bounds is
// refused instead of held.
const MaxBounds = 1023

// Errors of bucket grids; the caller counts them as invalid values.
var (
	// ErrBounds: bounds that are NaN, infinite, unsorted, repeated or too many.
	ErrBounds = errors.New("drift: bounds must be finite, strictly increasing and at most 1023")
	// ErrCountMismatch: the bucket counts do not add up to the point's count.
	ErrCountMismatch = errors.New("drift: bucket counts do not add up to the point's count")
	// ErrIncompatibleBounds: neither grid contains the other, so no common
	// coarser grid exists. The caller warns once per rule and signal.
	ErrIncompatibleBounds = errors.New("drift: bucket bounds differ and neither set contains the other")
	// ErrLayout: explicit and exponential histograms compared or mixed.
	ErrLayout = errors.New("drift: explicit and exponential histograms cannot be compared")
	// ErrNotAdded: a point removed from a histogram it was never added to.
	ErrNotAdded = errors.New("drift: removing more than the histogram holds")
)

// CheckBounds reports whether bounds can be a grid: finite, strictly
// increasing, at most MaxBounds.
func CheckBounds(bounds []float64) error {
	if len(bounds) > MaxBounds {
		return ErrBounds
	}
	for i, b := range bounds {
		if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && !(b > bounds[i-1])) {
			return ErrBounds
		}
	}
	return nil
}

// CheckPoint validates one explicit histogram point: a valid grid, one count
// per bucket, and counts adding up to count.
func CheckPoint(bounds []float64, counts []uint64, count uint64) error {
	if err := CheckBounds(bounds); err != nil {
		return err
	}
	if len(counts) != len(bounds)+1 {
		return ErrShape
	}
	var sum uint64
	for _, c := range counts {
		if sum+c < sum {
			return ErrCountMismatch
		}
		sum += c
	}
	if sum != count {
		return ErrCountMismatch
	}
	return nil
}

// Coarser returns the grid of a and b that the other contains (a when they
// are equal): the common grid both can be summed onto exactly. Bounds are
// compared exactly, as the SDKs emit the configured values unchanged.
func Coarser(a, b []float64) ([]float64, error) {
	if len(a) <= len(b) && subset(a, b) {
		return a, nil
	}
	if len(b) < len(a) && subset(b, a) {
		return b, nil
	}
	return nil, ErrIncompatibleBounds
}

// subset reports whether every bound of small is in big; both sorted.
func subset(small, big []float64) bool {
	j := 0
	for _, s := range small {
		for j < len(big) && big[j] < s {
			j++
		}
		if j == len(big) || big[j] != s {
			return false
		}
		j++
	}
	return true
}

// regrid adds the counts of the fine grid into dst, the buckets of the
// coarse grid (len(coarse)+1), scaled by sign (+1 or −1). coarse must be a
// subset of fine: each fine bucket then lies inside one coarse bucket, the
// first whose upper bound is not below the fine bucket's.
func regrid[T uint64 | float64](dst []float64, coarse, fine []float64, counts []T, sign float64) {
	k := 0
	for j, c := range counts {
		if j < len(fine) {
			for k < len(coarse) && coarse[k] < fine[j] {
				k++
			}
		} else {
			k = len(coarse)
		}
		dst[k] += sign * float64(c)
	}
}

func equalBounds(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 0 && &a[0] == &b[0] {
		return true
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
