package window

// pointCounts returns a copy of p's bucket counts.
func (h *HistWindow) pointCounts(p *histPoint) []uint64 {
	out := make([]uint64, p.n)
	for j := range out {
		out[j] = h.c.get(int(p.row), j)
	}
	return out
}
