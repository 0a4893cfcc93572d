package drift

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistRoundTrip(t *testing.T) {
	var explicit, exp, empty Hist
	require.NoError(t, explicit.AddExplicit([]float64{-1, 0.5, 3}, []uint64{1, 0, 7, 2}, 10))
	require.NoError(t, exp.AddExponential(&ExpPoint{Scale: 3, ZeroCount: 2, PositiveOffset: -4, Positive: []uint64{1, 0, 5},
		NegativeOffset: 7, Negative: []uint64{3}, Count: 11}))
	var s Scratch
	for name, h := range map[string]*Hist{"explicit": &explicit, "exponential": &exp, "empty": &empty} {
		t.Run(name, func(t *testing.T) {
			b, err := h.MarshalBinary()
			require.NoError(t, err)
			var got Hist
			require.NoError(t, got.UnmarshalBinary(b))
			assert.Equal(t, h.Total(), got.Total())
			assert.Equal(t, h.Exponential(), got.Exponential())
			if h.Total() > 0 {
				r, err := Compare(KS, h, &got, &s)
				require.NoError(t, err)
				assert.Zero(t, r.Value)
			}
			again, err := got.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, b, again)
		})
	}
}

// Stored bytes are not trusted: every truncation, and bytes changed into
// invalid contents, decode to an error and an empty histogram.
func TestHistDecodeHostile(t *testing.T) {
	var h Hist
	require.NoError(t, h.AddExplicit([]float64{1, 2}, []uint64{1, 2, 3}, 6))
	b, err := h.MarshalBinary()
	require.NoError(t, err)
	for n := range len(b) {
		var got Hist
		require.ErrorIs(t, got.UnmarshalBinary(b[:n]), ErrDecode, "truncated at %d", n)
		assert.Zero(t, got.Total())
	}
	var got Hist
	require.ErrorIs(t, got.UnmarshalBinary(append(b, 0)), ErrDecode, "trailing byte")
	bad := append([]byte(nil), b...)
	bad[0] = 9
	require.ErrorIs(t, got.UnmarshalBinary(bad), ErrDecode, "version")
	// Second bound (bytes 11..18) set to the first: not increasing.
	bad = append([]byte(nil), b...)
	copy(bad[11:19], bad[3:11])
	require.ErrorIs(t, got.UnmarshalBinary(bad), ErrDecode, "bounds")
	// A count of NaN.
	bad = append([]byte(nil), b...)
	copy(bad[19:27], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	require.ErrorIs(t, got.UnmarshalBinary(bad), ErrDecode, "NaN count")
	// An oversized bound count.
	require.ErrorIs(t, got.UnmarshalBinary([]byte{1, 1, 0xff, 0xff, 0x03}), ErrDecode, "size")
}

func FuzzHistDecode(f *testing.F) {
	var h Hist
	_ = h.AddExponential(&ExpPoint{Scale: 1, PositiveOffset: 2, Positive: []uint64{1, 2}, Count: 3})
	b, _ := h.MarshalBinary()
	f.Add(b)
	_ = h.UnmarshalBinary(nil)
	h.Reset()
	_ = h.AddExplicit([]float64{1}, []uint64{1, 1}, 2)
	b, _ = h.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Hist
		if got.UnmarshalBinary(data) != nil {
			if got.Total() != 0 {
				t.Fatal("a refused encoding left data behind")
			}
			return
		}
		var s Scratch
		for _, d := range all() {
			_, _ = Compare(d, &got, &got, &s)
		}
		var p Hist
		p.CopyFrom(&got)
		_ = p.AddExplicit([]float64{1}, []uint64{1, 1}, 2)
		_ = p.AddExponential(&ExpPoint{Scale: 0, Positive: []uint64{1}, Count: 1})
	})
}
