package storagekv

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// mapClient is a storage.Client over a map, shared across "restarts".
type mapClient struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *mapClient) Get(_ context.Context, k string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clone(c.m[k]), nil
}

func (c *mapClient) Set(_ context.Context, k string, v []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = clone(v)
	return nil
}

func (c *mapClient) Delete(_ context.Context, k string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
	return nil
}

func (c *mapClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range ops {
		switch op.Type {
		case storage.Set:
			c.m[op.Key] = clone(op.Value)
		case storage.Delete:
			delete(c.m, op.Key)
		case storage.Get:
			op.Value = clone(c.m[op.Key])
		}
	}
	return nil
}

func (*mapClient) Close(context.Context) error { return nil }

// walkClient adds storage.Walker, as file_storage has.
type walkClient struct{ *mapClient }

func (c walkClient) Walk(_ context.Context, fn storage.WalkFunc) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.m))
	for k := range c.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := fn(k, c.m[k]); err != nil {
			return err
		}
	}
	return nil
}

func collect(t *testing.T, s Store) map[string]string {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, s.Range(context.Background(), func(k string, v []byte) error {
		got[k] = string(v)
		return nil
	}))
	return got
}

func TestStores(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		open       func(t *testing.T) (first, reopened Store)
		persistent bool
	}{
		{name: "memory", open: func(*testing.T) (Store, Store) { return NewMemory(), NewMemory() }},
		{name: "walker client", persistent: true, open: func(t *testing.T) (Store, Store) {
			c := walkClient{&mapClient{m: map[string][]byte{}}}
			a, err := FromClient(ctx, c)
			require.NoError(t, err)
			b, err := FromClient(ctx, c)
			require.NoError(t, err)
			return a, b
		}},
		{name: "indexed client", persistent: true, open: func(t *testing.T) (Store, Store) {
			c := &mapClient{m: map[string][]byte{}}
			a, err := FromClient(ctx, c)
			require.NoError(t, err)
			// The second store reads the index written by the first.
			return a, lazyStore{c: c, t: t}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, reopened := tt.open(t)
			assert.Equal(t, tt.persistent, s.Persistent())
			require.NoError(t, s.Set(ctx, "b", []byte("2")))
			require.NoError(t, s.Set(ctx, "a", []byte("1")))
			require.NoError(t, s.Set(ctx, "a", []byte("1b")))
			require.NoError(t, s.Set(ctx, "c", []byte("3")))
			require.NoError(t, s.Delete(ctx, "c"))
			require.NoError(t, s.Delete(ctx, "never"))
			v, err := s.Get(ctx, "a")
			require.NoError(t, err)
			assert.Equal(t, "1b", string(v))
			v, err = s.Get(ctx, "c")
			require.NoError(t, err)
			assert.Nil(t, v)
			assert.Equal(t, map[string]string{"a": "1b", "b": "2"}, collect(t, s))
			assert.ErrorIs(t, s.Set(ctx, indexKey, nil), ErrReservedKey)

			require.NoError(t, s.Apply(ctx, map[string][]byte{"a": []byte("1c"), "b": nil, "d": []byte("4"), "never": nil}))
			assert.Equal(t, map[string]string{"a": "1c", "d": "4"}, collect(t, s))
			assert.ErrorIs(t, s.Apply(ctx, map[string][]byte{indexKey: nil}), ErrReservedKey)

			want := map[string]string{}
			if tt.persistent {
				want = map[string]string{"a": "1c", "d": "4"}
			}
			assert.Equal(t, want, collect(t, reopened))
			require.NoError(t, s.Close(ctx))
		})
	}
}

// lazyStore opens the indexed store only when used, after the first store wrote.
type lazyStore struct {
	Store
	c *mapClient
	t *testing.T
}

func (l lazyStore) Range(ctx context.Context, fn func(string, []byte) error) error {
	s, err := FromClient(ctx, l.c)
	require.NoError(l.t, err)
	return s.Range(ctx, fn)
}

func TestRangeStopsOnError(t *testing.T) {
	s := NewMemory()
	ctx := context.Background()
	require.NoError(t, s.Set(ctx, "a", nil))
	require.NoError(t, s.Set(ctx, "b", nil))
	stop := errors.New("stop")
	n := 0
	err := s.Range(ctx, func(string, []byte) error { n++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

func TestCorruptIndexIsAnError(t *testing.T) {
	c := &mapClient{m: map[string][]byte{indexKey: []byte("{not json")}}
	_, err := FromClient(context.Background(), c)
	assert.ErrorContains(t, err, "key index is corrupt")
}

// failingClient refuses every batch.
type failingClient struct{ *mapClient }

func (failingClient) Batch(context.Context, ...*storage.Operation) error {
	return errors.New("disk full")
}

// TestApplyIsAllOrNothing: a refused batch leaves the values and the key
// index as they were.
func TestApplyIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	c := &mapClient{m: map[string][]byte{}}
	s, err := FromClient(ctx, c)
	require.NoError(t, err)
	require.NoError(t, s.Apply(ctx, map[string][]byte{"a": []byte("1")}))
	s.(*indexed).client = failingClient{c}
	require.ErrorContains(t, s.Apply(ctx, map[string][]byte{"a": nil, "b": []byte("2")}), "disk full")
	assert.Equal(t, map[string]string{"a": "1"}, collect(t, s))
	reopened, err := FromClient(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, collect(t, reopened))
}
