// Package refwindow is the straightforward scalar window the engine's
// compact window.Window must agree with: a slice of (time, value) samples in
// time order, percentiles from a full sorted copy made at each query, and
// the same running moments for Mean and Stddev. Tests build the engine with
// it (see modelmonprocessor's window replay test) and require every event
// and health value to be the same.
//
// It keeps the rules window.Window documents — acceptance of late points,
// eviction by count and by age, the order of equal times — but none of its
// memory savings, so that it can be checked by reading.
package refwindow

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

type sample struct {
	t int64
	v float64
}

// Window is a sliding window of scalar samples for one signal of one model,
// with window.Window's method set as the engine uses it.
type Window struct {
	samples []sample // time order, oldest first
	size    int
	maxAge  int64
	// floor is the oldest time the window accepts: the newest time seen
	// minus maxAge. It never decreases.
	floor int64
	// alpha is the EWMA's weight of the newest value, a variable as in
	// window.Window so that 1-alpha is rounded at run time as there.
	alpha float64
	sums  moments
}

// Init makes w an empty window of at most size samples no older than maxAge
// before the newest one (non-positive: window's defaults).
func (w *Window) Init(size int, maxAge time.Duration) {
	if size <= 0 {
		size = window.DefaultSize
	}
	if maxAge <= 0 {
		maxAge = window.DefaultMaxAge
	}
	*w = Window{size: size, maxAge: int64(maxAge), floor: math.MinInt64, alpha: window.DefaultEWMAAlpha}
	w.sums.reset()
}

// Add stores the sample (t, v) after every sample at or before t; false,
// storing nothing, for a late sample: older than the newest time minus
// maxAge, or older than every sample of a window full by count.
func (w *Window) Add(t int64, v float64) bool {
	if t < w.floor {
		return false
	}
	if len(w.samples) == w.size {
		if t < w.samples[0].t {
			return false
		}
		w.dropOldest()
	}
	if len(w.samples) == 0 {
		w.sums.reset()
	}
	pos := len(w.samples)
	for pos > 0 && w.samples[pos-1].t > t {
		pos--
	}
	w.samples = slices.Insert(w.samples, pos, sample{t, v})
	w.sums.add(v)
	if pos == len(w.samples)-1 {
		w.raiseFloor(cutoff(t, w.maxAge))
	}
	return true
}

// cutoff returns t-d, saturating at the smallest int64 instead of wrapping.
func cutoff(t, d int64) int64 {
	if t < math.MinInt64+d {
		return math.MinInt64
	}
	return t - d
}

func (w *Window) raiseFloor(c int64) {
	if c <= w.floor {
		return
	}
	w.floor = c
	for len(w.samples) > 0 && w.samples[0].t < c {
		w.dropOldest()
	}
}

func (w *Window) dropOldest() {
	w.sums.remove(w.samples[0].v, w.size)
	w.samples = slices.Delete(w.samples, 0, 1)
}

// Len returns the number of samples.
func (w *Window) Len() int { return len(w.samples) }

// Start returns the oldest sample's time, 0 when empty.
func (w *Window) Start() int64 {
	if len(w.samples) == 0 {
		return 0
	}
	return w.samples[0].t
}

// End returns the newest sample's time, 0 when empty.
func (w *Window) End() int64 {
	if len(w.samples) == 0 {
		return 0
	}
	return w.samples[len(w.samples)-1].t
}

// AppendSamples appends the samples in time order to ts and vs.
func (w *Window) AppendSamples(ts []int64, vs []float64) ([]int64, []float64) {
	for _, s := range w.samples {
		ts, vs = append(ts, s.t), append(vs, s.v)
	}
	return ts, vs
}

// Aggregate computes a over the samples as window.Window.Aggregate documents
// it; false when the window is empty or a is not a scalar aggregation.
func (w *Window) Aggregate(a window.Aggregation) (float64, bool) {
	n := len(w.samples)
	if n == 0 {
		return 0, false
	}
	switch a {
	case window.Last:
		return w.samples[n-1].v, true
	case window.Count:
		return float64(n), true
	case window.Mean:
		if m, _, ok := w.runningMoments(); ok {
			return m, true
		}
		return w.mean(), true
	case window.Min:
		m := w.samples[0].v
		for _, s := range w.samples {
			if s.v < m {
				m = s.v
			}
		}
		return m, true
	case window.Max:
		m := w.samples[0].v
		for _, s := range w.samples {
			if s.v > m {
				m = s.v
			}
		}
		return m, true
	case window.Stddev:
		if _, v, ok := w.runningMoments(); ok {
			return math.Sqrt(v), true
		}
		mean := w.mean()
		var ss float64
		for _, s := range w.samples {
			d := s.v - mean
			ss += d * d
		}
		return math.Sqrt(ss / float64(n)), true
	case window.EWMA:
		ew := w.samples[0].v
		for _, s := range w.samples[1:] {
			ew = w.alpha*s.v + (1-w.alpha)*ew
		}
		return ew, true
	}
	if q, ok := a.Quantile(); ok {
		return quantile(w.sorted(), q), true
	}
	return 0, false
}

// sorted returns a fresh copy of the values in ascending order (cmp.Compare,
// NaN first), equal values in time order: the order window.Window's sorted
// index keeps, which decides which of two zeros of opposite sign a
// percentile reads.
func (w *Window) sorted() []float64 {
	s := slices.Clone(w.samples)
	slices.SortStableFunc(s, func(a, b sample) int { return cmp.Compare(a.v, b.v) })
	vs := make([]float64, len(s))
	for i, x := range s {
		vs[i] = x.v
	}
	return vs
}

// quantile is Prometheus' quantile_over_time for 0 ≤ q ≤ 1 over ascending,
// non-empty values: the weighted mean of the two values around rank q·(n−1).
func quantile(values []float64, q float64) float64 {
	n := float64(len(values))
	rank := q * (n - 1)
	lower := math.Max(0, math.Floor(rank))
	upper := math.Min(n-1, lower+1)
	weight := rank - math.Floor(rank)
	return values[int(lower)]*(1-weight) + values[int(upper)]*weight
}

func (w *Window) mean() float64 {
	var sum float64
	for _, s := range w.samples {
		sum += s.v
	}
	return sum / float64(len(w.samples))
}
