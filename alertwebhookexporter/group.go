package alertwebhookexporter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// groupAllLabels in group_by groups by every label, as in Alertmanager.
const groupAllLabels = "..."

// group is one aggregation group, as Alertmanager keeps them per route.
type group struct {
	labels map[string]string
	alerts map[string]payload.Alert
	// dirty: alerts were added or changed since the last notification.
	dirty    bool
	flushAt  time.Time
	lastSent time.Time
}

// grouper batches alerts into groups by label values: a new group waits
// group_wait for company, later changes wait group_interval, and an
// unchanged group with firing alerts is repeated after repeat_interval.
type grouper struct {
	by        []string
	all       bool
	wait      time.Duration
	interval  time.Duration
	repeat    time.Duration
	maxAlerts int
	limit     int

	groups map[string]*group
	size   int
}

func newGrouper(cfg *Config) *grouper {
	g := &grouper{
		wait: cfg.GroupWait, interval: cfg.GroupInterval, repeat: cfg.RepeatInterval,
		maxAlerts: cfg.MaxAlerts, limit: cfg.MaxTrackedAlerts, groups: map[string]*group{},
	}
	for _, l := range cfg.GroupBy {
		if l == groupAllLabels {
			g.all = true
			continue
		}
		// Operators may write attribute names (model.name) or label names (model_name).
		g.by = append(g.by, payload.LabelName(l))
	}
	sort.Strings(g.by)
	return g
}

// resolution is how often groups must be looked at to flush them on time.
func (g *grouper) resolution() time.Duration {
	d := g.interval
	if g.wait > 0 {
		d = min(d, g.wait)
	}
	return min(max(d/10, 10*time.Millisecond), time.Second)
}

func (g *grouper) key(a *payload.Alert) (string, map[string]string) {
	labels := map[string]string{}
	if g.all {
		for k, v := range a.Labels {
			labels[k] = v
		}
	} else {
		for _, k := range g.by {
			if v, ok := a.Labels[k]; ok {
				labels[k] = v
			}
		}
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		// Separators that cannot occur in UTF-8 text keep label pairs apart.
		b.WriteString(k)
		b.WriteByte(0xfe)
		b.WriteString(labels[k])
		b.WriteByte(0xff)
	}
	return b.String(), labels
}

// place puts a into its group, opening the group when it is new; false
// when the groups are full.
func (g *grouper) place(a payload.Alert, now time.Time) (*group, bool) {
	k, labels := g.key(&a)
	gr := g.groups[k]
	if gr == nil {
		if g.size >= g.limit {
			return nil, false
		}
		gr = &group{labels: labels, alerts: map[string]payload.Alert{}, flushAt: now.Add(g.wait)}
		g.groups[k] = gr
	}
	if _, ok := gr.alerts[a.ID]; !ok {
		if g.size >= g.limit {
			return nil, false
		}
		g.size++
	}
	gr.alerts[a.ID] = a
	return gr, true
}

// add puts a into its group; false when the groups are full.
func (g *grouper) add(a payload.Alert, now time.Time) bool {
	gr, ok := g.place(a, now)
	if ok {
		gr.dirty = true
	}
	return ok
}

// restore puts an alert of a previous run back into its group: a pending
// one makes the group due, a notified one only keeps the group's repeat
// timing. False when the groups are full.
func (g *grouper) restore(a payload.Alert, lastSent time.Time, pending bool, now time.Time) bool {
	gr, ok := g.place(a, now)
	if !ok {
		return false
	}
	if pending {
		gr.dirty = true
	} else if lastSent.After(gr.lastSent) {
		gr.lastSent = lastSent
		if !gr.dirty {
			gr.flushAt = lastSent.Add(g.interval)
		}
	}
	return true
}

// forget takes alert a out of its group, without a notification.
func (g *grouper) forget(a *payload.Alert) {
	k, _ := g.key(a)
	gr := g.groups[k]
	if gr == nil {
		return
	}
	if _, ok := gr.alerts[a.ID]; ok {
		delete(gr.alerts, a.ID)
		g.size--
	}
	if len(gr.alerts) == 0 {
		delete(g.groups, k)
	}
}

