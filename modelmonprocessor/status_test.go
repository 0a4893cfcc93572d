package modelmonprocessor

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// accuracyBatch carries one accuracy point per value for model name:v1,
// one second apart, the last at `at`.
func accuracyBatch(name string, at time.Time, values ...float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "svc-"+name)
	g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	g.SetName("model.accuracy")
	dps := g.SetEmptyGauge().DataPoints()
	for i, v := range values {
		dp := dps.AppendEmpty()
		dp.SetDoubleValue(v)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i-len(values)+1) * time.Second)))
		dp.Attributes().PutStr(modelevent.AttrModelName, name)
		dp.Attributes().PutStr(modelevent.AttrModelVersion, "v1")
	}
	return md
}

func consume(t *testing.T, e *engine, md pmetric.Metrics) {
	t.Helper()
	_, err := e.processMetrics(context.Background(), md)
	require.NoError(t, err)
}

func source(e *engine) status.Source { return &statusSource{e: e} }

func TestStatusSnapshotFleet(t *testing.T) {
	cfg := rules(below("accuracy_low", SignalAccuracy, "mean", 0.9))
	cfg.Rules[0].Annotations = map[string]string{
		"summary":     "{{.Model}} accuracy {{.Observed}}",
		"runbook_url": "https://runbooks.example/accuracy?m={x}",
	}
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	for i := range 5 {
		consume(t, e, accuracyBatch("ok-"+strconv.Itoa(i), t0.Add(-time.Minute), 0.97, 0.96))
	}
	consume(t, e, accuracyBatch("bad-b", t0.Add(-time.Minute), 0.7, 0.6))
	consume(t, e, accuracyBatch("bad-a", t0.Add(-time.Minute), 0.5))

	snap := source(e).Snapshot(status.Query{})
	assert.Equal(t, status.Counts{Models: 7, Inactive: 5, Firing: 2, FiringAlerts: 2}, snap.Counts)
	require.Len(t, snap.Models, 7)
	assert.Equal(t, []string{"bad-a:v1", "bad-b:v1", "ok-0:v1"}, []string{snap.Models[0].ID, snap.Models[1].ID, snap.Models[2].ID},
		"firing first, then by id")
	bad := snap.Models[1]
	assert.Equal(t, status.StateFiring, bad.State)
	assert.Equal(t, []status.Label{{Name: "model.name", Value: "bad-b"}, {Name: "model.version", Value: "v1"}}, bad.Labels)
	require.Len(t, bad.Rules, 1)
	r := bad.Rules[0]
	assert.InDelta(t, 0.65, r.Value, 1e-9)
	assert.Equal(t, 0.9, r.Threshold)
	assert.Equal(t, 2, r.Samples)
	assert.True(t, r.Evaluated)
	assert.Equal(t, t0, bad.LastSeen, "arrival time")
	assert.Equal(t, t0.Add(-time.Minute), bad.LastData, "newest data-point time")
	assert.Equal(t, t0.Add(-time.Minute), bad.Clock, "the model's clock: its data time, no arrival since")
	assert.Empty(t, bad.Signals, "windows only for a single model")

	require.Len(t, snap.Alerts, 2)
	a := snap.Alerts[0]
	assert.Equal(t, status.StateFiring, a.State)
	assert.Equal(t, modelevent.AlertID("accuracy_low", []modelevent.Attribute{
		{Key: modelevent.AttrModelName, Value: a.Labels[0].Value}, {Key: modelevent.AttrModelVersion, Value: "v1"}}), a.ID)
	assert.Equal(t, "below", a.Comparison)
	assert.Contains(t, []string{"bad-a:v1", "bad-b:v1"}, a.Model)
	require.Len(t, a.Annotations, 2)
	assert.Equal(t, status.Label{Name: "runbook_url", Value: "https://runbooks.example/accuracy?m={x}"}, a.Annotations[0])
	assert.Contains(t, a.Annotations[1].Value, a.Model+" accuracy ", "summary template rendered")

	require.Len(t, snap.Rules, 1)
	assert.Equal(t, status.Rule{Name: "accuracy_low", Signal: "accuracy", Kind: "degradation", Strategy: "static",
		Aggregation: "mean", Comparison: "below", Threshold: 0.9, HasThreshold: true, Severity: "warning"}, snap.Rules[0])

	t.Run("filter and page", func(t *testing.T) {
		s := source(e).Snapshot(status.Query{State: status.StateInactive, Sort: status.SortName, Offset: 1, Limit: 2})
		assert.Equal(t, 5, s.Matched)
		require.Len(t, s.Models, 2)
		assert.Equal(t, "ok-1:v1", s.Models[0].ID)
		assert.Equal(t, "ok-2:v1", s.Models[1].ID)
		assert.Equal(t, 7, s.Counts.Models, "counts cover the fleet")
		s = source(e).Snapshot(status.Query{Offset: 100})
		assert.Empty(t, s.Models)
		assert.Equal(t, 7, s.Matched)
	})

	t.Run("recently resolved", func(t *testing.T) {
		consume(t, e, accuracyBatch("bad-b", t0, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99))
		s := source(e).Snapshot(status.Query{})
		require.Len(t, s.Resolved, 1)
		res := s.Resolved[0]
		assert.Equal(t, "resolved", res.State)
		assert.Equal(t, "bad-b:v1", res.Model)
		// Resolved at the data-point time of the batch's point that cleared it.
		assert.False(t, res.ResolvedAt.After(t0))
		assert.True(t, res.ResolvedAt.After(t0.Add(-8*time.Second)))
		assert.False(t, res.ActiveAt.IsZero())
		assert.Equal(t, 1, s.Counts.FiringAlerts)
	})
}

