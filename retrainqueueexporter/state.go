package retrainqueueexporter

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/planner"
)

// Keys of the planner's state in the storage extension: one record per
// model key and the hourly cap's slots.
const (
	stateStorageName = "retrain_state"
	stateSlotsKey    = "slots"
	stateModelPrefix = "model/"
)

// stateStore persists the planner's changes through a storage extension.
// Each persist is one storagekv batch, which the file storage applies in one
// transaction: a restart never sees a job written without its cooldown.
type stateStore struct {
	kv storagekv.Store
	// unsaved holds deletions of a failed persist: the planner forgot those
	// models, so only this store remembers that their records must go.
	unsaved map[string][]byte
}

func openStateStore(ctx context.Context, host component.Host, id, owner component.ID) (*stateStore, error) {
	kv, err := storagekv.Open(ctx, host, id, component.KindExporter, owner, stateStorageName)
	if err != nil {
		return nil, err
	}
	return &stateStore{kv: kv}, nil
}

// load reads every record into p.
func (s *stateStore) load(ctx context.Context, p *planner.Planner) error {
	models := map[string][]byte{}
	var slots []byte
	err := s.kv.Range(ctx, func(key string, value []byte) error {
		if k, ok := strings.CutPrefix(key, stateModelPrefix); ok {
			models[k] = value
		} else if key == stateSlotsKey {
			slots = value
		}
		return nil
	})
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
	changes := make(map[string][]byte, len(models)+len(s.unsaved)+1)
	for k := range s.unsaved {
		changes[k] = nil
	}
	for k, b := range models {
		changes[stateModelPrefix+k] = b
	}
	if slots != nil {
		changes[stateSlotsKey] = slots
	}
	if len(changes) == 0 {
		return nil
	}
	if err := s.kv.Apply(ctx, changes); err != nil {
		// Write everything next time, the deletions included.
		p.MarkAllDirty()
		s.unsaved = map[string][]byte{}
		for k, b := range changes {
			if b == nil {
				s.unsaved[k] = nil
			}
		}
		return err
	}
	s.unsaved = nil
	return nil
}

func (s *stateStore) close(ctx context.Context) error {
	return s.kv.Close(ctx)
}
