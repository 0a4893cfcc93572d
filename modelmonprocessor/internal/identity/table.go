package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

// Table maps interned keys to values, looked up by a Scratch without
// allocating. The entry of a hash sits in the map itself, holding the key's
// packed values: a lookup reads the map slot and one string, whatever the
// number of key attributes. Keys whose hash is already taken (a real
// collision, rare with 64-bit seeded hashes) wait in more.
type Table[V any] struct {
	m    map[uint64]entry[V]
	more map[uint64][]entry[V]
	n    int
}

type entry[V any] struct {
	packed string
	key    *Key
	val    V
}

// NewTable returns an empty table.
func NewTable[V any]() *Table[V] {
	return &Table[V]{m: map[uint64]entry[V]{}}
}

// Get returns the value stored for the key held in s.
func (t *Table[V]) Get(s *Scratch, hash uint64) (*Key, V, bool) {
	if e, ok := t.m[hash]; ok {
		if s.matches(e.packed) {
			return e.key, e.val, true
		}
		for _, e := range t.more[hash] {
			if s.matches(e.packed) {
				return e.key, e.val, true
			}
		}
	}
	var zero V
	return nil, zero, false
}

// Put stores v under k, which must not be in the table yet.
func (t *Table[V]) Put(k *Key, v V) {
	e := entry[V]{packed: k.packed, key: k, val: v}
	t.n++
	if _, taken := t.m[k.Hash]; !taken {
		t.m[k.Hash] = e
		return
	}
	if t.more == nil {
		t.more = map[uint64][]entry[V]{}
	}
	t.more[k.Hash] = append(t.more[k.Hash], e)
}

// Delete removes k (the same interned pointer Put received).
func (t *Table[V]) Delete(k *Key) {
	first, ok := t.m[k.Hash]
	if !ok {
		return
	}
	chain := t.more[k.Hash]
	if first.key == k {
		t.n--
		if len(chain) == 0 {
			delete(t.m, k.Hash)
			return
		}
		// The last waiting entry takes the map slot.
		t.m[k.Hash] = chain[len(chain)-1]
		t.dropFromChain(k.Hash, chain, len(chain)-1)
		return
	}
	for i, e := range chain {
		if e.key == k {
			t.n--
			t.dropFromChain(k.Hash, chain, i)
			return
		}
	}
}

func (t *Table[V]) dropFromChain(hash uint64, chain []entry[V], i int) {
	chain[i] = chain[len(chain)-1]
	chain[len(chain)-1] = entry[V]{}
	chain = chain[:len(chain)-1]
	if len(chain) == 0 {
		delete(t.more, hash)
	} else {
		t.more[hash] = chain
	}
}

// Len is the number of keys stored.
func (t *Table[V]) Len() int { return t.n }

// Lookup returns the value stored under a key equal to k, which may be
// another interned pointer of the same values.
func (t *Table[V]) Lookup(k *Key) (V, bool) {
	if e, ok := t.m[k.Hash]; ok {
		if e.packed == k.packed {
			return e.val, true
		}
		for _, e := range t.more[k.Hash] {
			if e.packed == k.packed {
				return e.val, true
			}
		}
	}
	var zero V
	return zero, false
}
