package refwindow

import "math"

// moments are the running sums behind Mean and Stddev. They are
// window.Window's, line for line: the sums' rounding, when they are trusted
// and when rebuilt decide the last bits of a mean or standard deviation, so
// a reference that summed afresh would differ from the compact window in
// ulps by design. What the reference checks is that the compact window
// feeds them the same values in the same order (adds, removals, resets).
type moments struct {
	shift     float64
	s1, s2    float64 // Σd and Σd², d = v − shift, over the finite values
	maxSq     float64 // largest d² added since the last rebuild
	ops       int     // updates since the last rebuild, plus the rebuild's own n
	removed   int     // removals since the last rebuild
	nonFinite int     // NaN and ±Inf values in the window
	valid     bool    // the sums cover exactly the window's finite values
	shiftSet  bool    // shift has been chosen for the current sums
}

func (m *moments) reset() { *m = moments{valid: true} }

func (m *moments) add(v float64) {
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
		m.valid = false
		return
	}
	m.s1 += d
	m.s2 += q
	m.maxSq = max(m.maxSq, q)
	m.ops++
}

func (m *moments) remove(v float64, size int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		m.nonFinite--
		return
	}
	if m.valid {
		d := v - m.shift
		m.s1 -= d
		m.s2 -= d * d
		m.ops++
		m.removed++
		if m.removed >= size {
			m.valid = false
		}
	}
}

// trusted computes the moments from the sums when their error bound allows.
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

// runningMoments returns the mean and population variance from the sums,
// rebuilt first when they cannot be trusted; false sends the caller to the
// exact pass.
func (w *Window) runningMoments() (mean, variance float64, ok bool) {
	m := &w.sums
	n := len(w.samples)
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

// rebuildMoments recomputes the sums from the samples, shifted by the value
// nearest the mean (the oldest among equally near ones).
func (w *Window) rebuildMoments() bool {
	m := &w.sums
	n := len(w.samples)
	if n == 0 || m.nonFinite > 0 {
		return false
	}
	mean := w.mean()
	shift, best := w.samples[0].v, math.Inf(1)
	for _, s := range w.samples {
		if d := math.Abs(s.v - mean); d < best {
			shift, best = s.v, d
		}
	}
	*m = moments{shift: shift, shiftSet: true, valid: true, ops: n}
	for _, s := range w.samples {
		d := s.v - shift
		q := d * d
		m.s1 += d
		m.s2 += q
		m.maxSq = max(m.maxSq, q)
	}
	if !(m.maxSq <= 0x1p1000) || math.IsInf(m.s2, 0) {
		m.valid = false
		return false
	}
	return true
}
