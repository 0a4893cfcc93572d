package planner

import (
	"encoding/json"
	"fmt"
	"time"
)

// recordVersion changes with incompatible changes to the persisted records.
const recordVersion = 1

// modelRecord is how one model key's state is persisted.
type modelRecord struct {
	Version int    `json:"version"`
	Model   *model `json:"model"`
}

// slotsRecord is how the hourly cap's slots are persisted.
type slotsRecord struct {
	Version int         `json:"version"`
	Written []time.Time `json:"written"`
}

// Changes returns what changed since the last call, for persisting: the
// encoded record of every changed model key (nil when the key is gone) and
// the encoded cap slots when they changed (else nil). Persisting per model
// keeps the cost of a change independent of how many jobs wait. A caller
// that fails to persist calls MarkAllDirty, so the next Changes carries
// everything again.
func (p *Planner) Changes() (models map[string][]byte, slots []byte, err error) {
	if len(p.dirty) > 0 {
		models = make(map[string][]byte, len(p.dirty))
		for k := range p.dirty {
			m, ok := p.models[k]
			if !ok {
				models[k] = nil
				continue
			}
			b, err := json.Marshal(modelRecord{Version: recordVersion, Model: m})
			if err != nil {
				return nil, nil, err
			}
			models[k] = b
		}
	}
	if p.slotsDirty {
		if slots, err = json.Marshal(slotsRecord{Version: recordVersion, Written: p.written}); err != nil {
			return nil, nil, err
		}
	}
	clear(p.dirty)
	p.slotsDirty = false
	return models, slots, nil
}

// MarkAllDirty makes the next Changes return the whole state.
func (p *Planner) MarkAllDirty() {
	for k := range p.models {
		p.dirty[k] = struct{}{}
	}
	p.slotsDirty = true
}

// Load replaces the state with records as Changes returned them.
func (p *Planner) Load(models map[string][]byte, slots []byte) error {
	loaded := make(map[string]*model, len(models))
	pending := 0
	for k, b := range models {
		var r modelRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("decoding retrain_queue state of model %s: %w", k, err)
		}
		if r.Version != recordVersion {
			return fmt.Errorf("retrain_queue state has version %d, want %d", r.Version, recordVersion)
		}
		if r.Model == nil {
			continue
		}
		if r.Model.Job != nil {
			pending++
		}
		loaded[k] = r.Model
	}
	var written []time.Time
	if len(slots) > 0 {
		var r slotsRecord
		if err := json.Unmarshal(slots, &r); err != nil {
			return fmt.Errorf("decoding retrain_queue cap slots: %w", err)
		}
		if r.Version != recordVersion {
			return fmt.Errorf("retrain_queue state has version %d, want %d", r.Version, recordVersion)
		}
		written = r.Written
	}
	p.models, p.written, p.pending = loaded, written, pending
	clear(p.dirty)
	p.slotsDirty = false
	return nil
}
