package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"slices"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// newEventID is the event's idempotency key; a variable so tests can pin it.
var newEventID = func() string { return uuid.NewString() }

// eventBatch collects the events of one batch or tick and encodes them, in
// data-time order, one ResourceLogs per run of one model's events carrying
// the model's resource.
type eventBatch struct {
	ld       plog.Logs
	pending  []pendingEvent
	firing   int
	resolved int
}

type pendingEvent struct {
	m *model
	v *modelevent.Violation
}

func newEventBatch() *eventBatch { return &eventBatch{} }

func (b *eventBatch) len() int { return b.firing + b.resolved }

func (b *eventBatch) add(m *model, v *modelevent.Violation) {
	b.pending = append(b.pending, pendingEvent{m: m, v: v})
	if v.State == modelevent.StateFiring {
		b.firing++
	} else {
		b.resolved++
	}
}

// take moves the events of from into b, leaving from empty.
func (b *eventBatch) take(from *eventBatch) {
	b.pending = append(b.pending, from.pending...)
	b.firing += from.firing
	b.resolved += from.resolved
	clear(from.pending)
	from.pending = from.pending[:0]
	from.firing, from.resolved = 0, 0
}

// finish encodes the collected events. A batch is read metric by metric, so
// its events are made in that order; sorting them by data time (stably, so
// one lifecycle's firing stays before its resolution) gives the order in
// which point-by-point traffic would have made them.
func (b *eventBatch) finish() {
	if len(b.pending) == 0 {
		return
	}
	slices.SortStableFunc(b.pending, func(x, y pendingEvent) int { return x.v.Time.Compare(y.v.Time) })
	b.ld = plog.NewLogs()
	var cur *model
	var lrs plog.LogRecordSlice
	for _, p := range b.pending {
		if p.m != cur {
			rl := b.ld.ResourceLogs().AppendEmpty()
			p.m.resource.CopyTo(rl.Resource())
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(metadata.ScopeName)
			lrs, cur = sl.LogRecords(), p.m
		}
		modelevent.Encode(p.v, lrs.AppendEmpty())
	}
	b.pending = nil
}
