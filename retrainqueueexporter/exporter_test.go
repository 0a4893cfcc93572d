package retrainqueueexporter

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/filequeue"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

var ctx = context.Background()

func TestCoalescingThroughExport(t *testing.T) {
	cfg := fileConfig(t)
	h := newHarness(t, cfg, nil)

	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "accuracy_low", "e1"))))
	h.clock.advance(10 * time.Second)
	drift := violation("fraud", "psi_high", "e2")
	drift.Kind, drift.Severity = modelevent.KindDrift, modelevent.SeverityCritical
	require.NoError(t, h.consumeLogs(ctx, logsOf(drift)))
	assert.Empty(t, readyJobs(t, cfg), "nothing is written while the window is open")

	h.clock.advance(20 * time.Second)
	require.NoError(t, h.flush(ctx, false))
	jobs := readyJobs(t, cfg)
	require.Len(t, jobs, 1)
	j := jobs[0]
	first := violation("fraud", "accuracy_low", "e1")
	assert.Equal(t, job.ID(first.ModelKey, first.AlertID, first.StartedAt), j.JobID)
	assert.Equal(t, []string{"e1", "e2"}, j.EventIDs())
	assert.Equal(t, 4, j.Priority)
	assert.Equal(t, "fraud-api", j.Resource["service.name"])
	assert.Equal(t, "fraud", j.Model.Name)
	assert.Equal(t, t0, j.CreatedAt)
	assert.Equal(t, int64(1), h.counter(t, "jobs_created", ""))
	assert.Equal(t, int64(1), h.counter(t, "jobs_coalesced", ""))
	assert.Equal(t, int64(1), h.counter(t, "jobs_written", ""))
}

func TestCooldownThroughExport(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow = 0
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "accuracy_low", "e1"))))
	require.Len(t, readyJobs(t, cfg), 1, "a zero window writes in the export call")

	h.clock.advance(59 * time.Minute)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "latency_high", "e2"))))
	require.NoError(t, h.flush(ctx, false))
	assert.Len(t, readyJobs(t, cfg), 1)
	assert.Equal(t, int64(1), h.counter(t, "jobs_suppressed", reasonCooldown))
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("Retraining suppressed").Len(), "suppressions are logged at info")

	h.clock.advance(time.Minute)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "latency_high", "e3"))))
	assert.Len(t, readyJobs(t, cfg), 2, "the cooldown is over")
}

func TestHourlyCapThroughExport(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow, cfg.MaxJobsPerHour = 0, 2
	h := newHarness(t, cfg, nil)
	for _, m := range []string{"a", "b", "c"} {
		require.NoError(t, h.consumeLogs(ctx, logsOf(violation(m, "acc", "e-"+m))), "held is not an error")
		h.clock.advance(time.Minute)
	}
	assert.Len(t, readyJobs(t, cfg), 2)
	assert.Equal(t, int64(1), h.counter(t, "jobs_held", ""))
	assert.Equal(t, int64(1), h.gauge(t, "jobs_pending"))

	// The loop left the clock at t0+3m; a's slot (written at t0) frees at t0+1h.
	h.clock.advance(56*time.Minute + 59*time.Second)
	require.NoError(t, h.flush(ctx, false))
	assert.Len(t, readyJobs(t, cfg), 2, "the first slot frees one hour after its write")
	h.clock.advance(time.Second)
	require.NoError(t, h.flush(ctx, false))
	jobs := readyJobs(t, cfg)
	require.Len(t, jobs, 3)
	assert.Equal(t, "c", jobs[2].Model.Name)
}

func TestSameEventTwiceIsOneJob(t *testing.T) {
	for _, window := range []time.Duration{0, 30 * time.Second} {
		t.Run(window.String(), func(t *testing.T) {
			cfg := fileConfig(t)
			cfg.CoalesceWindow = window
			cfg.Cooldown = 0 // only the job id stands between a redelivery and a second job
			h := newHarness(t, cfg, nil)
			ld := logsOf(violation("fraud", "acc", "e1"))
			require.NoError(t, h.consumeLogs(ctx, ld))
			h.clock.advance(window + time.Second)
			require.NoError(t, h.flush(ctx, false))
			h.clock.advance(time.Hour)
			require.NoError(t, h.consumeLogs(ctx, ld))
			h.clock.advance(window + time.Second)
			require.NoError(t, h.flush(ctx, false))
			assert.Len(t, readyJobs(t, cfg), 1)
		})
	}
}

