package identity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func maps(point, scope, res map[string]any) (pcommon.Map, pcommon.Map, pcommon.Map) {
	p, s, r := pcommon.NewMap(), pcommon.NewMap(), pcommon.NewMap()
	_ = p.FromRaw(point)
	_ = s.FromRaw(scope)
	_ = r.FromRaw(res)
	return p, s, r
}

func TestExtract(t *testing.T) {
	e := NewExtractor([]string{"model.name", "model.version"})
	tests := []struct {
		name              string
		point, scope, res map[string]any
		ok                bool
		id                string
	}{
		{"point", map[string]any{"model.name": "a", "model.version": "v1"}, nil, nil, true, "a:v1"},
		{"precedence point>scope>resource", map[string]any{"model.name": "p"}, map[string]any{"model.name": "s", "model.version": "sv"}, map[string]any{"model.version": "rv"}, true, "p:sv"},
		{"resource only", nil, nil, map[string]any{"model.name": "r", "model.version": int64(7)}, true, "r:7"},
		{"later attribute missing", map[string]any{"model.name": "a"}, nil, nil, true, "a:"},
		{"first attribute missing", map[string]any{"model.version": "v1"}, nil, nil, false, ""},
		{"bool renders as text", map[string]any{"model.name": true}, nil, nil, true, "true:"},
		{"value at the length bound", map[string]any{"model.name": strings.Repeat("x", MaxValueLen)}, nil, nil, true, strings.Repeat("x", MaxValueLen) + ":"},
		{"value over the length bound", map[string]any{"model.name": "a", "model.version": strings.Repeat("x", MaxValueLen+1)}, nil, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s, r := maps(tt.point, tt.scope, tt.res)
			var sc Scratch
			h, ok := e.Extract(&sc, p, s, r)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			k := e.Intern(&sc, h)
			assert.Equal(t, tt.id, k.ID)
			assert.True(t, sc.Equal(k))
		})
	}
}

func TestHashSeparatesValues(t *testing.T) {
	e := NewExtractor([]string{"a", "b"})
	hash := func(point map[string]any) uint64 {
		p, s, r := maps(point, nil, nil)
		var sc Scratch
		h, ok := e.Extract(&sc, p, s, r)
		require.True(t, ok)
		return h
	}
	assert.NotEqual(t, hash(map[string]any{"a": "x", "b": "yz"}), hash(map[string]any{"a": "xy", "b": "z"}))
	// An int and its decimal string are the same key value, by design.
	assert.Equal(t, hash(map[string]any{"a": "x", "b": int64(12)}), hash(map[string]any{"a": "x", "b": "12"}))
	// A missing attribute is the same model as an empty one (same alert id).
	assert.Equal(t, hash(map[string]any{"a": "x"}), hash(map[string]any{"a": "x", "b": ""}))
}

func TestTable(t *testing.T) {
	e := NewExtractor([]string{"k"})
	tab := NewTable[int]()
	key := func(v string) (*Scratch, uint64) {
		p, s, r := maps(map[string]any{"k": v}, nil, nil)
		sc := new(Scratch)
		h, _ := e.Extract(sc, p, s, r)
		return sc, h
	}
	sa, ha := key("a")
	sb, hb := key("b")
	ka, kb := e.Intern(sa, ha), e.Intern(sb, hb)
	// Force a collision: both keys under one hash still resolve by value.
	kb.Hash = ka.Hash
	tab.Put(ka, 1)
	tab.Put(kb, 2)
	assert.Equal(t, 2, tab.Len())
	_, v, ok := tab.Get(sa, ha)
	assert.True(t, ok)
	assert.Equal(t, 1, v)
	_, v, ok = tab.Get(sb, ha)
	assert.True(t, ok)
	assert.Equal(t, 2, v)
	tab.Delete(ka)
	_, _, ok = tab.Get(sa, ha)
	assert.False(t, ok)
	_, v, ok = tab.Get(sb, ha)
	assert.True(t, ok)
	assert.Equal(t, 2, v)
	tab.Delete(kb)
	assert.Zero(t, tab.Len())
	assert.Empty(t, tab.m, "empty chains are removed")
}

func TestLookupDoesNotAllocate(t *testing.T) {
	e := NewExtractor([]string{"model.name", "model.version"})
	p, s, r := maps(map[string]any{"model.name": "fraud", "model.version": int64(7)}, nil, nil)
	tab := NewTable[int]()
	var sc Scratch
	h, _ := e.Extract(&sc, p, s, r)
	tab.Put(e.Intern(&sc, h), 1)
	allocs := testing.AllocsPerRun(100, func() {
		h, _ := e.Extract(&sc, p, s, r)
		if _, _, ok := tab.Get(&sc, h); !ok {
			t.Fatal("not found")
		}
	})
	assert.Zero(t, allocs)
}

func TestHashAttributes(t *testing.T) {
	m := func(raw map[string]any) pcommon.Map {
		x := pcommon.NewMap()
		require.NoError(t, x.FromRaw(raw))
		return x
	}
	a := HashAttributes(m(map[string]any{"route": "a"}))
	assert.Equal(t, a, HashAttributes(m(map[string]any{"route": "a"})))
	assert.NotEqual(t, a, HashAttributes(m(map[string]any{"route": "b"})))
	assert.NotEqual(t, a, HashAttributes(m(map[string]any{"rout": "ea"})), "key and value are separated")
	assert.NotEqual(t, HashAttributes(m(map[string]any{"n": int64(1)})), HashAttributes(m(nil)))
	attrs := m(map[string]any{"route": "a", "code": int64(200)})
	assert.Zero(t, testing.AllocsPerRun(10, func() { HashAttributes(attrs) }))
}
