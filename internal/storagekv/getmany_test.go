package storagekv

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// countingClient is a storage client over a map that counts its calls.
type countingClient struct {
	m       map[string][]byte
	gets    int
	batches int
	fail    error
}

func (c *countingClient) Get(_ context.Context, k string) ([]byte, error) {
	c.gets++
	return c.m[k], c.fail
}

func (c *countingClient) Set(_ context.Context, k string, v []byte) error {
	c.m[k] = v
	return nil
}

func (c *countingClient) Delete(_ context.Context, k string) error {
	delete(c.m, k)
	return nil
}

func (c *countingClient) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.batches++
	if c.fail != nil {
		return c.fail
	}
	for _, op := range ops {
		if op.Type == storage.Get {
			op.Value = c.m[op.Key]
		}
	}
	return nil
}

func (*countingClient) Close(context.Context) error { return nil }

func TestGetMany(t *testing.T) {
	ctx := context.Background()
	c := &countingClient{m: map[string][]byte{}}
	s, err := FromClient(ctx, c)
	require.NoError(t, err)
	keys := make([]string, 2500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
		if i%2 == 0 {
			c.m[keys[i]] = []byte(keys[i])
		}
	}
	c.batches, c.gets = 0, 0
	got, err := GetMany(ctx, s, keys)
	require.NoError(t, err)
	for i, k := range keys {
		if i%2 == 0 {
			assert.Equal(t, k, string(got[i]))
		} else {
			assert.Nil(t, got[i], k)
		}
	}
	assert.Equal(t, 3, c.batches, "2,500 keys in batches of 1,000")
	assert.Zero(t, c.gets, "no key read on its own")

	c.fail = errors.New("down")
	_, err = GetMany(ctx, s, keys)
	require.ErrorIs(t, err, c.fail)

	mem := NewMemory()
	require.NoError(t, mem.Set(ctx, "a", []byte("1")))
	got, err = GetMany(ctx, mem, []string{"a", "b"})
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("1"), nil}, got)
}
