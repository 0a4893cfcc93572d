package modelmonprocessor

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// memStorage is a storage extension over one map that outlives the engines
// using it, as a file outlives the processes using it. failWrites makes
// every Set fail; while block is open, every Set waits for it to close.
type memStorage struct {
	component.StartFunc
	component.ShutdownFunc

	mu         sync.Mutex
	m          map[string][]byte
	failWrites error
	block      chan struct{}
	// failReads makes every Get fail; while blockReads is open, every Get
	// waits for it to close.
	failReads  error
	blockReads chan struct{}
	// heldReads counts the Gets waiting for blockReads.
	heldReads int
}

var _ storage.Extension = (*memStorage)(nil)

func newMemStorage() *memStorage { return &memStorage{m: map[string][]byte{}} }

func (s *memStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return memClient{s}, nil
}

// keys lists the stored keys, sorted.
func (s *memStorage) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for k := range s.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// holdReads makes every Get wait until the returned release is called, so
// that a test decides when storage answers.
func (s *memStorage) holdReads() (release func()) {
	block := make(chan struct{})
	s.mu.Lock()
	s.blockReads = block
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.blockReads = nil
		s.mu.Unlock()
		close(block)
	}
}

// awaitHeldReads waits until n Gets wait for a holdReads release.
func (s *memStorage) awaitHeldReads(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.heldReads >= n
	}, 5*time.Second, time.Millisecond, "Gets held")
}

func (s *memStorage) put(k string, v []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}

// memClient is a storage.Walker like file_storage's client.
type memClient struct{ s *memStorage }

var (
	_ storage.Client = memClient{}
	_ storage.Walker = memClient{}
)

func (c memClient) Get(_ context.Context, k string) ([]byte, error) {
	c.s.mu.Lock()
	block := c.s.blockReads
	if block != nil {
		c.s.heldReads++
	}
	c.s.mu.Unlock()
	if block != nil {
		<-block
	}
	c.s.mu.Lock()
	if err := c.s.failReads; err != nil {
		c.s.mu.Unlock()
		return nil, err
	}
	defer c.s.mu.Unlock()
	return append([]byte(nil), c.s.m[k]...), nil
}

func (c memClient) Set(_ context.Context, k string, v []byte) error {
	c.s.mu.Lock()
	block := c.s.block
	c.s.mu.Unlock()
	if block != nil {
		<-block
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.failWrites != nil {
		return c.s.failWrites
	}
	c.s.m[k] = append([]byte(nil), v...)
	return nil
}

func (c memClient) Delete(_ context.Context, k string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	delete(c.s.m, k)
	return nil
}

func (c memClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		var err error
		switch op.Type {
		case storage.Set:
			err = c.Set(ctx, op.Key, op.Value)
		case storage.Delete:
			err = c.Delete(ctx, op.Key)
		case storage.Get:
			op.Value, err = c.Get(ctx, op.Key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c memClient) Walk(_ context.Context, fn storage.WalkFunc) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for k, v := range c.s.m {
		if _, err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (memClient) Close(context.Context) error { return nil }

// storageHost serves the storage extensions of a test.
type storageHost map[component.ID]component.Component

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h }
