package retrainqueueexporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/httpstatus"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/planner"
)

const (
	// flushInterval is how often due and held jobs are looked at; jobs are
	// written at most this long after their window closes.
	flushInterval = time.Second
	// maxTriggers bounds one job's trigger list.
	maxTriggers = 100
	// maxBackoff bounds the wait between retries of a failing backend.
	maxBackoff = time.Minute
	// maxRetryAfter bounds how long an orchestrator's Retry-After is obeyed.
	maxRetryAfter = time.Hour
	// defaultWriteTimeout bounds a background write when no timeout is set.
	defaultWriteTimeout = 30 * time.Second
)

// retrainExporter records retrain events in the planner and writes the jobs
// the planner releases.
//
// How coalescing meets exporterhelper's retries: an export call first
// records its events in the planner (and, with storage, persists the
// planner) and only then writes the jobs that are due. A job therefore lives
// in the planner from the moment its first event is accepted until a backend
// accepted it; a failed write leaves it there and the background loop (or the
// next export) tries again. The export still returns the write error so that
// exporterhelper retries and upstream slows down (e.g. a full file queue);
// the retried batch finds its events already recorded (deduplicated by event
// id) and changes nothing but the attempt to write.
type retrainExporter struct {
	cfg     *Config
	set     exporter.Settings
	logger  *zap.Logger
	now     func() time.Time
	backend backend
	tel     *telemetry
	kinds   map[modelevent.Kind]bool
	minRank int

	mu    sync.Mutex // guards plan and store writes
	plan  *planner.Planner
	store *stateStore

	// flushMu serialises flushes, so a job is never written twice at once;
	// the fields below belong to it.
	flushMu  sync.Mutex
	started  bool
	failures int
	retryAt  time.Time
	lastErr  error

	interval time.Duration
	stop     chan struct{}
	done     chan struct{}
}

func newExporter(cfg *Config, set exporter.Settings, now func() time.Time) (*retrainExporter, error) {
	b, err := newBackend(cfg, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &retrainExporter{
		cfg:      cfg,
		set:      set,
		logger:   set.Logger,
		now:      now,
		backend:  b,
		interval: flushInterval,
		plan: planner.New(planner.Limits{
			CoalesceWindow: cfg.CoalesceWindow,
			Cooldown:       cfg.Cooldown,
			MaxJobsPerHour: cfg.MaxJobsPerHour,
			MaxPending:     cfg.MaxPending,
			MaxTriggers:    maxTriggers,
		}),
	}
	if len(cfg.Kinds) > 0 {
		e.kinds = make(map[modelevent.Kind]bool, len(cfg.Kinds))
		for _, k := range cfg.Kinds {
			e.kinds[modelevent.Kind(k)] = true
		}
	}
	if cfg.MinSeverity != "" {
		e.minRank = modelevent.Severity(cfg.MinSeverity).Rank()
	}
	e.tel, err = newTelemetry(set.TelemetrySettings, e.pending)
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (e *retrainExporter) pending() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return int64(e.plan.Pending())
}

func (e *retrainExporter) start(ctx context.Context, host component.Host) error {
	if e.cfg.Storage != nil {
		st, err := openStateStore(ctx, host, *e.cfg.Storage, e.set.ID)
		if err != nil {
			return err
		}
		// A state that cannot be read would silently lose pending jobs and
		// cooldowns: refuse to start instead.
		if err := st.load(ctx, e.plan); err != nil {
			_ = st.close(ctx)
			return fmt.Errorf("reading retrain_queue state from %s: %w", e.cfg.Storage, err)
		}
		if n := e.plan.Pending(); n > 0 {
			e.logger.Info("Restored retrain_queue state", zap.Int("pending_jobs", n))
		}
		e.store = st
	}
	if err := e.backend.start(ctx, host); err != nil {
		return err
	}
	e.warnCleartext()
	e.flushMu.Lock()
	e.started = true
	e.flushMu.Unlock()
	if e.interval > 0 {
		e.stop, e.done = make(chan struct{}), make(chan struct{})
		go e.loop()
	}
	return nil
}

func (e *retrainExporter) shutdown(ctx context.Context) error {
	if e.stop != nil {
		close(e.stop)
		<-e.done
		e.stop = nil
	}
	e.flushMu.Lock()
	started := e.started
	e.flushMu.Unlock()
	if !started {
		// Never started, or already shut down.
		e.tel.shutdown()
		return nil
	}
	var errs []error
	if e.store == nil {
		// Nothing survives a restart without storage: write what the hourly
		// cap allows now, whatever the window, and say what is lost.
		_ = e.flush(ctx, true)
		if n := e.pending(); n > 0 {
			e.logger.Warn("Retraining jobs not written before shutdown are lost; set storage to keep them",
				zap.Int64("pending_jobs", n))
		}
	} else {
		e.mu.Lock()
		errs = append(errs, e.persistLocked(ctx))
		e.mu.Unlock()
		errs = append(errs, e.store.close(ctx))
	}
	errs = append(errs, e.backend.shutdown(ctx))
	e.tel.shutdown()
	e.flushMu.Lock()
	e.started = false
	e.flushMu.Unlock()
	return errors.Join(errs...)
}

func (e *retrainExporter) loop() {
	defer close(e.done)
	t := time.NewTicker(e.interval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), e.writeTimeout())
			_ = e.flush(ctx, false)
			cancel()
		}
	}
}