func TestStatusSnapshotModelWindows(t *testing.T) {
	cfg := rules(below("accuracy_low", SignalAccuracy, "mean", 0.9), above("latency_high", SignalLatency, "p95", 120))
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	consume(t, e, accuracyBatch("fraud", t0.Add(-time.Minute), 0.95, 0.93, 0.91))
	md := histBatch("s", pmetric.AggregationTemporalityDelta, []float64{0.05, 0.1, 0.2},
		histPoint{at: -30 * time.Second, counts: []uint64{10, 0, 0, 0}, sum: 0.3})
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0).Attributes().PutStr(modelevent.AttrModelName, "fraud")
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0).Attributes().PutStr(modelevent.AttrModelVersion, "v1")
	consume(t, e, md)

	snap := source(e).Snapshot(status.Query{Model: "fraud:v1"})
	require.Len(t, snap.Models, 1)
	m := snap.Models[0]
	assert.Contains(t, m.Resource, status.Label{Name: "service.name", Value: "svc-fraud"})
	sigs := map[string]status.Signal{}
	for _, s := range m.Signals {
		sigs[s.Name] = s
	}
	acc := sigs[SignalAccuracy]
	require.Len(t, acc.Points, 3)
	assert.Equal(t, status.Point{T: t0.Add(-time.Minute - 2*time.Second), V: 0.95}, acc.Points[0])
	assert.Equal(t, status.Point{T: t0.Add(-time.Minute), V: 0.91}, acc.Points[2])
	require.Len(t, acc.Lines, 1)
	assert.Equal(t, "accuracy_low", acc.Lines[0].Rule)

	lat := sigs[SignalLatency]
	assert.Equal(t, "ms", lat.Unit)
	require.Len(t, lat.Percentiles, 3)
	assert.Equal(t, "p50", lat.Percentiles[0].Name)
	require.Len(t, lat.Percentiles[0].Points, 1)
	assert.InDelta(t, 25, lat.Percentiles[0].Points[0].V, 1e-9, "half of the first bucket (0, 50 ms]")
	assert.Equal(t, t0.Add(-30*time.Second), lat.Percentiles[0].Points[0].T)

	assert.Empty(t, source(e).Snapshot(status.Query{Model: "nope"}).Models)
}

func TestStatusBaselineBand(t *testing.T) {
	warm := 5
	cfg := rules(RuleConfig{Name: "acc_shift", Signal: SignalAccuracy, Strategy: "baseline"})
	cfg.Rules[0].Baseline.Warmup = &warm
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	consume(t, e, accuracyBatch("m", t0.Add(-time.Minute), 0.90, 0.92, 0.90, 0.92, 0.90, 0.92, 0.91))
	snap := source(e).Snapshot(status.Query{Model: "m:v1"})
	require.Len(t, snap.Models, 1)
	r := snap.Models[0].Rules[0]
	require.NotNil(t, r.Band)
	assert.InDelta(t, 0.91, r.Band.Mean, 1e-6)
	assert.InDelta(t, r.Threshold, r.Band.Lo, 1e-9, "the rule watches the low side")
	assert.InDelta(t, r.Band.Mean-r.Band.Lo, r.Band.Hi-r.Band.Mean, 1e-9)
	assert.False(t, r.Statistic)
}

// statusRegistry is an extension that shows modelmon state.
type statusRegistry struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	srcs map[component.ID]status.Source
}

func (r *statusRegistry) Register(id component.ID, src status.Source) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.srcs[id] = src
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.srcs, id)
	}
}

type extHost struct {
	exts map[component.ID]component.Component
}

func (h extHost) GetExtensions() map[component.ID]component.Component { return h.exts }

