// Package dedup keeps the exporter's notification state per alert id, as
// Alertmanager's notification log does per receiver: which alerts were
// notified firing and when, so that duplicates are dropped, still-firing
// alerts are repeated and resolutions are sent once. The state is bounded
// and written through to a storagekv.Store, so that it survives a restart
// when that store is persistent.
package dedup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// keyPrefix namespaces the records in the store.
const keyPrefix = "alert/"

// Entry is what the exporter remembers of one alert.
type Entry struct {
	AlertID string           `json:"alert_id"`
	State   modelevent.State `json:"state"`
	// EventID is the event behind the last notification: the same event
	// arriving again is a retry of a batch, not a duplicate.
	EventID string `json:"event_id"`
	// NotifiedAt is when this firing was first notified.
	NotifiedAt time.Time `json:"notified_at"`
	// LastSentAt is the last notification: firing, repeat, resend or resolution.
	LastSentAt time.Time `json:"last_sent_at"`
	Repeats    int       `json:"repeats"`
	// Event is the latest event, re-rendered for repeats and resends.
	Event modelevent.Event `json:"event"`
	// Pending: accepted into an alert group whose notification has not gone
	// out yet. A restart puts it back into its group.
	Pending bool `json:"pending,omitempty"`
}

// Decision is what to do with an incoming event.
type Decision int

// Decisions.
const (
	// Notify: a new firing, or a resolution of a notified (or unknown) alert.
	Notify Decision = iota
	// Repeat: still firing and repeat_interval has passed since the last notification.
	Repeat
	// Duplicate: already notified, nothing is due.
	Duplicate
	// Replay: the very event behind the last notification, seen again on a retry.
	Replay
	// Stale: older than the event already recorded (batches arrived out of order).
	Stale
	// Suppress: a resolution while send_resolved is off; recorded, not sent.
	Suppress
	// NotifyWithFiring: a resolution whose firing was never notified (it was
	// lost in flight, e.g. requeued behind its resolution after a crash): the
	// receiver gets the firing first, then the resolution, so that it sees the
	// episode in order instead of a resolution of an alert it never saw.
	NotifyWithFiring
)

var decisionNames = [...]string{"notify", "repeat", "duplicate", "replay", "stale", "suppress", "notify_with_firing"}

// String names the decision as the deduplicated counter's reason label does.
func (d Decision) String() string {
	if d >= 0 && int(d) < len(decisionNames) {
		return decisionNames[d]
	}
	return fmt.Sprintf("decision(%d)", int(d))
}

// Settings are the notification semantics of one receiver.
type Settings struct {
	// Limit bounds the number of alerts held; resolved ones are evicted first.
	Limit int
	// RepeatInterval re-notifies a still-firing alert; zero never repeats.
	RepeatInterval time.Duration
	// SendResolved sends resolutions.
	SendResolved bool
	// KeepResolved is how long a resolution is remembered, to drop duplicates of it.
	KeepResolved time.Duration
	// Durable: the table survives restarts (a storage extension), so an alert
	// with no record was never notified.
	Durable bool
}

// ErrFull is returned by Record when the table is at its limit with firing alerts only.
var ErrFull = errors.New("dedup state is full of firing alerts")

// Table is the state of every alert the exporter has notified.
type Table struct {
	set   Settings
	store storagekv.Store

	mu      sync.Mutex
	entries map[string]*Entry
}

// New returns an empty table writing through to store.
func New(store storagekv.Store, set Settings) *Table {
	return &Table{set: set, store: store, entries: map[string]*Entry{}}
}

// Load reads the records of a previous run. Unreadable records are skipped
// and counted; they are deleted so that they do not come back.
func (t *Table) Load(ctx context.Context) (loaded, bad int, err error) {
	var corrupt []string
	sents := map[string]sent{}
	alerts := map[string]bool{}
	err = t.store.Range(ctx, func(k string, v []byte) error {
		if id, ok := strings.CutPrefix(k, sentPrefix); ok {
			var s sent
			if json.Unmarshal(v, &s) != nil {
				corrupt = append(corrupt, k)
			} else {
				sents[id] = s
			}
			return nil
		}
		if !strings.HasPrefix(k, keyPrefix) {
			return nil
		}
		var e Entry
		if json.Unmarshal(v, &e) != nil || e.AlertID == "" || keyPrefix+e.AlertID != k {
			corrupt = append(corrupt, k)
			return nil
		}
		alerts[e.AlertID] = true
		t.mu.Lock()
		if len(t.entries) < t.set.Limit || t.set.Limit <= 0 {
			t.entries[e.AlertID] = &e
			loaded++
		}
		t.mu.Unlock()
		return nil
	})
	bad = len(corrupt)
	if err == nil {
		// Orphans are only known once every alert record was seen.
		corrupt = append(corrupt, t.applySent(sents, alerts)...)
	}
	for _, k := range corrupt {
		err = errors.Join(err, t.store.Delete(ctx, k))
	}
	return loaded, bad, err
}

// Len is the number of alerts held.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}

