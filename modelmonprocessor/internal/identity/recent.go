package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

// maxRecent bounds the positions Recent remembers; points further down a
// metric are looked up in the table as usual.
const maxRecent = 1024

// Recent remembers, per data-point position within a metric, the value found
// for the key at that position in an earlier metric. Exporters write one
// metric per signal with the points of the same models in the same order
// (an SDK exporting one model per request writes each metric's only point
// first), so the key at a position is mostly the one seen there before:
// comparing the values with it skips hashing and the table. Only a match of
// every value counts, so a wrong guess costs one comparison, never a wrong
// model.
type Recent[V any] struct {
	slots []recentSlot[V]
	used  int
}

type recentSlot[V any] struct {
	packed string
	key    *Key
	val    V
}

// Find returns the value remembered at pos if the key held in s is the one
// remembered there.
func (r *Recent[V]) Find(s *Scratch, pos int) (*Key, V, bool) {
	if pos < len(r.slots) {
		if sl := &r.slots[pos]; sl.key != nil && s.matches(sl.packed) {
			return sl.key, sl.val, true
		}
	}
	var zero V
	return nil, zero, false
}

// Remember records that the key k at pos has the value v.
func (r *Recent[V]) Remember(pos int, k *Key, v V) {
	if pos >= maxRecent {
		return
	}
	if pos >= len(r.slots) {
		r.slots = append(r.slots, make([]recentSlot[V], pos+1-len(r.slots))...)
	}
	r.slots[pos] = recentSlot[V]{packed: k.packed, key: k, val: v}
	r.used = max(r.used, pos+1)
}

// Forget drops everything remembered, so that no value outlives the caller's
// guarantee that it is still current (the engine forgets after each batch,
// before stale models can be evicted).
func (r *Recent[V]) Forget() {
	clear(r.slots[:r.used])
	r.used = 0
}