func TestEventsNotTurnedIntoJobs(t *testing.T) {
	resolved := violation("m", "acc", "e1")
	resolved.State = modelevent.StateResolved
	alertOnly := violation("m", "acc", "e2")
	alertOnly.Actions = []string{modelevent.ActionAlert}
	latency := violation("m", "lat", "e3")
	latency.Kind = modelevent.KindLatency
	info := violation("m", "acc", "e4")
	info.Severity = modelevent.SeverityInfo

	plain := plog.NewLogs()
	plain.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	malformed := plog.NewLogs()
	malformed.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetEventName(modelevent.EventName)

	tests := []struct {
		name    string
		ld      plog.Logs
		counter string
		reason  string
	}{
		{"resolved", logsOf(resolved), "events_ignored", reasonResolved},
		{"no retrain action", logsOf(alertOnly), "events_ignored", reasonNoRetrain},
		{"kind filtered", logsOf(latency), "events_filtered", reasonKind},
		{"below min_severity", logsOf(info), "events_filtered", reasonSeverity},
		{"not a modelmon event", plain, "events_ignored", reasonNotEvent},
		{"malformed", malformed, "events_ignored", reasonMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fileConfig(t)
			cfg.CoalesceWindow = 0
			cfg.Kinds = []string{"degradation", "drift"}
			cfg.MinSeverity = "warning"
			h := newHarness(t, cfg, nil)
			require.NoError(t, h.consumeLogs(ctx, tt.ld))
			assert.Empty(t, readyJobs(t, cfg))
			assert.Equal(t, int64(1), h.counter(t, tt.counter, tt.reason))
			assert.Equal(t, int64(1), h.counter(t, "events_received", ""))
			assert.Zero(t, h.counter(t, "jobs_created", ""))
		})
	}
}

func TestFullFileQueueIsRetryableAndKeepsTheJob(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow, cfg.File.MaxReady = 0, 1
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	err := h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2")))
	require.ErrorIs(t, err, filequeue.ErrFull)
	assert.False(t, consumererror.IsPermanent(err), "a full queue is retryable")
	assert.Equal(t, int64(1), h.counter(t, "jobs_failed", reasonRetryable))

	// A worker claims the first job; the pending one goes out once the
	// backoff passed, without its event being sent again.
	ready := filepath.Join(cfg.File.Directory, filequeue.DirReady)
	ents, err := os.ReadDir(ready)
	require.NoError(t, err)
	require.NoError(t, os.Rename(filepath.Join(ready, ents[0].Name()), filepath.Join(cfg.File.Directory, filequeue.DirClaimed, ents[0].Name())))
	require.ErrorIs(t, h.flush(ctx, false), filequeue.ErrFull, "inside the backoff the last error stands")
	h.clock.advance(time.Second)
	require.NoError(t, h.flush(ctx, false))
	jobs := readyJobs(t, cfg)
	require.Len(t, jobs, 1)
	assert.Equal(t, "b", jobs[0].Model.Name)
}

func TestMaxPendingIsRetryable(t *testing.T) {
	cfg := fileConfig(t)
	cfg.MaxPending = 1
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	err := h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2")))
	require.ErrorContains(t, err, "max_pending")
	assert.False(t, consumererror.IsPermanent(err))

	h.clock.advance(cfg.CoalesceWindow)
	require.NoError(t, h.flush(ctx, false), "the loop writes a")
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("b", "acc", "e2"))), "the retry is recorded once room is made")
	h.clock.advance(cfg.CoalesceWindow)
	require.NoError(t, h.flush(ctx, false))
	assert.Len(t, readyJobs(t, cfg), 2)
}

func TestShutdownWithoutStorageWritesOpenJobs(t *testing.T) {
	cfg := fileConfig(t)
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	require.NoError(t, h.shutdown(ctx))
	assert.Len(t, readyJobs(t, cfg), 1)
}

func TestBackgroundLoopWritesDueJobs(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow = 50 * time.Millisecond
	f := NewFactory()
	e, err := newExporter(cfg, exportertestSettings(), time.Now)
	require.NoError(t, err)
	e.interval = 10 * time.Millisecond
	require.NoError(t, e.start(ctx, nopHost()))
	t.Cleanup(func() { _ = e.shutdown(ctx) })
	require.NoError(t, e.consumeLogs(ctx, logsOf(violation("a", "acc", "e1"))))
	require.Eventually(t, func() bool {
		ents, _ := os.ReadDir(filepath.Join(cfg.File.Directory, filequeue.DirReady))
		return len(ents) == 1
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "retrain_queue", f.Type().String())
}

func TestShutdownTwiceAndWithoutStart(t *testing.T) {
	cfg := fileConfig(t)
	e, err := newExporter(cfg, exportertestSettings(), time.Now)
	require.NoError(t, err)
	require.NoError(t, e.shutdown(ctx), "never started")
	require.NoError(t, e.start(ctx, nopHost()))
	require.NoError(t, e.shutdown(ctx))
	require.NoError(t, e.shutdown(ctx))
}

func TestConcurrentExports(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow, cfg.MaxJobsPerHour = 0, 1000
	h := newHarness(t, cfg, nil)
	const models, senders = 20, 8
	done := make(chan error, senders)
	for s := 0; s < senders; s++ {
		go func(s int) {
			var err error
			for m := 0; m < models && err == nil; m++ {
				// Every sender reports every model; event ids repeat across senders
				// as redeliveries do.
				name := "m" + strconv.Itoa(m)
				err = h.consumeLogs(ctx, logsOf(violation(name, "acc", "e-"+name)))
			}
			done <- err
		}(s)
	}
	for s := 0; s < senders; s++ {
		require.NoError(t, <-done)
	}
	assert.Len(t, readyJobs(t, cfg), models)
	assert.Equal(t, int64(models), h.counter(t, "jobs_created", ""))
	assert.Equal(t, int64(models), h.counter(t, "jobs_written", ""))
	assert.Equal(t, int64(models*(senders-1)), h.counter(t, "events_ignored", reasonDuplicate))
	assert.Zero(t, h.gauge(t, "jobs_pending"))
}
