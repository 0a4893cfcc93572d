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

// Push queues ld behind the waiting batches. A batch that does not fit is
// dropped whole, so that order is kept and no event is split from its batch;
// Push returns the number of records dropped.
func (o *Outbox) Push(ld plog.Logs) (dropped int) {
	n := ld.LogRecordCount()
	if n == 0 {
		return 0
	}
	if o.records+n > o.max {
		return n
	}
	o.batches = append(o.batches, ld)
	o.records += n
	return 0
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
