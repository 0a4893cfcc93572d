package identity

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTableCollisions forces every key under one hash and checks that each
// still finds its own value, through deletions in any position (the slot in
// the map, the first or the last waiting entry).
func TestTableCollisions(t *testing.T) {
	e := NewExtractor([]string{"a", "b"})
	values := [][2]string{
		{"x", "yz"}, {"xy", "z"}, {"", "xyz"}, {"xyz", ""},
		{strings.Repeat("v", 300), "w"}, {strings.Repeat("v", 44), strings.Repeat("w", 257)},
	}
	scratch := func(v [2]string) *Scratch {
		p, s, r := maps(map[string]any{"a": v[0], "b": v[1]}, nil, nil)
		sc := new(Scratch)
		_, ok := e.Extract(sc, p, s, r)
		require.True(t, ok)
		return sc
	}
	for _, order := range []struct {
		name string
		del  []int
	}{
		{"map slot first", []int{0, 1, 2, 3, 4, 5}},
		{"waiting entries first", []int{5, 1, 3, 2, 4, 0}},
		{"middle", []int{2, 0, 5, 4, 1, 3}},
	} {
		t.Run(order.name, func(t *testing.T) {
			tab := NewTable[int]()
			keys := make([]*Key, len(values))
			for i, v := range values {
				keys[i] = e.Intern(scratch(v), 0)
				keys[i].Hash = 42
				tab.Put(keys[i], i)
			}
			live := map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true}
			check := func() {
				t.Helper()
				assert.Equal(t, len(live), tab.Len())
				for i, v := range values {
					k, got, ok := tab.Get(scratch(v), 42)
					require.Equal(t, live[i], ok, "key %d", i)
					if ok {
						assert.Equal(t, i, got)
						assert.Same(t, keys[i], k)
					}
				}
			}
			check()
			for _, d := range order.del {
				tab.Delete(keys[d])
				delete(live, d)
				check()
				tab.Delete(keys[d]) // a second delete is a no-op
				check()
			}
			assert.Empty(t, tab.m)
			assert.Empty(t, tab.more)
		})
	}
}

// TestPackedMatchesValues checks the packed comparison against the plain
// one on keys that share prefixes, lengths and the two-byte length bytes.
func TestPackedMatchesValues(t *testing.T) {
	e := NewExtractor([]string{"a", "b"})
	vals := []string{"", "a", "ab", "b", strings.Repeat("x", 255), strings.Repeat("x", 256), strings.Repeat("x", 511), "\x00\x01"}
	for _, a1 := range vals {
		for _, b1 := range vals {
			p, s, r := maps(map[string]any{"a": a1, "b": b1}, nil, nil)
			var sc Scratch
			_, ok := e.Extract(&sc, p, s, r)
			if a1 == "" {
				// An empty first attribute is present, so still a key.
				require.True(t, ok)
			}
			k := e.Intern(&sc, 0)
			for _, a2 := range vals {
				for _, b2 := range vals {
					p, s, r := maps(map[string]any{"a": a2, "b": b2}, nil, nil)
					var other Scratch
					_, _ = e.Extract(&other, p, s, r)
					if got, want := other.Equal(k), a1 == a2 && b1 == b2; got != want {
						t.Fatalf("(%q,%q) vs key (%q,%q): Equal %v, want %v", a2, b2, a1, b1, got, want)
					}
				}
			}
		}
	}
}

// TestHashValueSpreads checks that values of every length path (0, 1–3,
// 4–7, 8–16, longer) and keys that differ in one byte or in how the bytes
// split into values hash apart.
func TestHashValueSpreads(t *testing.T) {
	e := NewExtractor([]string{"a", "b"})
	seen := map[uint64][2]string{}
	add := func(a, b string) {
		p, s, r := maps(map[string]any{"a": a, "b": b}, nil, nil)
		var sc Scratch
		h, ok := e.Extract(&sc, p, s, r)
		require.True(t, ok)
		if prev, dup := seen[h]; dup {
			t.Fatalf("(%q,%q) and (%q,%q) hash alike", a, b, prev[0], prev[1])
		}
		seen[h] = [2]string{a, b}
	}
	base := strings.Repeat("model-fraud-detector-", 3)
	for n := 0; n <= len(base); n++ {
		for cut := 0; cut <= n; cut++ {
			add(base[:cut], base[cut:n])
		}
		if n > 0 {
			flipped := []byte(base[:n])
			flipped[n/2] ^= 1
			add(string(flipped), "")
		}
	}
}
