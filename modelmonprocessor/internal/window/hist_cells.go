package window

import (
	"math/bits"
	"unsafe"
)

// cells holds the bucket counts of a histogram window's points: one row per
// ring slot, every row of stride counts, every count of width bytes (1, 2,
// 4 or 8), in one allocation. The counts of a delta histogram point are
// small (a few hundred observations spread over its buckets), so most
// windows keep one byte per count where a []uint64 per point kept eight and
// a slice header: a full window of 16-bucket points holds 2 KiB of counts
// instead of 19 KiB, and a point's counts sit in one cache line instead of
// two behind a pointer. A count too wide or a point with more buckets than
// the rows hold widens every row once (widen); rows never narrow while the
// window lives, as a window that needed wide counts is likely to again.
type cells struct {
	words  []uint64 // the rows, viewed as width-byte counts
	rows   int
	width  int
	stride int
}

// cell is the type a width stores a count as.
type cell interface {
	uint8 | uint16 | uint32 | uint64
}

// view returns words as counts of T.
func view[T cell](words []uint64) []T {
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8/int(unsafe.Sizeof(zero)))
}

// widthFor is the narrowest width that holds every count of counts.
func widthFor(counts []uint64) int {
	var or uint64
	for _, c := range counts {
		or |= c
	}
	switch n := bits.Len64(or); {
	case n <= 8:
		return 1
	case n <= 16:
		return 2
	case n <= 32:
		return 4
	}
	return 8
}

// fit makes room for rows rows of n counts of width w each, keeping what
// the rows hold.
func (c *cells) fit(rows, n, w int) {
	nw, ns := max(c.width, w, 1), max(c.stride, n)
	if nw == c.width && ns == c.stride {
		if rows > c.rows {
			c.words = append(c.words, make([]uint64, wordsFor(rows*ns, nw)-len(c.words))...)
			c.rows = rows
		}
		return
	}
	old := *c
	c.rows, c.width, c.stride = max(rows, old.rows), nw, ns
	c.words = make([]uint64, wordsFor(c.rows*ns, nw))
	for r := 0; r < old.rows; r++ {
		for j := 0; j < old.stride; j++ {
			c.put(r, j, old.get(r, j))
		}
	}
}

func wordsFor(counts, width int) int { return (counts*width + 7) / 8 }

// get returns count j of row r.
func (c *cells) get(r, j int) uint64 {
	i := r*c.stride + j
	switch c.width {
	case 1:
		return uint64(view[uint8](c.words)[i])
	case 2:
		return uint64(view[uint16](c.words)[i])
	case 4:
		return uint64(view[uint32](c.words)[i])
	}
	return c.words[i]
}

func (c *cells) put(r, j int, v uint64) {
	i := r*c.stride + j
	switch c.width {
	case 1:
		view[uint8](c.words)[i] = uint8(v)
	case 2:
		view[uint16](c.words)[i] = uint16(v)
	case 4:
		view[uint32](c.words)[i] = uint32(v)
	default:
		c.words[i] = v
	}
}

// store writes counts into row r, which must fit them, and returns their
// sum (wrapping, as the running sums do).
func (c *cells) store(r int, counts []uint64) uint64 {
	switch c.width {
	case 1:
		return storeRow(rowOf[uint8](c, r, len(counts)), counts)
	case 2:
		return storeRow(rowOf[uint16](c, r, len(counts)), counts)
	case 4:
		return storeRow(rowOf[uint32](c, r, len(counts)), counts)
	}
	return storeRow(rowOf[uint64](c, r, len(counts)), counts)
}

// rowOf returns the first n counts of row r, stored as T.
func rowOf[T cell](c *cells, r, n int) []T { return view[T](c.words)[r*c.stride:][:n] }

func storeRow[T cell](row []T, counts []uint64) (obs uint64) {
	for j, v := range counts {
		row[j] = T(v)
		obs += v
	}
	return obs
}

// swap replaces row r's first len(counts) counts by counts, moving the
// difference into acc, and returns the new counts' sum: the steady state of
// a full window, one pass for the slot and the running sums together.
func (c *cells) swap(r int, counts, acc []uint64) uint64 {
	switch c.width {
	case 1:
		return swapRow(rowOf[uint8](c, r, len(counts)), counts, acc)
	case 2:
		return swapRow(rowOf[uint16](c, r, len(counts)), counts, acc)
	case 4:
		return swapRow(rowOf[uint32](c, r, len(counts)), counts, acc)
	}
	return swapRow(rowOf[uint64](c, r, len(counts)), counts, acc)
}

func swapRow[T cell](row []T, counts, acc []uint64) (obs uint64) {
	acc = acc[:len(counts)]
	for j, v := range counts {
		// uint64 arithmetic wraps, so acc+v-old is acc-old+v exactly.
		acc[j] += v - uint64(row[j])
		row[j] = T(v)
		obs += v
	}
	return obs
}

// subtract takes the first n counts of row r out of acc.
func (c *cells) subtract(r, n int, acc []uint64) {
	switch c.width {
	case 1:
		subtractRow(rowOf[uint8](c, r, n), acc)
	case 2:
		subtractRow(rowOf[uint16](c, r, n), acc)
	case 4:
		subtractRow(rowOf[uint32](c, r, n), acc)
	default:
		subtractRow(rowOf[uint64](c, r, n), acc)
	}
}

func subtractRow[T cell](row []T, acc []uint64) {
	acc = acc[:len(row)]
	for j, v := range row {
		acc[j] -= uint64(v)
	}
}

// memSize is the bytes the rows hold.
func (c *cells) memSize() int { return cap(c.words) * 8 }
