package alertwebhookexporter

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/dedup"
	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
)

// maxResendBatch bounds one re-send request to Alertmanager.
const maxResendBatch = 500

// tick is one round of the background loop: forget old resolutions, flush
// due groups, re-send still-firing alerts to Alertmanager or repeat them.
// Failures are logged and counted; the next tick tries again.
func (e *alertExporter) tick(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock()
	if _, err := e.table.Expire(ctx, now); err != nil {
		e.logger.Warn("Could not forget old resolutions in the dedup state", zap.Error(err))
	}
	switch {
	case e.groups != nil:
		e.flushGroups(ctx, now)
	case e.cfg.Format == FormatAlertmanager:
		e.resend(ctx, now)
	case e.cfg.RepeatInterval > 0:
		e.repeat(ctx, now)
	}
}

// resend posts every still-firing alert whose last post is resend_interval
// old, so that Alertmanager does not let it expire.
func (e *alertExporter) resend(ctx context.Context, now time.Time) {
	due := e.table.Recheck(ctx, e.table.Due(now, e.cfg.ResendInterval))
	for len(due) > 0 {
		chunk := due[:min(len(due), maxResendBatch)]
		due = due[len(chunk):]
		id := fmt.Sprintf("%s.resend.%d", chunk[0].EventID, now.Unix())
		if err := e.postEntries(ctx, id, chunk, now); err != nil {
			e.logger.Warn("Could not re-send firing alerts to Alertmanager; will try again",
				zap.Int("alerts", len(chunk)), zap.Error(err))
			return
		}
		e.markSent(ctx, chunk, now)
		e.resolveCrossed(ctx, chunk, now)
	}
}

// repeat re-notifies each still-firing alert once repeat_interval has passed
// since its last notification.
func (e *alertExporter) repeat(ctx context.Context, now time.Time) {
	for _, en := range e.table.Recheck(ctx, e.table.Due(now, e.cfg.RepeatInterval)) {
		n := &payload.Notification{
			// A repeat is a new message: receivers must not drop it as a redelivery.
			ID:          fmt.Sprintf("%s.repeat.%d", en.EventID, en.Repeats+1),
			Receiver:    e.receiver(),
			ExternalURL: e.cfg.ExternalURL,
			Alerts:      []payload.Alert{payload.NewAlert(en.Event)},
			Now:         now,
		}
		if err := e.send(ctx, n, "repeat"); err != nil {
			e.logger.Warn("Could not repeat a firing alert; will try again",
				zap.String("alert_id", en.AlertID), zap.Error(err))
			continue
		}
		e.markSent(ctx, []dedup.Entry{en}, now)
	}
}

func (e *alertExporter) markSent(ctx context.Context, entries []dedup.Entry, now time.Time) {
	for i := range entries {
		if err := e.table.MarkSent(ctx, entries[i].AlertID, now); err != nil {
			e.logger.Warn("Could not record a re-sent alert in the dedup state",
				zap.String("alert_id", entries[i].AlertID), zap.Error(err))
		}
	}
}

// postEntries posts the latest events of entries to Alertmanager in one
// request, counted as a re-send.
func (e *alertExporter) postEntries(ctx context.Context, id string, entries []dedup.Entry, now time.Time) error {
	n := &payload.Notification{ID: id, Receiver: e.receiver(), ExternalURL: e.cfg.ExternalURL, Now: now}
	for i := range entries {
		n.Alerts = append(n.Alerts, payload.NewAlert(entries[i].Event))
	}
	return e.send(ctx, n, "resend")
}
