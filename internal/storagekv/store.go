// Package storagekv is a small persistent map from string keys to byte values
// over a collector storage extension, or in memory when none is configured.
// Components keep state that must survive a restart in it (an exporter's dedup
// records, a job queue's idempotency keys) and read all of it back at start.
package storagekv

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Store is a map of byte values by key.
type Store interface {
	// Get returns the value of key, or nil when it is absent.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key.
	Set(ctx context.Context, key string, value []byte) error
	// Delete removes key; deleting an absent key is no error.
	Delete(ctx context.Context, key string) error
	// Apply writes every change in one batch, which a storage extension
	// applies in one transaction: a nil value deletes its key.
	Apply(ctx context.Context, changes map[string][]byte) error
	// Range calls fn for every key and value. The store must not be changed from fn.
	Range(ctx context.Context, fn func(key string, value []byte) error) error
	// Persistent reports whether the values outlive the process.
	Persistent() bool
	// Close releases the storage client.
	Close(ctx context.Context) error
}

// NewMemory returns a Store that lives only as long as the process.
func NewMemory() Store {
	return &memory{m: map[string][]byte{}}
}

// Open returns a Store backed by the storage extension storageID, with a
// client named name that belongs to component owner of kind.
func Open(ctx context.Context, host component.Host, storageID component.ID, kind component.Kind, owner component.ID, name string) (Store, error) {
	ext, ok := host.GetExtensions()[storageID]
	if !ok {
		return nil, fmt.Errorf("storage extension %q not found", storageID)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a storage extension", storageID)
	}
	c, err := se.GetClient(ctx, kind, owner, name)
	if err != nil {
		return nil, fmt.Errorf("storage extension %q: %w", storageID, err)
	}
	return FromClient(ctx, c)
}

// FromClient wraps a storage client. Clients that can walk their keys are
// used directly; for the others the key list is kept under an index key, so
// that Range still sees every key after a restart.
func FromClient(ctx context.Context, c storage.Client) (Store, error) {
	if w, ok := c.(storage.Walker); ok {
		return &walking{client: c, walker: w}, nil
	}
	s := &indexed{client: c, keys: map[string]struct{}{}}
	if err := s.loadIndex(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

type memory struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memory) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.m[key]), nil
}

func (s *memory) Set(_ context.Context, key string, value []byte) error {
	if key == indexKey {
		return ErrReservedKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = clone(value)
	return nil
}

func (s *memory) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memory) Apply(_ context.Context, changes map[string][]byte) error {
	if _, ok := changes[indexKey]; ok {
		return ErrReservedKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range changes {
		if v == nil {
			delete(s.m, k)
			continue
		}
		s.m[k] = clone(v)
	}
	return nil
}

func (s *memory) Range(_ context.Context, fn func(string, []byte) error) error {
	s.mu.Lock()
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	s.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		s.mu.Lock()
		v, ok := s.m[k]
		v = clone(v)
		s.mu.Unlock()
		if !ok {
			continue
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (*memory) Persistent() bool            { return false }
func (*memory) Close(context.Context) error { return nil }

// operations turns changes into storage operations, in key order so that a
// batch is the same for the same changes.
func operations(changes map[string][]byte) []*storage.Operation {
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ops := make([]*storage.Operation, 0, len(keys)+1)
	for _, k := range keys {
		if v := changes[k]; v != nil {
			ops = append(ops, storage.SetOperation(k, v))
		} else {
			ops = append(ops, storage.DeleteOperation(k))
		}
	}
	return ops
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// walking is a Store over a client that implements storage.Walker (file_storage does).
type walking struct {
	client storage.Client
	walker storage.Walker
}

func (s *walking) Get(ctx context.Context, key string) ([]byte, error) { return s.client.Get(ctx, key) }
func (s *walking) Set(ctx context.Context, key string, v []byte) error {
	if key == indexKey {
		return ErrReservedKey
	}
	return s.client.Set(ctx, key, v)
}
func (s *walking) Delete(ctx context.Context, key string) error { return s.client.Delete(ctx, key) }
func (s *walking) Apply(ctx context.Context, changes map[string][]byte) error {
	if _, ok := changes[indexKey]; ok {
		return ErrReservedKey
	}
	return s.client.Batch(ctx, operations(changes)...)
}
func (*walking) Persistent() bool                  { return true }
func (s *walking) Close(ctx context.Context) error { return s.client.Close(ctx) }

func (s *walking) Range(ctx context.Context, fn func(string, []byte) error) error {
	// The walk holds the storage's transaction: collect first, call fn after,
	// so that fn may use the store.
	type kv struct {
		k string
		v []byte
	}
	var all []kv
	err := s.walker.Walk(ctx, func(k string, v []byte) ([]*storage.Operation, error) {
		if k != indexKey {
			all = append(all, kv{k, clone(v)})
		}
		return nil, nil
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if err := fn(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// indexKey holds the key list of clients that cannot walk.
const indexKey = "storagekv.index"

// ErrReservedKey is returned for writes to the key the store keeps its index under.
var ErrReservedKey = errors.New("key " + indexKey + " is reserved")
