// Package alertstore keeps the firing alerts of a processor in a storage
// extension, so that they outlive a restart and, on shared storage, move
// between gateways: each firing event is saved under its alert id and
// deleted when the alert resolves. Writes are queued and done by one
// goroutine, so that no metrics batch waits for the disk or the network.
package alertstore // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// ClientName names the processor's client of the storage extension.
const ClientName = "alerts"

// KeyPrefix starts the storage key of a saved firing alert; the rest is its
// alert id. Keys without it are not the processor's and are left alone.
const KeyPrefix = "alert/"

// Saver keeps the storage in step with the firing alerts: the firing event
// of each alert is saved, and deleted when the alert resolves. Changes are
// queued by the caller in the order the events were made and written by one goroutine, so that no
// metrics batch waits for the disk. Changes to the same alert coalesce, so
// the queue never holds more than one change per alert.
type Saver struct {
	store  storagekv.Store
	logger *zap.Logger
	tel    *telemetry.Telemetry
	// ctx is for the writes and telemetry; cancelled when the engine shuts down.
	ctx context.Context

	mu sync.Mutex
	// pending maps a storage key to the record to save, or nil to delete.
	pending map[string][]byte
	max     int
	closed  bool
	warned  bool

	wake    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
}

// NewSaver returns a saver over store holding at most limit unwritten changes.
func NewSaver(ctx context.Context, store storagekv.Store, limit int, logger *zap.Logger, tel *telemetry.Telemetry) *Saver {
	return &Saver{
		store:   store,
		logger:  logger,
		tel:     tel,
		ctx:     ctx,
		pending: map[string][]byte{},
		max:     limit,
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
}

// Run is the writer; it returns once Close has had it write what is queued.
func (s *Saver) Run() {
	defer close(s.stopped)
	for {
		select {
		case <-s.stop:
			s.flush()
			return
		case <-s.wake:
			s.flush()
		}
	}
}

// Queue records the changes that the events in ld make to the firing
// alerts. It only encodes; the writer goroutine does the I/O.
func (s *Saver) Queue(ld plog.Logs) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				s.queueRecord(rl.Resource(), lrs.At(k))
			}
		}
	}
	s.Kick()
}

// Kick wakes the writer for the changes queued.
func (s *Saver) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Saver) queueRecord(res pcommon.Resource, lr plog.LogRecord) {
	id, ok := lr.Attributes().Get(modelevent.AttrAlertID)
	if !ok {
		return
	}
	state, _ := lr.Attributes().Get(modelevent.AttrAlertState)
	var rec []byte
	if modelevent.State(state.Str()) == modelevent.StateFiring {
		var err error
		if rec, err = Encode(res, lr); err != nil {
			s.tel.RecordStateError(s.ctx, telemetry.OpWrite, 1)
			s.logger.Error("could not encode a firing alert for storage", zap.Error(err))
			return
		}
	}
	s.Put(KeyPrefix+id.Str(), rec)
}

// Put queues rec to be written under key, or key to be deleted when rec is
// nil, replacing a change to key not yet written.
func (s *Saver) Put(key string, rec []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if _, queued := s.pending[key]; !queued && len(s.pending) >= s.max {
		s.tel.RecordStateError(s.ctx, telemetry.OpQueueFull, 1)
		if !s.warned {
			s.warned = true
			s.logger.Warn("storage falls behind: a change to the saved firing alerts was not saved",
				zap.Int("pending", len(s.pending)))
		}
		return
	}
	s.pending[key] = rec
}

// flush writes the queued changes. Failures are counted and logged, once per
// flush; the change is not retried, so a slow or broken disk costs at most
// the restore of the alerts it concerns, never the pipeline.
func (s *Saver) flush() {
	s.mu.Lock()
	batch := s.pending
	s.warned = false
	if len(batch) == 0 {
		// The writer must not range over the map queue goes on filling.
		s.mu.Unlock()
		return
	}
	s.pending = make(map[string][]byte, len(batch))
	s.mu.Unlock()
	var failed, done [2]int
	var first error
	for key, rec := range batch {
		var err error
		op := 0
		if rec == nil {
			op, err = 1, s.store.Delete(s.ctx, key)
		} else {
			err = s.store.Set(s.ctx, key, rec)
		}
		if err != nil {
			failed[op]++
			if first == nil {
				first = err
			}
			continue
		}
		done[op]++
	}
	s.tel.RecordStateWrites(s.ctx, telemetry.OpWrite, done[0])
	s.tel.RecordStateWrites(s.ctx, telemetry.OpDelete, done[1])
	s.tel.RecordStateError(s.ctx, telemetry.OpWrite, failed[0])
	s.tel.RecordStateError(s.ctx, telemetry.OpDelete, failed[1])
	if first != nil {
		s.logger.Error("could not save changes to the firing alerts; they will not be restored after a restart",
			zap.Int("writes", failed[0]), zap.Int("deletes", failed[1]), zap.Error(first))
	}
}

// Close has the writer write what is queued, then closes the store. When
// ctx ends first, close returns and the writer finishes on its own; the
// store is left open, since the writer may still be inside it.
func (s *Saver) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	select {
	case <-s.stopped:
	case <-ctx.Done():
		return fmt.Errorf("modelmon: saving firing alerts: %w", ctx.Err())
	}
	return s.store.Close(ctx)
}

// Encode saves a firing event with its resource as OTLP protobuf: the
// event contract already round-trips every field the resolved event needs.
func Encode(res pcommon.Resource, lr plog.LogRecord) ([]byte, error) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res.CopyTo(rl.Resource())
	lr.CopyTo(rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	return (&plog.ProtoMarshaler{}).MarshalLogs(ld)
}

// ErrBadRecord wraps every reason a saved record cannot be restored.
var ErrBadRecord = errors.New("unreadable saved alert")

// Decode reads a record written by Encode: exactly one firing
// event with an alert id and a start time.
func Decode(b []byte) (pcommon.Resource, modelevent.Violation, error) {
	var v modelevent.Violation
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(b)
	if err != nil {
		return pcommon.Resource{}, v, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	if ld.ResourceLogs().Len() != 1 || ld.ResourceLogs().At(0).ScopeLogs().Len() != 1 ||
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().Len() != 1 {
		return pcommon.Resource{}, v, fmt.Errorf("%w: want one event, got %d", ErrBadRecord, ld.LogRecordCount())
	}
	rl := ld.ResourceLogs().At(0)
	v, err = modelevent.Decode(rl.ScopeLogs().At(0).LogRecords().At(0))
	switch {
	case err != nil:
		return pcommon.Resource{}, v, fmt.Errorf("%w: %w", ErrBadRecord, err)
	case v.State != modelevent.StateFiring:
		return pcommon.Resource{}, v, fmt.Errorf("%w: state %q, want firing", ErrBadRecord, v.State)
	case v.StartedAt.IsZero():
		return pcommon.Resource{}, v, fmt.Errorf("%w: no start time", ErrBadRecord)
	}
	return rl.Resource(), v, nil
}