func TestStatusRegistersWithExtensions(t *testing.T) {
	reg := &statusRegistry{srcs: map[component.ID]status.Source{}}
	host := extHost{exts: map[component.ID]component.Component{
		component.MustNewID("modelmon_status"): reg,
		component.MustNewID("other"):           &statusRegistry{srcs: map[component.ID]status.Source{}},
		component.MustNewID("unrelated"): struct {
			component.StartFunc
			component.ShutdownFunc
		}{},
	}}
	e, _ := testEngine(t, rules(below("accuracy_low", SignalAccuracy, "mean", 0.9)), consumertest.NewNop())
	require.NoError(t, e.start(context.Background(), host))
	reg.mu.Lock()
	src := reg.srcs[e.id]
	reg.mu.Unlock()
	require.NotNil(t, src)
	consume(t, e, accuracyBatch("m", t0, 0.5))
	assert.Equal(t, 1, src.Snapshot(status.Query{}).Counts.FiringAlerts)

	require.NoError(t, e.shutdown(context.Background()))
	reg.mu.Lock()
	defer reg.mu.Unlock()
	assert.Empty(t, reg.srcs, "unregistered at shutdown")
}

// TestStatusSnapshotWhileIngesting reads snapshots while batches arrive;
// run with -race.
func TestStatusSnapshotWhileIngesting(t *testing.T) {
	e, _ := testEngine(t, rules(below("accuracy_low", SignalAccuracy, "mean", 0.9)), consumertest.NewNop())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			_, _ = e.processMetrics(context.Background(), accuracyBatch("m"+strconv.Itoa(i%20), t0.Add(time.Duration(i-200)*time.Second), float64(i%3)/2))
		}
	}()
	for {
		select {
		case <-done:
			s := source(e).Snapshot(status.Query{Limit: 5})
			assert.Equal(t, 20, s.Counts.Models)
			assert.Len(t, s.Models, 5)
			return
		default:
			s := source(e).Snapshot(status.Query{Limit: 5})
			assert.LessOrEqual(t, len(s.Models), 5)
			_ = source(e).Snapshot(status.Query{Model: "m3:v1"})
		}
	}
}

// BenchmarkStatusSnapshot is what a status page costs the engine for a
// fleet of 10k models: the whole Snapshot call (an upper bound of the time
// it holds the lock), next to one batch of 100 models (700 points) through
// the metrics path, side by side.
func BenchmarkStatusSnapshot(b *testing.B) {
	const models = 10_000
	round := fleetRound(models, 0, true)
	p, s := benchProcessor(b, benchConfig(models, false), round[0].ResourceMetrics().Len())
	for range 3 {
		consumeAll(b, p, round)
	}
	src := source(s.engine)
	for _, q := range []struct {
		name string
		q    status.Query
	}{
		{"fleet", status.Query{}},
		{"fleet_by_name", status.Query{Sort: status.SortName}},
		{"model_windows", status.Query{Model: "model-42:v1"}},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if snap := src.Snapshot(q.q); len(snap.Models) == 0 {
					b.Fatal("empty snapshot")
				}
			}
		})
	}
	// The first hold of the lock alone: what a page poll can delay a batch by.
	b.Run("fleet_scan_locked", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var snap status.Snapshot
			s.scanFleet(status.Query{}, &snap)
		}
	})
	b.Run("batch_100_models", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			consumeAll(b, p, round[i%len(round):i%len(round)+1])
			i++
		}
	})
}

func TestSmallestIsThePageOfAFullSort(t *testing.T) {
	order := func(a, b int) int { return a - b }
	for _, n := range []int{0, 1, 7, 100, 1000, 5000} {
		for _, q := range []status.Query{{Limit: 1}, {Limit: 10}, {Offset: 20, Limit: 10}, {Offset: 900, Limit: 100}, {}} {
			rows := make([]int, n)
			for i := range rows {
				rows[i] = (i * 7919) % 10007 // distinct, shuffled
			}
			want := slices.Clone(rows)
			slices.Sort(want)
			got := page(smallest(rows, q, order), q)
			assert.Equal(t, page(want, q), got, "n=%d q=%+v", n, q)
		}
	}
}

func TestStatusResolvedRingIsBounded(t *testing.T) {
	var b statusBoard
	ev := newEventBatch()
	ev.ld = plog.NewLogs()
	lrs := ev.ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range resolvedKept + 30 {
		state := modelevent.StateResolved
		if i%5 == 0 {
			state = modelevent.StateFiring
		}
		modelevent.Encode(&modelevent.Violation{
			Time: t0.Add(time.Duration(i) * time.Second), State: state, AlertID: strconv.Itoa(i), EventID: "e",
			StartedAt: t0, Rule: "r", Signal: "accuracy", Kind: modelevent.KindDegradation, Strategy: "static",
			Aggregation: "mean", Comparison: modelevent.ComparisonBelow, Severity: modelevent.SeverityWarning,
			ModelKey: []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: "m" + strconv.Itoa(i)}},
		}, lrs.AppendEmpty())
		if state == modelevent.StateResolved {
			ev.resolved++
		} else {
			ev.firing++
		}
	}
	b.noteResolved(ev)
	got := b.recentResolved()
	require.Len(t, got, resolvedKept, "64 resolved among 80 events: the newest 50 kept")
	assert.Equal(t, "79", got[0].ID, "newest first")
	assert.Equal(t, "18", got[len(got)-1].ID)
	for _, a := range got {
		assert.Equal(t, "resolved", a.State)
	}
}
