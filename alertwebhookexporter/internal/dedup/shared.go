package dedup

import (
	"context"
	"encoding/json"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Recheck keeps, of the firing entries due for a resend or a repeat, those
// the store still records as this episode firing. Exporters of several
// collectors can share the store (redis_storage): when a model moved to
// another collector, that one resolves the alert and records it, and this
// one, which will hear nothing more of the model, must stop re-sending it,
// or Alertmanager reopens the incident. The others take the stored record
// in memory. A record that is missing or unreadable, or a store that does
// not answer, keeps the entry: re-sending a firing alert is the safe side.
func (t *Table) Recheck(ctx context.Context, due []Entry) []Entry {
	if !t.set.Durable || len(due) == 0 {
		return due
	}
	keys := make([]string, len(due))
	for i := range due {
		keys[i] = keyPrefix + due[i].AlertID
	}
	values, err := storagekv.GetMany(ctx, t.store, keys)
	if err != nil {
		return due
	}
	kept := due[:0]
	for i, en := range due {
		var rec Entry
		if values[i] == nil || json.Unmarshal(values[i], &rec) != nil || rec.AlertID != en.AlertID ||
			(rec.State == modelevent.StateFiring && !rec.Event.StartedAt.After(en.Event.StartedAt)) {
			kept = append(kept, en)
			continue
		}
		// Resolved elsewhere, or a later episode under way elsewhere.
		t.mu.Lock()
		if cur := t.entries[en.AlertID]; cur != nil && cur.EventID == en.EventID {
			t.entries[en.AlertID] = &rec
		}
		t.mu.Unlock()
	}
	return kept
}
