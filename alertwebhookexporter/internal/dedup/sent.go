package dedup

import (
	"context"
	"encoding/json"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// sentPrefix namespaces the re-send bookkeeping, apart from the alert records.
const sentPrefix = "sent/"

// sent is the bookkeeping of a firing alert's re-sends and repeats. It is kept
// under a key of its own because a re-send must never write the alert's
// record: a collector sharing the store may have resolved the alert between
// this one's recheck and its write, and writing the firing back would make
// every collector go on re-sending a resolved alert.
type sent struct {
	EventID    string    `json:"event_id"`
	LastSentAt time.Time `json:"last_sent_at"`
	Repeats    int       `json:"repeats"`
}

// MarkSent records a repeat or resend of alert id at now. It does nothing
// when the alert resolved meanwhile.
func (t *Table) MarkSent(ctx context.Context, id string, now time.Time) error {
	t.mu.Lock()
	e := t.entries[id]
	if e == nil || e.State != modelevent.StateFiring {
		t.mu.Unlock()
		return nil
	}
	e.LastSentAt = now
	e.Repeats++
	raw, err := json.Marshal(sent{EventID: e.EventID, LastSentAt: now, Repeats: e.Repeats})
	t.mu.Unlock()
	if err != nil {
		return err
	}
	return t.store.Set(ctx, sentPrefix+id, raw)
}

// applySent carries loaded re-send bookkeeping into the entries it belongs to
// and returns the keys of records no alert record backs any more.
func (t *Table) applySent(sents map[string]sent, alerts map[string]bool) (orphans []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, s := range sents {
		if !alerts[id] {
			orphans = append(orphans, sentPrefix+id)
			continue
		}
		if e := t.entries[id]; e != nil && e.EventID == s.EventID && s.LastSentAt.After(e.LastSentAt) {
			e.LastSentAt = s.LastSentAt
			e.Repeats = s.Repeats
		}
	}
	return orphans
}

// forget deletes the records of alert ids, with their bookkeeping, in one batch.
func (t *Table) forget(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	changes := make(map[string][]byte, 2*len(ids))
	for _, id := range ids {
		changes[keyPrefix+id] = nil
		changes[sentPrefix+id] = nil
	}
	return t.store.Apply(ctx, changes)
}