// Get returns a copy of the entry of alert id.
func (t *Table) Get(id string) (Entry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[id]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Decide says what to do with ev at now. It changes nothing: call Record
// once the notification went out.
func (t *Table) Decide(ev *modelevent.Event, now time.Time) Decision {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[ev.AlertID]
	if e != nil {
		if e.EventID == ev.EventID {
			return Replay
		}
		if ev.Time.Before(e.Event.Time) {
			return Stale
		}
	}
	if ev.State == modelevent.StateFiring {
		switch {
		case e == nil || e.State != modelevent.StateFiring:
			return Notify
		case t.set.RepeatInterval > 0 && !now.Before(e.LastSentAt.Add(t.set.RepeatInterval)):
			return Repeat
		}
		return Duplicate
	}
	if !t.set.SendResolved {
		if e != nil && e.State == modelevent.StateResolved {
			return Duplicate
		}
		return Suppress
	}
	if e != nil && e.State == modelevent.StateResolved {
		if e.Event.StartedAt.Equal(ev.StartedAt) {
			return Duplicate
		}
		// The last record is an earlier episode: this one's firing never went out.
		return NotifyWithFiring
	}
	if e == nil && t.set.Durable {
		return NotifyWithFiring
	}
	// Without durable state, a resolution of an alert with no record is sent
	// alone: its firing may have been notified before a restart.
	return Notify
}

// FiringOf is the firing event an episode's resolution implies, for
// NotifyWithFiring: the resolution's data stamped at the episode's start, with
// an event id derived from the resolution's so that retries keep it stable.
func FiringOf(ev *modelevent.Event) modelevent.Event {
	f := *ev
	f.State = modelevent.StateFiring
	f.ResolvedReason = ""
	f.Summary = ""
	f.EventID = ev.EventID + "-firing"
	if !ev.StartedAt.IsZero() && ev.StartedAt.Before(ev.Time) {
		f.Time = ev.StartedAt
	}
	return f
}

// Record stores the outcome of d for ev at now, after the notification (if
// any) went out. Duplicates and replays change nothing.
func (t *Table) Record(ctx context.Context, ev *modelevent.Event, d Decision, now time.Time) error {
	return t.record(ctx, ev, d, now, false)
}

// Accept stores ev as Record does, but as pending: it waits in an alert
// group and counts as notified for deduplication. Delivered clears it.
func (t *Table) Accept(ctx context.Context, ev *modelevent.Event, d Decision, now time.Time) error {
	return t.record(ctx, ev, d, now, true)
}

// Delivered marks the pending event eventID of alert id as notified at now.
// A newer event of the alert stays pending.
func (t *Table) Delivered(ctx context.Context, id, eventID string, now time.Time) error {
	t.mu.Lock()
	e := t.entries[id]
	if e == nil || e.EventID != eventID || !e.Pending {
		t.mu.Unlock()
		return nil
	}
	e.Pending = false
	e.LastSentAt = now
	raw, err := json.Marshal(e)
	t.mu.Unlock()
	if err != nil {
		return err
	}
	return t.store.Set(ctx, keyPrefix+id, raw)
}

// Entries returns a copy of every entry, in alert id order.
func (t *Table) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Entry, 0, len(t.entries))
	for _, e := range t.entries {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AlertID < out[j].AlertID })
	return out
}

func (t *Table) record(ctx context.Context, ev *modelevent.Event, d Decision, now time.Time, pending bool) error {
	t.mu.Lock()
	e := t.entries[ev.AlertID]
	switch d {
	case Notify, Suppress, NotifyWithFiring:
		if e == nil {
			if !t.makeRoomLocked() {
				t.mu.Unlock()
				return ErrFull
			}
			e = &Entry{AlertID: ev.AlertID}
			t.entries[ev.AlertID] = e
		}
		if ev.State == modelevent.StateFiring {
			e.NotifiedAt = now
			e.Repeats = 0
		}
		e.State = ev.State
	case Repeat:
		if e == nil {
			t.mu.Unlock()
			return nil
		}
		e.Repeats++
	default:
		t.mu.Unlock()
		return nil
	}
	e.EventID = ev.EventID
	e.Pending = pending
	if !pending {
		e.LastSentAt = now
	}
	e.Event = *ev
	raw, err := json.Marshal(e)
	t.mu.Unlock()
	if err != nil {
		return err
	}
	return t.store.Set(ctx, keyPrefix+ev.AlertID, raw)
}

// makeRoomLocked evicts the oldest resolution when the table is full.
func (t *Table) makeRoomLocked() bool {
	if t.set.Limit <= 0 || len(t.entries) < t.set.Limit {
		return true
	}
	var oldest *Entry
	for _, e := range t.entries {
		if e.State == modelevent.StateResolved && !e.Pending && (oldest == nil || e.LastSentAt.Before(oldest.LastSentAt)) {
			oldest = e
		}
	}
	if oldest == nil {
		return false
	}
	delete(t.entries, oldest.AlertID)
	// The store may keep it a little longer; Load skips what does not fit.
	_ = t.forget(context.Background(), []string{oldest.AlertID})
	return true
}

// Due returns the firing alerts whose last notification is at least
// interval old, oldest first.
func (t *Table) Due(now time.Time, interval time.Duration) []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Entry
	for _, e := range t.entries {
		if e.State == modelevent.StateFiring && !e.Pending && !now.Before(e.LastSentAt.Add(interval)) {
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LastSentAt.Equal(out[j].LastSentAt) {
			return out[i].LastSentAt.Before(out[j].LastSentAt)
		}
		return out[i].AlertID < out[j].AlertID
	})
	return out
}

// Expire forgets resolutions older than KeepResolved and returns how many.
func (t *Table) Expire(ctx context.Context, now time.Time) (int, error) {
	t.mu.Lock()
	var gone []string
	for id, e := range t.entries {
		if e.State == modelevent.StateResolved && !e.Pending && now.Sub(e.LastSentAt) >= t.set.KeepResolved {
			delete(t.entries, id)
			gone = append(gone, id)
		}
	}
	t.mu.Unlock()
	return len(gone), t.forget(ctx, gone)
}
