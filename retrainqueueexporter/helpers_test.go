package retrainqueueexporter

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/filequeue"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is an exporter under test with its logs and metrics observed.
type harness struct {
	*retrainExporter
	logs  *observer.ObservedLogs
	tel   *componenttest.Telemetry
	clock *clock
}

func fileConfig(t *testing.T) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.File.Directory = filepath.Join(t.TempDir(), "queue")
	return cfg
}

// newHarness builds an exporter without its background loop, so tests
// decide when flushes happen.
func newHarness(t *testing.T, cfg *Config, host component.Host) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zapcore.DebugLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type) // stable, so a restart finds its storage
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	c := newClock()
	e, err := newExporter(cfg, set, c.now)
	require.NoError(t, err)
	if host == nil {
		host = componenttest.NewNopHost()
	}
	require.NoError(t, e.startNoLoop(context.Background(), host))
	h := &harness{retrainExporter: e, logs: logs, tel: tel, clock: c}
	t.Cleanup(func() { _ = h.shutdown(context.Background()) })
	return h
}

// startNoLoop starts everything but the flush loop.
func (e *retrainExporter) startNoLoop(ctx context.Context, host component.Host) error {
	e.interval = 0
	return e.start(ctx, host)
}

// counter sums the data points of one of the exporter's counters whose
// reason attribute is reason ("" for all points).
func (h *harness) counter(t *testing.T, name, reason string) int64 {
	t.Helper()
	m, err := h.tel.GetMetric("otelcol_exporter_retrain_queue_" + name)
	if err != nil {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(attrReason)
		if reason == "" || v.AsString() == reason {
			n += dp.Value
		}
	}
	return n
}

// violation is a firing retrain violation of rule on model name.
func violation(name, rule, eventID string) modelevent.Violation {
	key := []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: name}, {Key: modelevent.AttrModelVersion, Value: "v7"}}
	return modelevent.Violation{
		Time: t0, State: modelevent.StateFiring, AlertID: modelevent.AlertID(rule, key), EventID: eventID,
		StartedAt: t0.Add(-time.Minute), ModelKey: key, Rule: rule, Signal: "accuracy", Kind: modelevent.KindDegradation,
		Strategy: "static", Aggregation: "mean", Comparison: modelevent.ComparisonBelow, Observed: 0.812, Threshold: 0.94,
		WindowSamples: 12, WindowStart: t0.Add(-5 * time.Minute), WindowEnd: t0, Severity: modelevent.SeverityError,
		Actions: []string{modelevent.ActionAlert, modelevent.ActionRetrain},
	}
}

// logsOf encodes violations into one batch with a service.name resource.
func logsOf(vs ...modelevent.Violation) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "fraud-api")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range vs {
		modelevent.Encode(&vs[i], lrs.AppendEmpty())
	}
	return ld
}

// readyJobs decodes the jobs in the file queue's ready/, oldest first.
func readyJobs(t *testing.T, cfg *Config) []job.Job {
	t.Helper()
	dir := filepath.Join(cfg.File.Directory, filequeue.DirReady)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	jobs := make([]job.Job, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		require.NoError(t, err)
		var j job.Job
		require.NoError(t, json.Unmarshal(b, &j))
		jobs = append(jobs, j)
	}
	return jobs
}

func exportertestSettings() exporter.Settings { return exportertest.NewNopSettings(metadata.Type) }

func nopHost() component.Host { return componenttest.NewNopHost() }

// eventOf is the event the exporter decodes from logsOf(v).
func eventOf(v modelevent.Violation) *modelevent.Event {
	r := modelevent.DecodeLogs(logsOf(v))
	return &r.Events[0]
}

// gauge reads one of the exporter's gauges.
func (h *harness) gauge(t *testing.T, name string) int64 {
	t.Helper()
	m, err := h.tel.GetMetric("otelcol_exporter_retrain_queue_" + name)
	require.NoError(t, err)
	dps := m.Data.(metricdata.Gauge[int64]).DataPoints
	require.Len(t, dps, 1)
	return dps[0].Value
}
