// Package identity finds a data point's model key and interns it, so that a
// known model is found by a hash of its attribute values without building
// strings on the hot path.
package identity // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// FNV-1a 64 parameters; inlined so hashing a value never allocates.
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
	n    int
}

// Extractor reads a model key from the attribute maps of a data point, its
// scope and its resource, in that order of precedence.
type Extractor struct {
	keys []string
}

// NewExtractor returns an extractor for the given key attribute names.
func NewExtractor(keys []string) *Extractor {
	if len(keys) > maxValues {
		keys = keys[:maxValues]
	}
	return &Extractor{keys: append([]string(nil), keys...)}
}

// Extract fills s with the key values found in point, scope and resource
// attributes and returns the hash of the key. ok is false when the first key
// attribute is missing everywhere, or a value is longer than MaxValueLen:
// such a point has no usable model key.
func (e *Extractor) Extract(s *Scratch, point, scope, resource pcommon.Map) (hash uint64, ok bool) {
	s.n = len(e.keys)
	h := uint64(offset64)
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
				return 0, false
			}
			v = emptyValue
		}
		s.vals[i] = v
		b := s.bytes(i)
		if len(b) > MaxValueLen {
			return 0, false
		}
		// A separator per attribute keeps ("a","bc") and ("ab","c") apart.
		h = hashBytes((h^0xff)*prime64, b)
	}
	return h, true
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
func (s *Scratch) Equal(k *Key) bool {
	if s.n != len(k.Attrs) {
		return false
	}
	for i := 0; i < s.n; i++ {
		if string(s.bytes(i)) != k.Attrs[i].Value {
			return false
		}
	}
	return true
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
}

// Intern copies the values in s into a new Key. Called once per new model.
func (e *Extractor) Intern(s *Scratch, hash uint64) *Key {
	k := &Key{
		Attrs: make([]modelevent.Attribute, s.n),
		Hash:  hash,
	}
	for i := 0; i < s.n; i++ {
		k.Attrs[i].Key = e.keys[i]
		k.Attrs[i].Value = string(s.bytes(i))
	}
	k.ID = modelevent.ModelID(k.Attrs)
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
