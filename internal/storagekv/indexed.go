package storagekv

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// indexed is a Store over a client that cannot walk its keys: the key list is
// written in the same batch as every insert and delete, so it never disagrees
// with the values after a crash.
type indexed struct {
	client storage.Client

	mu   sync.Mutex
	keys map[string]struct{}
}

func (s *indexed) loadIndex(ctx context.Context) error {
	raw, err := s.client.Get(ctx, indexKey)
	if err != nil {
		return fmt.Errorf("read key index: %w", err)
	}
	if raw == nil {
		return nil
	}
	var keys []string
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("key index is corrupt: %w", err)
	}
	for _, k := range keys {
		s.keys[k] = struct{}{}
	}
	return nil
}

func (s *indexed) indexOp(keys map[string]struct{}) (*storage.Operation, error) {
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	sort.Strings(list)
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	return storage.SetOperation(indexKey, raw), nil
}

func (s *indexed) Get(ctx context.Context, key string) ([]byte, error) {
	return s.client.Get(ctx, key)
}

func (s *indexed) Set(ctx context.Context, key string, value []byte) error {
	if key == indexKey {
		return ErrReservedKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[key]; ok {
		return s.client.Set(ctx, key, value)
	}
	s.keys[key] = struct{}{}
	idx, err := s.indexOp(s.keys)
	if err == nil {
		err = s.client.Batch(ctx, storage.SetOperation(key, value), idx)
	}
	if err != nil {
		delete(s.keys, key)
	}
	return err
}

func (s *indexed) Delete(ctx context.Context, key string) error {
	if key == indexKey {
		return ErrReservedKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[key]; !ok {
		return s.client.Delete(ctx, key)
	}
	delete(s.keys, key)
	idx, err := s.indexOp(s.keys)
	if err == nil {
		err = s.client.Batch(ctx, storage.DeleteOperation(key), idx)
	}
	if err != nil {
		s.keys[key] = struct{}{}
	}
	return err
}

func (s *indexed) Apply(ctx context.Context, changes map[string][]byte) error {
	if _, ok := changes[indexKey]; ok {
		return ErrReservedKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make(map[string]struct{}, len(s.keys)+len(changes))
	for k := range s.keys {
		keys[k] = struct{}{}
	}
	changed := false
	for k, v := range changes {
		_, listed := keys[k]
		switch {
		case v == nil && listed:
			delete(keys, k)
			changed = true
		case v != nil && !listed:
			keys[k] = struct{}{}
			changed = true
		}
	}
	ops := operations(changes)
	if changed {
		idx, err := s.indexOp(keys)
		if err != nil {
			return err
		}
		ops = append(ops, idx)
	}
	if err := s.client.Batch(ctx, ops...); err != nil {
		return err
	}
	s.keys = keys
	return nil
}

func (s *indexed) Range(ctx context.Context, fn func(string, []byte) error) error {
	s.mu.Lock()
	keys := make([]string, 0, len(s.keys))
	for k := range s.keys {
		keys = append(keys, k)
	}
	s.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		v, err := s.client.Get(ctx, k)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (*indexed) Persistent() bool                  { return true }
func (s *indexed) Close(ctx context.Context) error { return s.client.Close(ctx) }
