package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// newEventID is the event's idempotency key; a variable so tests can pin it.
var newEventID = func() string { return uuid.NewString() }

// eventBatch collects the events of one batch or tick, one ResourceLogs per
// model carrying the model's resource.
type eventBatch struct {
	ld       plog.Logs
	cur      *model
	lrs      plog.LogRecordSlice
	firing   int
	resolved int
}

func newEventBatch() *eventBatch { return &eventBatch{} }

func (b *eventBatch) len() int { return b.firing + b.resolved }

func (b *eventBatch) add(m *model, v *modelevent.Violation) {
	if b.len() == 0 {
		b.ld = plog.NewLogs()
	}
	if b.cur != m {
		rl := b.ld.ResourceLogs().AppendEmpty()
		m.resource.CopyTo(rl.Resource())
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(metadata.ScopeName)
		b.lrs, b.cur = sl.LogRecords(), m
	}
	modelevent.Encode(v, b.lrs.AppendEmpty())
	if v.State == modelevent.StateFiring {
		b.firing++
	} else {
		b.resolved++
	}
}
