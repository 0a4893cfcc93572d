package window

// AppendSamples appends the window's samples in time order to ts (unix
// nanoseconds) and vs, for a reader that copies the window out; it changes
// nothing.
func (w *Window) AppendSamples(ts []int64, vs []float64) ([]int64, []float64) {
	for i := 0; i < int(w.n); i++ {
		s := w.sampleAt(i)
		ts, vs = append(ts, s.t), append(vs, s.v)
	}
	return ts, vs
}

// EachPointQuantiles calls fn once per point in time order with the point's
// time and the quantiles qs of that point's own buckets (not the merged
// window), in the window's scaled units. ok is false for a point without
// finite bounds or observations. out is reused across calls; fn must copy it.
func (h *HistWindow) EachPointQuantiles(qs []float64, fn func(t int64, out []float64, ok bool)) {
	out := make([]float64, len(qs))
	var cum []float64
	for i := 0; i < h.r.n; i++ {
		p := h.r.at(i)
		b := h.sets[p.set].bounds
		ok := len(b) > 0 && p.obs > 0 && int(p.n) == len(b)+1
		if ok {
			cum = cum[:0]
			var c float64
			for j := range int(p.n) {
				c += float64(h.c.get(int(p.row), j))
				cum = append(cum, c)
			}
			for j, q := range qs {
				out[j] = bucketQuantile(q, b, cum)
			}
		}
		fn(p.t, out, ok)
	}
}
