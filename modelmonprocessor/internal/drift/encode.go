package drift

import (
	"encoding/binary"
	"errors"
	"math"
)

// encodingVersion starts every encoded Hist, so that a later layout can
// still read (or knowingly refuse) what an earlier one wrote.
const encodingVersion = 1

// ErrDecode: bytes that are not an encoded Hist of this version, or one
// whose contents a Hist could not hold.
var ErrDecode = errors.New("drift: not a valid encoded histogram")

// MarshalBinary encodes h compactly (8 bytes per bound and count), so that
// a learned or previous-version reference can outlive a restart.
func (h *Hist) MarshalBinary() ([]byte, error) {
	b := []byte{encodingVersion, byte(h.layout)}
	switch h.layout {
	case layoutExplicit:
		b = binary.AppendUvarint(b, uint64(len(h.bounds)))
		b = appendFloats(b, h.bounds)
		b = appendFloats(b, h.counts)
	case layoutExponential:
		e := &h.exp
		b = binary.AppendVarint(b, int64(e.scale))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.zero))
		for _, r := range []*expRange{&e.pos, &e.neg} {
			b = binary.AppendVarint(b, r.offset)
			b = binary.AppendUvarint(b, uint64(len(r.counts)))
			b = appendFloats(b, r.counts)
		}
	}
	return b, nil
}

// UnmarshalBinary replaces h with an encoded Hist. Stored bytes are not
// trusted: anything a Hist could not have held (bad bounds, negative or NaN
// counts, out-of-range scales, oversized spans, trailing bytes) is
// ErrDecode, and h is then empty.
func (h *Hist) UnmarshalBinary(b []byte) error {
	h.Reset()
	if err := h.decode(b); err != nil {
		h.Reset()
		return err
	}
	return nil
}

func (h *Hist) decode(b []byte) error {
	if len(b) < 2 || b[0] != encodingVersion {
		return ErrDecode
	}
	d := decoder{b: b[2:]}
	switch layout(b[1]) {
	case layoutNone:
	case layoutExplicit:
		n := d.uvarint(MaxBounds)
		h.bounds = d.floats(h.bounds[:0], n)
		h.counts = d.floats(h.counts[:0], n+1)
		if d.err != nil || CheckBounds(h.bounds) != nil || !validCounts(h.counts) {
			return ErrDecode
		}
		h.layout = layoutExplicit
	case layoutExponential:
		e := &h.exp
		scale := d.varint(MinScale, MaxScale)
		e.zero = d.float()
		for _, r := range []*expRange{&e.pos, &e.neg} {
			r.offset = d.varint(math.MinInt32, math.MaxInt32)
			n := d.uvarint(MaxExpBuckets)
			r.counts = d.floats(r.counts[:0], n)
			if r.offset+int64(n) > math.MaxInt32+1 || !validCounts(r.counts) {
				return ErrDecode
			}
		}
		if d.err != nil || !(e.zero >= 0) || math.IsInf(e.zero, 1) {
			return ErrDecode
		}
		e.scale, e.set = int32(scale), true
		h.layout = layoutExponential
	default:
		return ErrDecode
	}
	if d.err != nil || len(d.b) != 0 {
		return ErrDecode
	}
	return nil
}

func validCounts(c []float64) bool {
	for _, v := range c {
		if !(v >= 0) || math.IsInf(v, 1) {
			return false
		}
	}
	return true
}

func appendFloats(b []byte, f []float64) []byte {
	for _, v := range f {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// decoder reads an encoded Hist, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint(limit int) int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > uint64(limit) {
		d.err = ErrDecode
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

func (d *decoder) varint(lo, hi int64) int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 || v < lo || v > hi {
		d.err = ErrDecode
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = ErrDecode
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *decoder) floats(dst []float64, n int) []float64 {
	if d.err != nil || len(d.b) < 8*n {
		d.err = ErrDecode
		return dst
	}
	for range n {
		dst = append(dst, d.float())
	}
	return dst
}
