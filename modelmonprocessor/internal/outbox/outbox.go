// Package outbox keeps violation events the logs pipeline refused, bounded by
// a number of log records, and hands them back in the order they were made.
package outbox // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/outbox"

import (
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Outbox is a FIFO of event batches. It is not safe for concurrent use.
type Outbox struct {
	batches []plog.Logs
	records int
	max     int
}

// New returns an outbox holding at most limit log records.
func New(limit int) *Outbox {
	return &Outbox{max: limit}
}

// Len is the number of log records waiting.
func (o *Outbox) Len() int { return o.records }

// Push queues ld behind the waiting batches. Of a batch that does not fit,
// the records that fit are kept, the newest dropped: what waits is always
// the oldest events, without a gap, however the events were batched. Push
// returns the number of records dropped. ld is not modified.
func (o *Outbox) Push(ld plog.Logs) (dropped int) {
	n := ld.LogRecordCount()
	if n == 0 {
		return 0
	}
	room := o.max - o.records
	if room <= 0 {
		return n
	}
	if n > room {
		ld, dropped = head(ld, room), n-room
		n = room
	}
	o.batches = append(o.batches, ld)
	o.records += n
	return dropped
}

// head returns a copy of ld's first k log records, in their resources and
// scopes.
func head(ld plog.Logs, k int) plog.Logs {
	out := plog.NewLogs()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len() && k > 0; i++ {
		rl := rls.At(i)
		orl := out.ResourceLogs().AppendEmpty()
		rl.Resource().CopyTo(orl.Resource())
		orl.SetSchemaUrl(rl.SchemaUrl())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len() && k > 0; j++ {
			sl := sls.At(j)
			osl := orl.ScopeLogs().AppendEmpty()
			sl.Scope().CopyTo(osl.Scope())
			osl.SetSchemaUrl(sl.SchemaUrl())
			lrs := sl.LogRecords()
			for l := 0; l < lrs.Len() && k > 0; l++ {
				lrs.At(l).CopyTo(osl.LogRecords().AppendEmpty())
				k--
			}
		}
	}
	return out
}

// Send hands the waiting batches to send in order and stops at the first
// retryable error, which it returns. A permanent error drops that batch
// (counted in dropped) and goes on with the next.
func (o *Outbox) Send(send func(plog.Logs) error) (dropped int, err error) {
	for len(o.batches) > 0 {
		ld := o.batches[0]
		if err = send(ld); err != nil && !consumererror.IsPermanent(err) {
			return dropped, err
		}
		n := ld.LogRecordCount()
		if err != nil {
			dropped += n
		}
		o.records -= n
		o.batches[0] = plog.Logs{}
		o.batches = o.batches[1:]
	}
	o.batches = nil
	return dropped, nil
}