func (e *retrainExporter) writeTimeout() time.Duration {
	if e.cfg.TimeoutConfig.Timeout > 0 {
		return e.cfg.TimeoutConfig.Timeout
	}
	return defaultWriteTimeout
}

func (e *retrainExporter) consumeLogs(ctx context.Context, ld plog.Logs) error {
	res := modelevent.DecodeLogs(ld)
	e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsReceived, ld.LogRecordCount(), "")
	e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsIgnored, res.Ignored, reasonNotEvent)
	if res.Malformed > 0 {
		e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsIgnored, res.Malformed, reasonMalformed)
		e.logger.Warn("Ignoring malformed modelmon events", zap.Int("count", res.Malformed), zap.Error(res.Errors[0]))
	}
	var wanted []*modelevent.Event
	for i := range res.Events {
		ev := &res.Events[i]
		switch reason := e.admit(ev); reason {
		case "":
			wanted = append(wanted, ev)
		case reasonKind, reasonSeverity:
			e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsFiltered, 1, reason)
		default:
			e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsIgnored, 1, reason)
		}
	}
	fullErr, err := e.record(ctx, wanted)
	if err != nil {
		return err
	}
	return errors.Join(fullErr, e.flush(ctx, false))
}

// admit returns "" for events that ask for retraining and pass the filters,
// else the reason they do not.
func (e *retrainExporter) admit(ev *modelevent.Event) string {
	switch {
	case ev.State != modelevent.StateFiring:
		return reasonResolved
	case !ev.HasAction(modelevent.ActionRetrain):
		return reasonNoRetrain
	case e.kinds != nil && !e.kinds[ev.Kind]:
		return reasonKind
	case ev.Severity.Rank() < e.minRank:
		return reasonSeverity
	}
	return ""
}

// record adds events to the planner and persists it. fullErr reports events
// refused because max_pending jobs wait; err means the state could not be
// persisted.
func (e *retrainExporter) record(ctx context.Context, events []*modelevent.Event) (fullErr, err error) {
	if len(events) == 0 {
		return nil, nil
	}
	counts := map[planner.Outcome]int{}
	var suppressed []*modelevent.Event
	e.mu.Lock()
	now := e.now()
	for _, ev := range events {
		o := e.plan.Add(ev, now)
		counts[o]++
		if o == planner.Cooldown {
			suppressed = append(suppressed, ev)
		}
	}
	// Also after a batch of duplicates: a retry after a failed persist must
	// persist what the first attempt recorded.
	err = e.persistLocked(ctx)
	e.mu.Unlock()

	e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsCreated, counts[planner.Created], "")
	e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsCoalesced, counts[planner.Coalesced], "")
	e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsSuppressed, counts[planner.Cooldown], reasonCooldown)
	e.tel.add(ctx, e.tel.ExporterRetrainQueueEventsIgnored, counts[planner.Duplicate], reasonDuplicate)
	for _, ev := range suppressed {
		e.logger.Info("Retraining suppressed: the model has a job or is in cooldown",
			zap.String("model", ev.ModelID()), zap.String("rule", ev.Rule), zap.String("alert_id", ev.AlertID),
			zap.Duration("cooldown", e.cfg.Cooldown))
	}
	if err != nil {
		return nil, fmt.Errorf("recording retrain events: %w", err)
	}
	if n := counts[planner.Full]; n > 0 {
		fullErr = fmt.Errorf("%d retrain events not recorded: max_pending (%d) jobs wait to be written", n, e.cfg.MaxPending)
	}
	return fullErr, nil
}

