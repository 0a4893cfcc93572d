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
	kept, _ := t.recheck(ctx, due)
	return kept
}

// ResolvedElsewhere returns, of the firing entries just re-sent, the
// resolutions another collector has recorded for them since the Recheck
// before the send, and takes them in memory. A re-send that crossed such a
// resolution on its way reached the receiver after it and reopened the
// alert: the caller sends the resolution again.
func (t *Table) ResolvedElsewhere(ctx context.Context, sent []Entry) []Entry {
	_, taken := t.recheck(ctx, sent)
	var out []Entry
	for _, rec := range taken {
		if rec.State == modelevent.StateResolved {
			out = append(out, rec)
		}
	}
	return out
}

// recheck splits entries into those the store still records as their
// episode firing and the stored records that supersede the others.
func (t *Table) recheck(ctx context.Context, due []Entry) (kept, taken []Entry) {
	if !t.set.Durable || len(due) == 0 {
		return due, nil
	}
	keys := make([]string, len(due))
	for i := range due {
		keys[i] = keyPrefix + due[i].AlertID
	}
	values, err := storagekv.GetMany(ctx, t.store, keys)
	if err != nil {
		return due, nil
	}
	kept = make([]Entry, 0, len(due))
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
		taken = append(taken, rec)
	}
	return kept, taken
}
