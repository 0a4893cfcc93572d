package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// storageClientName names the processor's client of the storage extension.
const storageClientName = "alerts"

// alertKeyPrefix starts the storage key of a saved firing alert; the rest is
// its alert id. Keys without it are not the processor's and are left alone.
const alertKeyPrefix = "alert/"

// saver keeps the storage in step with the firing alerts: the firing event
// of each alert is saved, and deleted when the alert resolves. Changes are
// queued by deliver (under sendMu) and written by one goroutine, so that no
// metrics batch waits for the disk. Changes to the same alert coalesce, so
// the queue never holds more than one change per alert.
type saver struct {
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

// newSaver returns a saver over store holding at most limit unwritten changes.
func newSaver(ctx context.Context, store storagekv.Store, limit int, logger *zap.Logger, tel *telemetry.Telemetry) *saver {
	return &saver{
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

func (s *saver) run() {
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

// queue records the changes that the events in ld make to the firing
// alerts. It only encodes; the writer goroutine does the I/O.
func (s *saver) queue(ld plog.Logs) {
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
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *saver) queueRecord(res pcommon.Resource, lr plog.LogRecord) {
	id, ok := lr.Attributes().Get(modelevent.AttrAlertID)
	if !ok {
		return
	}
	state, _ := lr.Attributes().Get(modelevent.AttrAlertState)
	var rec []byte
	if modelevent.State(state.Str()) == modelevent.StateFiring {
		var err error
		if rec, err = encodeRecord(res, lr); err != nil {
			s.tel.RecordStateError(s.ctx, telemetry.OpWrite, 1)
			s.logger.Error("could not encode a firing alert for storage", zap.Error(err))
			return
		}
	}
	key := alertKeyPrefix + id.Str()
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
func (s *saver) flush() {
	s.mu.Lock()
	batch := s.pending
	if len(batch) > 0 {
		s.pending = make(map[string][]byte, len(batch))
	}
	s.warned = false
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

// close has the writer write what is queued, then closes the store. When
// ctx ends first, close returns and the writer finishes on its own; the
// store is left open, since the writer may still be inside it.
func (s *saver) close(ctx context.Context) error {
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

// encodeRecord saves a firing event with its resource as OTLP protobuf: the
// event contract already round-trips every field the resolved event needs.
func encodeRecord(res pcommon.Resource, lr plog.LogRecord) ([]byte, error) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res.CopyTo(rl.Resource())
	lr.CopyTo(rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	return (&plog.ProtoMarshaler{}).MarshalLogs(ld)
}

// errBadRecord wraps every reason a saved record cannot be restored.
var errBadRecord = errors.New("unreadable saved alert")

// decodeRecord reads a record written by encodeRecord: exactly one firing
// event with an alert id and a start time.
func decodeRecord(b []byte) (pcommon.Resource, modelevent.Violation, error) {
	var v modelevent.Violation
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(b)
	if err != nil {
		return pcommon.Resource{}, v, fmt.Errorf("%w: %w", errBadRecord, err)
	}
	if ld.ResourceLogs().Len() != 1 || ld.ResourceLogs().At(0).ScopeLogs().Len() != 1 ||
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().Len() != 1 {
		return pcommon.Resource{}, v, fmt.Errorf("%w: want one event, got %d", errBadRecord, ld.LogRecordCount())
	}
	rl := ld.ResourceLogs().At(0)
	v, err = modelevent.Decode(rl.ScopeLogs().At(0).LogRecords().At(0))
	switch {
	case err != nil:
		return pcommon.Resource{}, v, fmt.Errorf("%w: %w", errBadRecord, err)
	case v.State != modelevent.StateFiring:
		return pcommon.Resource{}, v, fmt.Errorf("%w: state %q, want firing", errBadRecord, v.State)
	case v.StartedAt.IsZero():
		return pcommon.Resource{}, v, fmt.Errorf("%w: no start time", errBadRecord)
	}
	return rl.Resource(), v, nil
}

// startStorage opens the storage extension, restores the saved firing alerts
// and starts the writer. Without storage it does nothing.
func (e *engine) startStorage(ctx context.Context, host component.Host) error {
	if e.cfg.Storage == nil {
		return nil
	}
	if host == nil {
		return fmt.Errorf("modelmon: storage %s: no host to find it in", e.cfg.Storage)
	}
	store, err := storagekv.Open(ctx, host, *e.cfg.Storage, component.KindProcessor, e.id, storageClientName)
	if err != nil {
		return fmt.Errorf("modelmon: %w", err)
	}
	// Changes can coalesce to one per alert, and there are at most that many.
	sv := newSaver(e.ctx, store, e.cfg.MaxModels*len(e.rules), e.logger, e.tel)
	e.sendMu.Lock()
	e.saver = sv
	e.sendMu.Unlock()
	e.restore(ctx, store)
	go sv.run()
	return nil
}
