package window

import (
	"cmp"
	"math"
	"slices"
	"unsafe"
)

// The sorted index orders the window's physical slots by value, in
// cmp.Compare's order (the one slices.Sort uses: NaN first, -0 equal to 0),
// and among equal values by slot number. A slot keeps its number while its
// sample stays, and a full window's new sample takes the slot of the oldest,
// so in the steady state an entry only moves between the old value's place
// and the new one's, and not at all when the value repeats. Percentiles read
// the values at two ranks through the index: the same values a fresh sort
// of the window has at those ranks.

// permWidth is the bytes per index entry for a ring of slots slots.
func permWidth(slots int) int {
	if slots <= 256 {
		return 1
	}
	return 4
}

// permAt returns the slot of the k-th smallest sample.
func (w *Window) permAt(k int) int {
	if len(w.vals) <= 256 {
		return int(w.perm[k])
	}
	return int(*(*uint32)(unsafe.Pointer(&w.perm[4*k])))
}

func (w *Window) setPerm(k, p int) { setPermIn(w.perm, len(w.vals), k, p) }

func setPermIn(perm []byte, slots, k, p int) {
	if slots <= 256 {
		perm[k] = uint8(p)
		return
	}
	*(*uint32)(unsafe.Pointer(&perm[4*k])) = uint32(p)
}

// movePerm shifts index entries [from, from+n) to start at to.
func (w *Window) movePerm(to, from, n int) {
	if n <= 0 {
		return
	}
	pw := permWidth(len(w.vals))
	copy(w.perm[to*pw:(to+n)*pw], w.perm[from*pw:(from+n)*pw])
}

// cmpSlots orders two slots as the index does.
func (w *Window) cmpSlots(a, b int) int {
	if c := cmp.Compare(w.vals[a], w.vals[b]); c != 0 {
		return c
	}
	return a - b
}

// rank returns how many of the first m index entries sort before the key
// (value v, slot p).
func (w *Window) rank(v float64, p, m int) int { return w.rankIn(v, p, 0, m) }

// rankIn returns the position among the entries [lo, hi) at which the key
// (value v, slot p) sorts: lo plus how many of them sort before it.
func (w *Window) rankIn(v float64, p, lo, hi int) int {
	if len(w.vals) <= 256 {
		perm, vals := w.perm, w.vals
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			q := int(perm[mid])
			if before(vals[q], q, v, p) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return lo
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		q := w.permAt(mid)
		if before(w.vals[q], q, v, p) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// before reports whether (x, slot q) sorts before (v, slot p): cmp.Compare
// on the values (NaN lowest, NaN equal to NaN, -0 equal to 0), then the
// slots. Written out because cmp.Compare's NaN tests cost more than the
// comparisons a binary search makes of ordinary values.
func before(x float64, q int, v float64, p int) bool {
	if x < v {
		return true
	}
	if x == v {
		return q < p
	}
	if x != x { // NaN: before any number, tied with another NaN
		return v == v || q < p
	}
	return false
}

// buildSorted builds the index when there is none: one sort, then kept in
// step by sortIn, unsort and resort.
func (w *Window) buildSorted() {
	if w.sortedValid {
		return
	}
	n := int(w.n)
	pw := permWidth(len(w.vals))
	if len(w.perm) != len(w.vals)*pw {
		w.perm = make([]byte, len(w.vals)*pw)
	}
	for k := 0; k < n; k++ {
		w.setPerm(k, w.idx(k))
	}
	if pw == 1 {
		slices.SortFunc(w.perm[:n], func(a, b uint8) int { return w.cmpSlots(int(a), int(b)) })
	} else {
		p32 := unsafe.Slice((*uint32)(unsafe.Pointer(&w.perm[0])), n)
		slices.SortFunc(p32, func(a, b uint32) int { return w.cmpSlots(int(a), int(b)) })
	}
	w.sortedValid = true
}

// fixSorted restores the index's order after slots were renumbered (an
// out-of-order insert shifts the newer samples by one slot, growing the
// ring moves them all): by value nothing changed, only ties between equal
// values can be out of slot order, so an insertion sort has little to do.
func (w *Window) fixSorted() {
	if !w.sortedValid {
		return
	}
	for k := 1; k < int(w.n); k++ {
		p := w.permAt(k)
		j := k
		for j > 0 && w.cmpSlots(w.permAt(j-1), p) > 0 {
			w.setPerm(j, w.permAt(j-1))
			j--
		}
		w.setPerm(j, p)
	}
}

// sortIn adds slot p, just given value v and counted in n, to the index.
func (w *Window) sortIn(p int, v float64) {
	if !w.sortedValid {
		return
	}
	m := int(w.n) - 1
	i := w.rank(v, p, m)
	w.movePerm(i+1, i, m-i)
	w.setPerm(i, p)
}

// unsort removes slot p, of value v, from the index before it leaves the
// window.
func (w *Window) unsort(p int, v float64) {
	if !w.sortedValid {
		return
	}
	m := int(w.n)
	i := w.rank(v, p, m)
	if i == m || w.permAt(i) != p {
		// Cannot happen while the index mirrors the window; rebuild if it does.
		w.sortedValid = false
		return
	}
	w.movePerm(i, i+1, m-i-1)
}

// resort moves slot p from the place of its value old to the place of v,
// the value it is about to take, in one shift: what unsort then sortIn would
// leave, moving only the entries between the two places.
func (w *Window) resort(p int, old, v float64) {
	if !w.sortedValid || v == old || (v != v && old != old) {
		// Equal values (for cmp.Compare: -0 and 0, any two NaNs) tie on
		// the slot: the entry keeps its place, and a repeated value (the
		// common case) costs no search.
		return
	}
	m := int(w.n)
	i := w.rank(old, p, m)
	if i == m || w.permAt(i) != p {
		w.sortedValid = false
		return
	}
	if before(v, p, old, p+1) {
		j := w.rankIn(v, p, 0, i)
		w.movePerm(j+1, j, i-j)
		w.setPerm(j, p)
		return
	}
	// Entries after i that sort before (v, p) move down by one.
	j := w.rankIn(v, p, i+1, m)
	w.movePerm(i, i+1, j-i-1)
	w.setPerm(j-1, p)
}

// quantile is Prometheus' quantile for 0 ≤ q ≤ 1 over the window's values
// in ascending order (the index built): the weighted mean of the two values
// around rank q·(n−1).
func (w *Window) quantile(q float64) float64 {
	n := float64(w.n)
	rank := q * (n - 1)
	lower := math.Max(0, math.Floor(rank))
	upper := math.Min(n-1, lower+1)
	weight := rank - math.Floor(rank)
	return w.vals[w.permAt(int(lower))]*(1-weight) + w.vals[w.permAt(int(upper))]*weight
}
