package storagekv

import (
	"context"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// maxBatchGets bounds the keys read in one batch, so that one batch stays a
// modest request for the storage (one MULTI/EXEC to Redis).
const maxBatchGets = 1000

// GetMany returns the values of keys, nil for an absent key. Over a storage
// client it reads them in batches of reads (one round trip each to a remote
// storage such as Redis) rather than key by key.
func GetMany(ctx context.Context, s Store, keys []string) ([][]byte, error) {
	var c storage.Client
	switch st := s.(type) {
	case *walking:
		c = st.client
	case *indexed:
		c = st.client
	}
	out := make([][]byte, len(keys))
	if c == nil {
		for i, k := range keys {
			v, err := s.Get(ctx, k)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	ops := make([]*storage.Operation, 0, min(len(keys), maxBatchGets))
	for start := 0; start < len(keys); start += maxBatchGets {
		ops = ops[:0]
		for _, k := range keys[start:min(start+maxBatchGets, len(keys))] {
			ops = append(ops, storage.GetOperation(k))
		}
		if err := c.Batch(ctx, ops...); err != nil {
			return nil, err
		}
		for i, op := range ops {
			out[start+i] = op.Value
		}
	}
	return out, nil
}
