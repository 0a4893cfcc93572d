package retrainqueueexporter

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/planner"
)

// Keys of the planner's state in the storage extension: one record per
// model key, the hourly cap's slots, and an index of the model keys (a
// storage client need not be able to list its keys).
const (
	stateStorageName = "retrain_state"
	stateIndexKey    = "models"
	stateSlotsKey    = "slots"
	stateModelPrefix = "model/"
)

// stateStore persists the planner's changes through a storage extension.
// Each persist is one Batch, which the file storage applies in one
// transaction: a restart never sees a job written without its cooldown.
type stateStore struct {
	client storage.Client
	// stored is the set of model keys the index lists.
	stored map[string]struct{}
}

func openStateStore(ctx context.Context, host component.Host, id, owner component.ID) (*stateStore, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("storage: extension %s not found", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %s is not a storage extension", id)
	}
	c, err := se.GetClient(ctx, component.KindExporter, owner, stateStorageName)
	if err != nil {
		return nil, fmt.Errorf("storage: client from %s: %w", id, err)
	}
	return &stateStore{client: c, stored: map[string]struct{}{}}, nil
}

// load reads every record into p.
func (s *stateStore) load(ctx context.Context, p *planner.Planner) error {
	idx, err := s.client.Get(ctx, stateIndexKey)
	if err != nil {
		return err
	}
	var keys []string
	if len(idx) > 0 {
		if err := json.Unmarshal(idx, &keys); err != nil {
			return fmt.Errorf("decoding retrain_queue state index: %w", err)
		}
	}
	models := make(map[string][]byte, len(keys))
	for _, k := range keys {
		b, err := s.client.Get(ctx, stateModelPrefix+k)
		if err != nil {
			return err
		}
		if b != nil {
			models[k] = b
		}
		s.stored[k] = struct{}{}
	}
	slots, err := s.client.Get(ctx, stateSlotsKey)
	if err != nil {
		return err
	}
	return p.Load(models, slots)
}

// persist writes what changed in p since the last persist.
func (s *stateStore) persist(ctx context.Context, p *planner.Planner) error {
	models, slots, err := p.Changes()
	if err != nil {
		return err
	}
	if len(models) == 0 && slots == nil {
		return nil
	}
	ops := make([]*storage.Operation, 0, len(models)+2)
	indexChanged := false
	for k, b := range models {
		_, listed := s.stored[k]
		if b == nil {
			ops = append(ops, storage.DeleteOperation(stateModelPrefix+k))
			if listed {
				delete(s.stored, k)
				indexChanged = true
			}
			continue
		}
		ops = append(ops, storage.SetOperation(stateModelPrefix+k, b))
		if !listed {
			s.stored[k] = struct{}{}
			indexChanged = true
		}
	}
	if slots != nil {
		ops = append(ops, storage.SetOperation(stateSlotsKey, slots))
	}
	if indexChanged {
		keys := make([]string, 0, len(s.stored))
		for k := range s.stored {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		idx, err := json.Marshal(keys)
		if err != nil {
			return err
		}
		ops = append(ops, storage.SetOperation(stateIndexKey, idx))
	}
	if err := s.client.Batch(ctx, ops...); err != nil {
		// Write everything next time; the index then matches the planner
		// again (a record whose delete failed is left unlisted, never read).
		p.MarkAllDirty()
		s.stored = map[string]struct{}{}
		return err
	}
	return nil
}

func (s *stateStore) close(ctx context.Context) error {
	return s.client.Close(ctx)
}
