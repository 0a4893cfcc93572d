package planner

import (
	"encoding/json"
	"fmt"
	"time"
)

// snapshotVersion changes with incompatible changes to the snapshot shape.
const snapshotVersion = 1

type snapshot struct {
	Version int               `json:"version"`
	Models  map[string]*model `json:"models"`
	Written []time.Time       `json:"written"`
}

// Snapshot encodes the whole state: open and held jobs, cooldowns and the
// hourly cap's slots. One value keeps a restart consistent: it never sees a
// job written but its cooldown missing.
func (p *Planner) Snapshot() ([]byte, error) {
	return json.Marshal(snapshot{Version: snapshotVersion, Models: p.models, Written: p.written})
}

// Restore replaces the state with a Snapshot's.
func (p *Planner) Restore(b []byte) error {
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decoding retrain_queue state: %w", err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("retrain_queue state has version %d, want %d", s.Version, snapshotVersion)
	}
	models := make(map[string]*model, len(s.Models))
	pending := 0
	for k, m := range s.Models {
		if m == nil {
			continue
		}
		if m.Job != nil {
			pending++
		}
		models[k] = m
	}
	p.models, p.written, p.pending = models, s.Written, pending
	return nil
}
