// Package identity finds a data point's model key and interns it, so that a
// known model is found by a hash of its attribute values without building
// strings on the hot path.
package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

import (
	"math/rand/v2"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// FNV-1a 64 parameters for HashAttributes; inlined so hashing a value never
// allocates.
const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
)

// maxValues bounds the key attributes read without allocating; longer keys
// are refused by the config.
const maxValues = 16

// MaxKeyAttributes is the largest supported model_key.
const MaxKeyAttributes = maxValues

// MaxValueLen bounds a key value: keys are interned for as long as a model
// is tracked, so max_models times an unbounded value would be unbounded
// memory. Model names and versions are far shorter.
const MaxValueLen = 1024

// emptyValue stands in for a missing attribute; shared and only read.
var emptyValue = pcommon.NewValueEmpty()

// Scratch holds the values of one data point's key while it is looked up.
// It lives on the caller's stack or in a reused struct; its zero value is ready.
type Scratch struct {
	vals [maxValues]pcommon.Value
	ints [maxValues][20]byte
	// text holds each value rendered by Extract, for the comparisons and
	// the interning that follow.
	text [maxValues][]byte
	n    int
}

// Extractor reads a model key from the attribute maps of a data point, its
// scope and its resource, in that order of precedence.
type Extractor struct {
	keys []string
	// seed makes key hashes differ per extractor: they are no contract, and
	// producers cannot choose model names that collide on purpose.
	seed uint64
}

// NewExtractor returns an extractor for the given key attribute names.
func NewExtractor(keys []string) *Extractor {
	if len(keys) > maxValues {
		keys = keys[:maxValues]
	}
	return &Extractor{keys: append([]string(nil), keys...), seed: rand.Uint64()}
}

// Extract fills s with the key values found in point, scope and resource
// attributes and returns the hash of the key, valid for this extractor only.
// ok is false when the first key attribute is missing everywhere, or a value
// is longer than MaxValueLen: such a point has no usable model key.
func (e *Extractor) Extract(s *Scratch, point, scope, resource pcommon.Map) (hash uint64, ok bool) {
	if !e.Values(s, point, scope, resource) {
		return 0, false
	}
	return e.Hash(s), true
}

// Values fills s with the key values, as Extract does, without hashing them:
// a caller that recognises the key by other means (see Recent) skips the
// hash and the table.
func (e *Extractor) Values(s *Scratch, point, scope, resource pcommon.Map) bool {
	s.n = len(e.keys)
	for i, k := range e.keys {
		v, found := point.Get(k)
		if !found {
			v, found = scope.Get(k)
		}
		if !found {
			v, found = resource.Get(k)
		}
		if !found {
			if i == 0 {
				return false
			}
			v = emptyValue
		}
		s.vals[i] = v
		b := s.bytes(i)
		if len(b) > MaxValueLen {
			return false
		}
		s.text[i] = b
	}
	return true
}

// Hash returns the hash of the key values Values left in s, valid for this
// extractor only.
func (e *Extractor) Hash(s *Scratch) uint64 {
	h := e.seed
	for i := 0; i < s.n; i++ {
		h = hashValue(h, s.text[i])
	}
	return h
}

// HashWithout hashes the key values Values left in s except the one at
// position skip (none when skip is negative). It spreads models over the
// engine's shards: all versions of a model name land in one shard, where
// rules comparing versions find each other.
func (e *Extractor) HashWithout(s *Scratch, skip int) uint64 {
	h := e.seed
	for i := 0; i < s.n; i++ {
		if i != skip {
			h = hashValue(h, s.text[i])
		}
	}
	return h
}

// bytes returns the i-th value rendered as text. Strings and ints avoid
// allocating; other types (rare in keys) fall back to AsString.
func (s *Scratch) bytes(i int) []byte {
	v := s.vals[i]
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return unsafeBytes(v.Str())
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(s.ints[i][:0], v.Int(), 10)
	case pcommon.ValueTypeEmpty:
		return nil
	}
	return []byte(v.AsString())
}

// Equal reports whether the values in s are those of key k.
func (s *Scratch) Equal(k *Key) bool { return s.matches(k.packed) }

// matches reports whether the values in s are those packed in p (see pack).
func (s *Scratch) matches(p string) bool {
	for i := 0; i < s.n; i++ {
		b := s.text[i]
		if len(p) < 2+len(b) || int(p[0])<<8|int(p[1]) != len(b) || p[2:2+len(b)] != string(b) {
			return false
		}
		p = p[2+len(b):]
	}
	return len(p) == 0
}

// pack renders the values in s as one string, each value preceded by its
// length in two bytes (values are at most MaxValueLen): a lookup compares a
// key in one piece of memory instead of following each attribute's string.
func (s *Scratch) pack() string {
	n := 0
	for i := 0; i < s.n; i++ {
		n += 2 + len(s.text[i])
	}
	p := make([]byte, 0, n)
	for i := 0; i < s.n; i++ {
		b := s.text[i]
		p = append(p, byte(len(b)>>8), byte(len(b)))
		p = append(p, b...)
	}
	return string(p)
}

// Key is an interned model key.
type Key struct {
	// Attrs are the key attributes in configured order. An attribute missing
	// on the data has an empty value: missing and empty are the same model,
	// as they would be the same alert id downstream.
	Attrs []modelevent.Attribute
	Hash  uint64
	// ID renders the key as values joined by ':' (fraud-model:v7).
	ID string
	// packed holds the values as Scratch.pack renders them.
	packed string
}

// Intern copies the values in s into a new Key. Called once per new model.
func (e *Extractor) Intern(s *Scratch, hash uint64) *Key {
	k := &Key{
		Attrs: make([]modelevent.Attribute, s.n),
		Hash:  hash,
	}
	for i := 0; i < s.n; i++ {
		k.Attrs[i].Key = e.keys[i]
		k.Attrs[i].Value = string(s.text[i])
	}
	k.ID = modelevent.ModelID(k.Attrs)
	k.packed = s.pack()
	return k
}

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= prime64
	}
	return h
}

// HashAttributes hashes a whole attribute map in its stored order, to tell
// the streams of one model apart. Producers keep a stream's attribute order
// stable; a reordering only costs one relearnt point.
func HashAttributes(attrs pcommon.Map) uint64 {
	h := uint64(offset64)
	var buf [20]byte
	for k, v := range attrs.All() {
		h = hashBytes((h^0xff)*prime64, unsafeBytes(k))
		h = (h ^ 0xfe) * prime64
		switch v.Type() {
		case pcommon.ValueTypeStr:
			h = hashBytes(h, unsafeBytes(v.Str()))
		case pcommon.ValueTypeInt:
			h = hashBytes(h, strconv.AppendInt(buf[:0], v.Int(), 10))
		default:
			h = hashBytes(h, []byte(v.AsString()))
		}
	}
	return h
}
