package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

// Table maps interned keys to values, looked up by a Scratch without
// allocating. Hash collisions chain in a short slice.
type Table[V any] struct {
	m map[uint64][]entry[V]
	n int
}

type entry[V any] struct {
	key *Key
	val V
}

// NewTable returns an empty table.
func NewTable[V any]() *Table[V] {
	return &Table[V]{m: map[uint64][]entry[V]{}}
}

// Get returns the value stored for the key held in s.
func (t *Table[V]) Get(s *Scratch, hash uint64) (*Key, V, bool) {
	for _, e := range t.m[hash] {
		if s.Equal(e.key) {
			return e.key, e.val, true
		}
	}
	var zero V
	return nil, zero, false
}

// Put stores v under k, which must not be in the table yet.
func (t *Table[V]) Put(k *Key, v V) {
	t.m[k.Hash] = append(t.m[k.Hash], entry[V]{key: k, val: v})
	t.n++
}

// Delete removes k (the same interned pointer Put received).
func (t *Table[V]) Delete(k *Key) {
	chain := t.m[k.Hash]
	for i, e := range chain {
		if e.key != k {
			continue
		}
		chain[i] = chain[len(chain)-1]
		chain[len(chain)-1] = entry[V]{}
		chain = chain[:len(chain)-1]
		if len(chain) == 0 {
			delete(t.m, k.Hash)
		} else {
			t.m[k.Hash] = chain
		}
		t.n--
		return
	}
}

// Len is the number of keys stored.
func (t *Table[V]) Len() int { return t.n }
