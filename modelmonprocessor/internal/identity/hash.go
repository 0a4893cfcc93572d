package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

import (
	"encoding/binary"
	"math/bits"
)

// Multipliers of the wyhash family; any odd constants with well-mixed bits
// would do.
const (
	hashK1 = 0xe7037ed1a0b428db
	hashK2 = 0x8ebc6af09c88c6e3
)

// mix folds the 128-bit product of a and b into 64 bits.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashValue continues the key hash h with one value. It reads eight bytes
// at a time (a model name costs two multiplications, not one per byte), and
// h, which starts from the extractor's random seed, enters both operands of
// every multiplication so that no choice of bytes zeroes one of them for
// every seed. The length is hashed too: ("a","bc") and ("ab","c") differ.
func hashValue(h uint64, b []byte) uint64 {
	n := len(b)
	var x, y uint64
	switch {
	case n > 16:
		i := 0
		for ; n-i > 16; i += 16 {
			h = mix(binary.LittleEndian.Uint64(b[i:])^hashK1^h, binary.LittleEndian.Uint64(b[i+8:])^hashK2^h)
		}
		x, y = binary.LittleEndian.Uint64(b[n-16:]), binary.LittleEndian.Uint64(b[n-8:])
	case n >= 8:
		x, y = binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		x, y = uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[n-4:]))
	case n > 0:
		x = uint64(b[0])<<16 | uint64(b[n>>1])<<8 | uint64(b[n-1])
	}
	return mix(hashK1^uint64(n)^h, mix(x^hashK1^h, y^hashK2^h))
}
