package window

import "math"

// moments holds running sums of the window's values so that Mean and Stddev
// cost O(1) per evaluation instead of a pass over up to size samples: the
// processor evaluates a mean rule after every accepted batch.
//
// Numerical choices, and why:
//
//   - The sums are of d = v − shift, not of v. shift is a value from the
//     window: the first one added to an empty window, and at each rebuild the
//     one nearest the mean, so d is of the order of the spread, not of the
//     level (a level shift is caught by the bound below and re-centred): for values around 1e6 ± 0.01, sums of v² would cancel about
//     twelve of the sixteen significant digits in E[v²] − E[v]², sums of d²
//     do not.
//   - Adding and later subtracting the same value does not cancel exactly, so
//     the sums drift. Each update's rounding error is at most ε·|running sum|,
//     which bounds the error of the variance by about 3·ops·ε·maxSq, where ops
//     counts the updates since the sums were last rebuilt and maxSq is the
//     largest d² among them (a spike that has left the window still counts).
//     The running result is used only when that bound is below 1e-10 of the
//     variance (so the standard deviation is within about 5e-11, relatively,
//     of the exact two-pass result), and the variance is not negative.
//     Otherwise the sums are rebuilt from the samples (one exact pass, which
//     also re-centres shift), and if even fresh sums fail the test the exact
//     two-pass computation is used.
//   - The sums are rebuilt after every size removals whatever the bound says,
//     so drift never accumulates past one window's turnover; the rebuild is
//     lazy (at the next Mean or Stddev), so it costs one pass per size
//     evictions, amortised O(1) per sample.
//   - NaN and ±Inf cannot be added and later subtracted, so while the window
//     holds any, Mean and Stddev use the exact pass (giving NaN or ±Inf as
//     before) and the sums are rebuilt once they have left. Values whose d²
//     would come near overflow (|d| beyond 2^500) likewise use the exact pass.
type moments struct {
	shift     float64
	s1, s2    float64 // Σd and Σd², d = v − shift, over the finite values
	maxSq     float64 // largest d² added since the last rebuild
	ops       int32   // updates since the last rebuild, plus the rebuild's own n
	removed   int32   // removals since the last rebuild
	nonFinite int32   // NaN and ±Inf values in the window
	valid     bool    // the sums cover exactly the window's finite values
	shiftSet  bool    // shift has been chosen for the current sums
}

// reset is for an empty window: the sums are exact (zero) and the next value
// becomes the shift.
func (m *moments) reset() {
	*m = moments{valid: true}
}

// add takes in a value entering the window. The common case (finite value,
// shift chosen) is small enough to inline into Add; the rest is addSlow.
func (m *moments) add(v float64) {
	d := v - m.shift
	q := d * d
	if !(q <= 0x1p1000) || !m.shiftSet { // NaN, ±Inf, huge, or first value
		m.addSlow(v)
		return
	}
	if m.valid {
		m.s1 += d
		m.s2 += q
		m.maxSq = max(m.maxSq, q)
		m.ops++
	}
}

func (m *moments) addSlow(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		m.nonFinite++
		return
	}
	if !m.valid {
		return
	}
	if !m.shiftSet {
		m.shift, m.shiftSet = v, true
	}
	d := v - m.shift
	q := d * d
	if !(q <= 0x1p1000) {
		m.valid = false // magnitudes beyond the sums' range: rebuild (or exact pass)
		return
	}
	m.s1 += d
	m.s2 += q
	m.maxSq = max(m.maxSq, q)
	m.ops++
}

// remove takes out a value leaving the window.
func (m *moments) remove(v float64, size int) {
	if v-v != 0 { // NaN or ±Inf
		m.nonFinite--
		return
	}
	if m.valid {
		d := v - m.shift
		m.s1 -= d
		m.s2 -= d * d
		m.ops++
		m.removed++
		if int(m.removed) >= size {
			m.valid = false
		}
	}
}

// runningMoments returns the mean and population variance from the running
// sums, rebuilding them first when needed; false when they cannot be trusted
// and the caller must use the exact pass.
func (w *Window) runningMoments() (mean, variance float64, ok bool) {
	m := &w.sums
	n := int(w.n)
	if n == 0 || m.nonFinite > 0 {
		return 0, 0, false
	}
	if m.valid {
		if mean, variance, ok = m.trusted(n); ok {
			return mean, variance, true
		}
	}
	if !w.rebuildMoments() {
		return 0, 0, false
	}
	return m.trusted(n)
}

// trusted computes the moments from the sums and applies the error bound
// described on moments.
func (m *moments) trusted(n int) (mean, variance float64, ok bool) {
	fn := float64(n)
	m1 := m.s1 / fn
	variance = m.s2/fn - m1*m1
	const eps = 0x1p-52
	if !(variance >= 0) || 3*float64(m.ops)*eps*m.maxSq > 1e-10*variance {
		return 0, 0, false
	}
	return m.shift + m1, variance, true
}

// rebuildMoments recomputes the sums exactly from the samples, with the shift
// re-centred on the sample value nearest the mean (its distance from the mean
// is at most the standard deviation, and it makes a constant window's
// variance exactly 0). It reports false when the values are not all finite or
// too large for the sums.
func (w *Window) rebuildMoments() bool {
	m := &w.sums
	n := int(w.n)
	if n == 0 || m.nonFinite > 0 {
		return false
	}
	first, second := w.segments()
	mean := w.mean()
	shift, best := first[0], math.Inf(1)
	for _, seg := range [2][]float64{first, second} {
		for _, v := range seg {
			if d := math.Abs(v - mean); d < best {
				shift, best = v, d
			}
		}
	}
	*m = moments{shift: shift, shiftSet: true, valid: true, ops: int32(n)}
	for _, seg := range [2][]float64{first, second} {
		for _, v := range seg {
			d := v - shift
			q := d * d
			m.s1 += d
			m.s2 += q
			m.maxSq = max(m.maxSq, q)
		}
	}
	if !(m.maxSq <= 0x1p1000) || math.IsInf(m.s2, 0) {
		m.valid = false // as in addSlow: d² near or past overflow
		return false
	}
	return true
}