// due lists the groups to notify now, in a stable order.
func (g *grouper) due(now time.Time) []*group {
	var out []*group
	keys := make([]string, 0, len(g.groups))
	for k := range g.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		gr := g.groups[k]
		switch {
		case gr.dirty && !now.Before(gr.flushAt):
			out = append(out, gr)
		case !gr.dirty && g.repeat > 0 && !now.Before(gr.lastSent.Add(g.repeat)) && gr.firing():
			out = append(out, gr)
		}
	}
	return out
}

func (gr *group) firing() bool {
	for _, a := range gr.alerts {
		if a.Status == modelevent.StateFiring {
			return true
		}
	}
	return false
}

// notification renders gr: firing alerts first, then by start and id,
// cut to max_alerts.
func (g *grouper) notification(gr *group, now time.Time) *payload.Notification {
	alerts := make([]payload.Alert, 0, len(gr.alerts))
	for _, a := range gr.alerts {
		alerts = append(alerts, a)
	}
	sort.Slice(alerts, func(i, j int) bool {
		a, b := &alerts[i], &alerts[j]
		if (a.Status == modelevent.StateFiring) != (b.Status == modelevent.StateFiring) {
			return a.Status == modelevent.StateFiring
		}
		if !a.StartsAt.Equal(b.StartsAt) {
			return a.StartsAt.Before(b.StartsAt)
		}
		return a.ID < b.ID
	})
	n := &payload.Notification{GroupLabels: gr.labels, Alerts: alerts, Now: now}
	if g.maxAlerts > 0 && len(alerts) > g.maxAlerts {
		n.Truncated = len(alerts) - g.maxAlerts
		n.Alerts = alerts[:g.maxAlerts]
	}
	// The id depends on the content only, so a retried flush keeps it.
	h := sha256.New()
	for i := range alerts {
		h.Write([]byte(alerts[i].ID))
		h.Write([]byte{0})
		h.Write([]byte(alerts[i].Event.EventID))
		h.Write([]byte{0})
	}
	n.ID = "group-" + hex.EncodeToString(h.Sum(nil)[:16])
	return n
}

// sent records a delivered notification: resolved alerts leave the group,
// an empty group goes away.
func (g *grouper) sent(gr *group, now time.Time) {
	gr.dirty = false
	gr.lastSent = now
	gr.flushAt = now.Add(g.interval)
	for id, a := range gr.alerts {
		if a.Status == modelevent.StateResolved {
			delete(gr.alerts, id)
			g.size--
		}
	}
	if len(gr.alerts) == 0 {
		for k, v := range g.groups {
			if v == gr {
				delete(g.groups, k)
				break
			}
		}
	}
}

// flushGroups notifies every due group; a failed group stays due.
func (e *alertExporter) flushGroups(ctx context.Context, now time.Time) {
	for _, gr := range e.groups.due(now) {
		n := e.groups.notification(gr, now)
		n.Receiver = e.receiver()
		n.ExternalURL = e.cfg.ExternalURL
		if err := e.send(ctx, n, "group"); err != nil {
			e.logger.Warn("Could not notify an alert group; will try again",
				zap.Int("alerts", len(n.Alerts)), zap.Error(err))
			continue
		}
		// Every alert of the group counts as notified, the truncated ones too:
		// Alertmanager's truncatedAlerts says they exist.
		for _, a := range gr.alerts {
			if err := e.table.Delivered(ctx, a.ID, a.Event.EventID, now); err != nil {
				e.logger.Warn("Could not record a group notification in the dedup state",
					zap.String("alert_id", a.ID), zap.Error(err))
			}
		}
		e.groups.sent(gr, now)
	}
}

// restoreGroups puts the alerts of a previous run back into their groups.
func (e *alertExporter) restoreGroups(now time.Time) {
	for _, en := range e.table.Entries() {
		if en.State != modelevent.StateFiring && !en.Pending {
			continue
		}
		if !e.groups.restore(payload.NewAlert(en.Event), en.LastSentAt, en.Pending, now) {
			e.logger.Warn("Alert groups are full (max_tracked_alerts); saved alert not restored", zap.String("alert_id", en.AlertID))
		}
	}
}
