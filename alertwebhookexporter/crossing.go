package alertwebhookexporter

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/dedup"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// Collectors sharing the dedup state (redis_storage) can cross: one re-sends
// an alert firing while another resolves it, and Alertmanager keeps whichever
// post reaches it last. Without a compare-and-set in the storage API, two
// rules make the resolution reach it last whatever the interleaving:
//   - a collector that re-sent rechecks the store right after the post and
//     posts again any resolution recorded meanwhile (resolveCrossed);
//   - the resolving collector posts its resolution a second time once it is
//     recorded (confirmResolved), for a re-send whose recheck came after the
//     first post but before the record.
// A re-send whose recheck sees the record does not go out at all, so every
// other re-send is followed by one of the two posts. Alertmanager takes a
// repeated resolution as the same one: no second notification.

// resolveCrossed posts the resolutions another collector recorded for the
// alerts of a re-send while it was under way.
func (e *alertExporter) resolveCrossed(ctx context.Context, resent []dedup.Entry, now time.Time) {
	crossed := e.table.ResolvedElsewhere(ctx, resent)
	if len(crossed) == 0 {
		return
	}
	id := fmt.Sprintf("%s.crossed.%d", crossed[0].EventID, now.Unix())
	if err := e.postEntries(ctx, id, crossed, now); err != nil {
		e.logger.Warn("Could not post resolutions a re-send crossed; Alertmanager may hold them firing until they expire",
			zap.Int("alerts", len(crossed)), zap.Error(err))
	}
}

// confirmResolved posts a recorded resolution to Alertmanager once more when
// the dedup state is shared.
func (e *alertExporter) confirmResolved(ctx context.Context, ev *modelevent.Event, now time.Time) {
	if e.cfg.Storage == nil || e.cfg.Format != FormatAlertmanager || ev.State != modelevent.StateResolved {
		return
	}
	n := e.notification(ev, now)
	n.ID = ev.EventID + ".confirm"
	if err := e.send(ctx, n, "resend"); err != nil {
		e.logger.Warn("Could not post a resolution the second time; the first went out",
			zap.String("alert_id", ev.AlertID), zap.Error(err))
	}
}
