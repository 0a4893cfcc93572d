package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/outbox"
)

// sink is one logs pipeline the events go to, with its own outbox so that
// one refusing pipeline neither blocks nor duplicates events in another.
type sink struct {
	next consumer.Logs
	out  *outbox.Outbox
}

func newSink(next consumer.Logs, maxPending int) *sink {
	return &sink{next: next, out: outbox.New(maxPending)}
}

// send hands a copy of ld downstream, so the original stays intact for a retry.
func (e *engine) send(s *sink, ld plog.Logs) error {
	cp := plog.NewLogs()
	ld.CopyTo(cp)
	return s.next.ConsumeLogs(e.ctx, cp)
}

// deliver sends ev to every logs pipeline; a refused batch waits in the
// outbox, and while an outbox holds events new ones queue behind them to
// keep the order. The caller holds sendMu.
func (e *engine) deliver(ev *eventBatch) {
	n := ev.len()
	if n == 0 {
		return
	}
	e.tel.RecordEvents(e.ctx, ev.firing, ev.resolved)
	e.status.noteResolved(ev)
	if e.saver != nil {
		e.saver.Queue(ev.ld)
	}
	if len(e.sinks) == 0 {
		e.tel.RecordDropped(e.ctx, n)
		return
	}
	for _, s := range e.sinks {
		if s.out.Len() > 0 {
			e.enqueue(s, ev.ld)
			continue
		}
		err := e.send(s, ev.ld)
		switch {
		case err == nil:
		case consumererror.IsPermanent(err):
			e.tel.RecordDropped(e.ctx, n)
			e.logger.Error("logs pipeline refused violation events permanently; dropped",
				zap.Int("events", n), zap.Error(err))
		default:
			e.logger.Warn("logs pipeline refused violation events; retrying on the next tick",
				zap.Int("events", n), zap.Error(err))
			e.enqueue(s, ev.ld)
		}
	}
	e.recordOutbox()
}

func (e *engine) enqueue(s *sink, ld plog.Logs) {
	if dropped := s.out.Push(ld); dropped > 0 {
		e.tel.RecordDropped(e.ctx, dropped)
		e.logger.Warn("violation event outbox full (max_pending_events); dropped events",
			zap.Int("events", dropped), zap.Int("max_pending_events", e.cfg.MaxPendingEvents))
	}
}

// flushOutboxes retries waiting events in order. The caller holds sendMu.
func (e *engine) flushOutboxes() {
	for _, s := range e.sinks {
		if s.out.Len() == 0 {
			continue
		}
		dropped, err := s.out.Send(func(ld plog.Logs) error { return e.send(s, ld) })
		if dropped > 0 {
			e.tel.RecordDropped(e.ctx, dropped)
			e.logger.Error("logs pipeline refused violation events permanently; dropped", zap.Int("events", dropped))
		}
		if err != nil {
			e.logger.Warn("logs pipeline still refuses violation events", zap.Int("waiting", s.out.Len()), zap.Error(err))
		}
	}
	e.recordOutbox()
}

func (e *engine) recordOutbox() {
	n := 0
	for _, s := range e.sinks {
		n += s.out.Len()
	}
	e.tel.RecordOutbox(e.ctx, n)
}
