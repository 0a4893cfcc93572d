package drift

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// reader turns fuzz bytes into numbers, yielding zeros once they run out.
type reader struct{ b []byte }

func (r *reader) u8() uint8 {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u64() uint64 {
	var buf [8]byte
	n := copy(buf[:], r.b)
	r.b = r.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// f64 is mostly small readable values, sometimes any bit pattern (NaN, Inf,
// subnormals).
func (r *reader) f64() float64 {
	if r.u8()%8 == 0 {
		return math.Float64frombits(r.u64())
	}
	return float64(int8(r.u8())) / 4
}

func (r *reader) explicit() ([]float64, []uint64, uint64) {
	n := int(r.u8())
	if n == 255 {
		n = 10_000 // the hostile size
	}
	bounds := make([]float64, n%40)
	if n == 10_000 {
		bounds = make([]float64, n)
	}
	x := r.f64()
	for i := range bounds {
		if r.u8()%16 == 0 {
			bounds[i] = r.f64() // unsorted or NaN now and then
		} else {
			x += float64(r.u8()%8) / 2
			bounds[i] = x
		}
	}
	counts := make([]uint64, len(bounds)+int(r.u8()%3)) // sometimes the wrong number
	var total uint64
	for i := range counts {
		if r.u8()%32 == 0 {
			counts[i] = r.u64()
		} else {
			counts[i] = uint64(r.u8() % 20)
		}
		total += counts[i]
	}
	if r.u8()%8 == 0 {
		total++ // counts not adding up to count
	}
	return bounds, counts, total
}

func (r *reader) exponential() *ExpPoint {
	p := &ExpPoint{Scale: int32(int8(r.u8())) % 24, ZeroCount: uint64(r.u8() % 4)}
	p.PositiveOffset = int32(int16(r.u64()))
	if r.u8()%16 == 0 {
		p.PositiveOffset = int32(r.u64())
	}
	p.NegativeOffset = int32(int8(r.u8()))
	p.Positive = make([]uint64, r.u8()%24)
	p.Negative = make([]uint64, r.u8()%8)
	p.Count = p.ZeroCount
	for i := range p.Positive {
		p.Positive[i] = uint64(r.u8() % 9)
		p.Count += p.Positive[i]
	}
	for i := range p.Negative {
		p.Negative[i] = uint64(r.u8() % 9)
		p.Count += p.Negative[i]
	}
	if r.u8()%8 == 0 {
		p.Count--
	}
	return p
}

// FuzzHist feeds hostile points (10k bounds, NaN or unsorted bounds, counts
// not adding up, huge counts and offsets, every scale) to histograms and
// compares them with every distance: errors are fine, a panic or a distance
// outside its range is not.
func FuzzHist(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{255, 1, 2, 3})
	f.Add([]byte{0x80, 5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 1, 2, 3})
	f.Add([]byte{1, 20, 3, 0, 4, 5, 6, 7, 8, 9, 1, 3, 5, 7, 9, 11, 13})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &reader{b: data}
		var cur, ref Hist
		var s Scratch
		exp := r.u8()%2 == 0
		win := NewWindow(1+int(r.u8()%4), time.Duration(1+r.u8()%8)*time.Second)
		for i := 0; i < 6 && len(r.b) > 0; i++ {
			// Each point also enters a small window at a fuzzed time.
			at := int64(int8(r.u8())) * int64(time.Second)
			if exp {
				_ = win.AddExponential(at, r.exponential())
			} else {
				b, c, n := r.explicit()
				_ = win.AddExplicit(at, b, c, n)
			}
			if win.Len() > win.size || win.Hist().Total() < 0 || (win.Len() == 0 && win.Hist().Total() != 0) {
				t.Fatalf("window: %d points, total %v", win.Len(), win.Hist().Total())
			}
			h := &cur
			if r.u8()%2 == 0 {
				h = &ref
			}
			before := h.Total()
			var err error
			switch {
			case exp && r.u8()%4 == 0:
				err = h.SubExponential(r.exponential())
			case exp:
				err = h.AddExponential(r.exponential())
			case r.u8()%4 == 0:
				b, c, n := r.explicit()
				err = h.SubExplicit(b, c, n)
			default:
				b, c, n := r.explicit()
				err = h.AddExplicit(b, c, n)
			}
			if err != nil && h.Total() != before {
				t.Fatalf("a refused point changed the histogram: %v → %v (%v)", before, h.Total(), err)
			}
			if tot := h.Total(); tot < 0 || math.IsNaN(tot) {
				t.Fatalf("total %v", tot)
			}
		}
		for _, d := range all() {
			res, err := Compare(d, &cur, &ref, &s)
			if err != nil {
				continue
			}
			if !(res.Value >= 0) || math.IsInf(res.Value, 0) {
				t.Fatalf("%s = %v", d, res.Value)
			}
			if (d == JensenShannon || d == Hellinger || d == LInf || d == KS) && res.Value > 1+1e-9 {
				t.Fatalf("%s = %v > 1", d, res.Value)
			}
		}
	})
}
