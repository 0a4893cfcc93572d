package drift

// Scratch holds the buffers of a comparison. One per goroutine (an engine
// keeps one); after the first comparisons of a grid size it stops growing,
// and comparisons allocate nothing.
type Scratch struct {
	p, q   []float64
	bounds []float64
	cur    []float64
	ref    []float64
	grid   expGrid // the exponential layout s.bounds was built for
}

// shares returns two buffers of n floats for the normalised distributions.
func (s *Scratch) shares(n int) (p, q []float64) {
	s.p = grow(s.p, n)
	s.q = grow(s.q, n)
	return s.p, s.q
}

// grow returns b resized to n, reusing its array when large enough.
func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n, n+n/4)
	}
	return b[:n]
}