// persistLocked writes the planner's changes; e.mu must be held.
func (e *retrainExporter) persistLocked(ctx context.Context) error {
	if e.store == nil {
		return nil
	}
	return e.store.persist(ctx, e.plan)
}

// flush writes the jobs that are due, oldest first, stopping at the first
// retryable failure so that order is kept. force writes open jobs too.
func (e *retrainExporter) flush(ctx context.Context, force bool) error {
	e.flushMu.Lock()
	defer e.flushMu.Unlock()
	if !e.started {
		return nil
	}
	now := e.now()
	e.mu.Lock()
	due, held := e.plan.Due(now, force)
	// Due forgets expired cooldowns and cap slots and marks held jobs; the
	// storage follows so that it stays as small as the state.
	if err := e.persistLocked(ctx); err != nil {
		e.logger.Warn("Could not persist retrain_queue state", zap.Error(err))
	}
	e.mu.Unlock()
	e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsHeld, len(held), "")
	for _, h := range held {
		e.logger.Info("Retraining job held by max_jobs_per_hour; it is written when the hour rolls",
			zap.String("job_id", h.Job.JobID), zap.String("model", h.Job.Model.ID), zap.Int("max_jobs_per_hour", e.cfg.MaxJobsPerHour))
	}
	if len(due) == 0 {
		return nil
	}
	if !force && now.Before(e.retryAt) {
		return e.lastErr
	}
	for _, d := range due {
		err := e.write(ctx, d)
		if err == nil || consumererror.IsPermanent(err) {
			continue
		}
		e.failures++
		e.retryAt = now.Add(backoff(e.failures))
		if d, ok := httpstatus.RetryDelay(err); ok && now.Add(d).After(e.retryAt) {
			// The orchestrator said when to come back (Retry-After), within
			// reason: a broken one must not park every job for days.
			e.retryAt = now.Add(min(d, maxRetryAfter))
		}
		e.lastErr = err
		return err
	}
	e.failures, e.retryAt, e.lastErr = 0, time.Time{}, nil
	return nil
}

// write hands one job to the backend and records the outcome. Only a
// retryable failure is returned: the job stays pending.
func (e *retrainExporter) write(ctx context.Context, d planner.Entry) error {
	j := d.Job
	body, err := job.Marshal(j)
	if err == nil {
		err = e.backend.write(ctx, j, body)
	}
	switch {
	case err == nil:
		e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsWritten, 1, "")
		e.logger.Info("Retraining job written", zap.String("job_id", j.JobID), zap.String("model", j.Model.ID),
			zap.Int("triggers", len(j.TriggeredBy)), zap.String("backend", e.cfg.Backend))
		e.mu.Lock()
		e.plan.Written(d, e.now())
		perr := e.persistLocked(ctx)
		e.mu.Unlock()
		if perr != nil {
			// The job is out; after a restart it may be written again, which
			// every backend treats as success.
			e.logger.Warn("Could not persist retrain_queue state after a write", zap.Error(perr))
		}
		return nil
	case consumererror.IsPermanent(err):
		e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsFailed, 1, reasonPermanent)
		// Retrying cannot help; the job is logged whole so it can be resubmitted.
		e.logger.Error("Backend refused retraining job permanently; dropping it",
			zap.String("job_id", j.JobID), zap.String("model", j.Model.ID), zap.ByteString("job", body), zap.Error(err))
		e.mu.Lock()
		e.plan.Drop(d)
		_ = e.persistLocked(ctx)
		e.mu.Unlock()
		return err
	default:
		e.tel.add(ctx, e.tel.ExporterRetrainQueueJobsFailed, 1, reasonRetryable)
		e.logger.Warn("Writing retraining job failed; it stays pending and is retried",
			zap.String("job_id", j.JobID), zap.String("model", j.Model.ID), zap.Error(err))
		return fmt.Errorf("writing retraining job %s: %w", j.JobID, err)
	}
}

// backoff is the wait after n consecutive failures: 1s, 2s, 4s … 1m.
func backoff(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}
