//go:build modelmon_refwindow

package modelmonprocessor

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/internal/testing/stagedtest"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// The window replay test is the proof that the compact window.Window
// changes no decision: every stream below runs through two engines built by
// the factory, one whose models keep window.Window and one whose models keep
// refwindow.Window (a plain slice of samples with a sorted copy), and every
// event and every health value must be the same, floats bit for bit.
//
// One difference is allowed, and no comparison can see it: a percentile
// whose ranks fall on zeros of both signs may be −0 in one window and +0 in
// the other (the compact index breaks ties between equal values by slot,
// the sorted copy by time), so a zero percentile is compared as a zero, and
// the text rendered from it with "-0" read as "0".
//
// It needs the modelmon_refwindow build tag (see scalar_window_reference.go):
//
//	go test -tags modelmon_refwindow -run '^TestWindowReplay$' ./modelmonprocessor/

// replayCase is one engine configuration and the steps fed to it.
type replayCase struct {
	name   string
	config func(t *testing.T) *Config
	steps  []replayStep
	// full requires some event of a window holding this many samples, so
	// that a case meant to fill its windows is seen to.
	full int64
	// allAggregations requires a firing event of every scalar aggregation.
	allAggregations bool
	// late requires points refused as late, so that the refusals are seen
	// to be compared.
	late bool
}

// replayStep sets the clock, consumes in (when set) and ticks.
type replayStep struct {
	now  time.Time
	in   pmetric.Metrics
	tick bool
}

// replayTrace is what one engine emitted, one line per event or health
// value, each prefixed with its step. The shards work on the models of one
// batch in parallel, so only each model's own lines come in a fixed order:
// lines are ordered by step, health before events, and model, and keep
// their order within a model.
type replayTrace struct {
	lines []string
	// events are the decoded events, for the checks that the case
	// exercised what it claims.
	events []modelevent.Violation
	health int
	// outcomes counts the data points by outcome (matched, late…).
	outcomes map[string]int64
}

func TestWindowReplay(t *testing.T) {
	for _, c := range replayCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want := runReplay(t, c, true)
			got := runReplay(t, c, false)
			compareTraces(t, got.lines, want.lines)
			require.NotZero(t, len(want.events)+want.health, "the case emits nothing: it proves nothing")
			if c.full > 0 {
				require.True(t, anyEvent(want.events, func(v modelevent.Violation) bool { return v.WindowSamples == c.full }),
					"no event saw a window of %d samples", c.full)
			}
			if c.late {
				require.Positive(t, want.outcomes["late"], "no point was refused as late")
			}
			if c.allAggregations {
				fired := map[string]bool{}
				for _, v := range want.events {
					if v.State == modelevent.StateFiring {
						fired[v.Aggregation] = true
					}
				}
				for _, a := range replayAggregations {
					require.True(t, fired[a], "no %s rule fired", a)
				}
			}
			t.Logf("%d events, %d health values, points %v: identical", len(want.events), want.health, want.outcomes)
		})
	}
}

func anyEvent(vs []modelevent.Violation, f func(modelevent.Violation) bool) bool {
	for _, v := range vs {
		if f(v) {
			return true
		}
	}
	return false
}

// compareTraces reports the first line where got and want differ, with the
// lines before it for context.
func compareTraces(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < min(len(got), len(want)); i++ {
		if got[i] != want[i] {
			from := max(0, i-3)
			t.Fatalf("compact and reference windows differ at line %d of %d:\n  compact:   %s\n  reference: %s\nbefore it:\n  %s",
				i, len(want), got[i], want[i], strings.Join(want[from:i], "\n  "))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("compact window: %d lines, reference: %d (the first %d agree)", len(got), len(want), min(len(got), len(want)))
	}
}

// runReplay runs c through a processor made by the factory, its models
// keeping reference windows when reference is set. The test ticks the
// engine itself, on the steps' clock, instead of starting its ticker.
func runReplay(t *testing.T, c replayCase, reference bool) replayTrace {
	referenceWindows.Store(reference)
	defer referenceWindows.Store(false)
	ctx := context.Background()
	cfg := c.config(t)
	// Every batch reports every value its models' rules computed.
	cfg.HealthMetrics, cfg.HealthMetricsInterval = true, 0
	require.NoError(t, cfg.Validate())
	f := newFactory()
	set := processortest.NewNopSettings(metadata.Type)
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(ctx)) }()
	set.TelemetrySettings = tel.NewTelemetrySettings()
	metricsOut, logsOut := new(consumertest.MetricsSink), new(consumertest.LogsSink)
	mp, err := f.createMetrics(ctx, set, cfg, metricsOut)
	require.NoError(t, err)
	lp, err := f.createLogs(ctx, set, cfg, logsOut)
	require.NoError(t, err)
	e := f.engines.lookup(set.ID).engine
	percentile := map[string]bool{}
	for _, r := range e.rules {
		_, percentile[r.name] = r.agg.Quantile()
	}
	var now time.Time
	e.clock = func() time.Time { return now }
	defer func() {
		require.NoError(t, mp.Shutdown(ctx))
		require.NoError(t, lp.Shutdown(ctx))
	}()

	var tr replayTrace
	type keyed struct{ key, line string }
	var lines []keyed
	seenLogs := 0
	for i, st := range c.steps {
		now = st.now
		if st.in != (pmetric.Metrics{}) {
			md := pmetric.NewMetrics()
			st.in.CopyTo(md)
			require.NoError(t, mp.ConsumeMetrics(ctx, md))
			all := metricsOut.AllMetrics()
			for _, l := range healthTrace(all[len(all)-1], percentile) {
				lines = append(lines, keyed{fmt.Sprintf("%08d 0 %s", i, l.model), fmt.Sprintf("step %d health %s", i, l.line)})
				tr.health++
			}
		}
		if st.tick {
			e.tick()
		}
		logs := logsOut.AllLogs()
		for _, ld := range logs[seenLogs:] {
			r := modelevent.DecodeLogs(ld)
			require.Zero(t, r.Malformed, "%v", r.Errors)
			for _, ev := range r.Events {
				tr.events = append(tr.events, ev.Violation)
				lines = append(lines, keyed{fmt.Sprintf("%08d 1 %v %v", i, ev.Violation.ModelKey, ev.Violation.Group),
					fmt.Sprintf("step %d event %s", i, eventTrace(ev.Violation, percentile[ev.Rule]))})
			}
		}
		seenLogs = len(logs)
	}
	for _, m := range e.allModels() {
		for i := range m.wins {
			require.Equal(t, reference, m.wins[i].ref != nil, "model %v window %d: not the window asked for", m.key, i)
		}
	}
	slices.SortStableFunc(lines, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	for _, l := range lines {
		tr.lines = append(tr.lines, l.line)
	}
	tr.outcomes = sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome")
	tr.lines = append(tr.lines, fmt.Sprintf("data points by outcome: %v", tr.outcomes))
	return tr
}

// eventTrace renders every field of an event but its random event id,
// floats also as their bits; a zero percentile as +0.
func eventTrace(v modelevent.Violation, percentile bool) string {
	v.EventID = ""
	if percentile && v.Observed == 0 {
		v.Observed = 0
		v.Summary = strings.ReplaceAll(v.Summary, "-0", "0")
		annotations := map[string]string{}
		for k, a := range v.Annotations {
			annotations[k] = strings.ReplaceAll(a, "-0", "0")
		}
		v.Annotations = annotations
	}
	var extra string
	if v.Baseline != nil {
		b := *v.Baseline
		extra += fmt.Sprintf(" baseline=%+v (%x %x)", b, math.Float64bits(b.Mean), math.Float64bits(b.Stddev))
		v.Baseline = nil
	}
	if v.Drift != nil {
		extra += fmt.Sprintf(" drift=%+v", *v.Drift)
		v.Drift = nil
	}
	return fmt.Sprintf("%+v observed=%x threshold=%x%s", v, math.Float64bits(v.Observed), math.Float64bits(v.Threshold), extra)
}

// healthLine is one health value rendered, and the model it is of.
type healthLine struct{ model, line string }

// healthTrace renders each point of the processor's own scope in md: metric,
// resource and point attributes, times and value with its bits; the zero
// value of a percentile rule as +0.
func healthTrace(md pmetric.Metrics, percentile map[string]bool) []healthLine {
	var out []healthLine
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			if sm.Scope().Name() != metadata.ScopeName {
				continue
			}
			for _, m := range sm.Metrics().All() {
				for _, dp := range m.Gauge().DataPoints().All() {
					v := dp.DoubleValue()
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						v = float64(dp.IntValue())
					}
					if rule, ok := dp.Attributes().Get(modelevent.AttrRule); ok && percentile[rule.Str()] && v == 0 {
						v = 0
					}
					attrs := dp.Attributes().AsRaw()
					model := map[string]any{}
					for k, a := range attrs {
						if !strings.HasPrefix(k, "modelmon.") {
							model[k] = a
						}
					}
					out = append(out, healthLine{
						model: fmt.Sprint(rm.Resource().Attributes().AsRaw(), model),
						line: fmt.Sprintf("%s resource=%v attrs=%v start=%d t=%d value=%v (%x)",
							m.Name(), rm.Resource().Attributes().AsRaw(), attrs,
							dp.StartTimestamp(), dp.Timestamp(), v, math.Float64bits(v)),
					})
				}
			}
		}
	}
	return out
}

// replayCases gathers the fixtures the processor's golden tests use and the
// synthetic streams of window_replay_streams_test.go.
func replayCases(t *testing.T) []replayCase {
	var cs []replayCase
	for _, dir := range stagedtest.Cases(t, "testdata/staged/*") {
		cs = append(cs, stagedReplay(t, dir))
	}
	cs = append(cs, healthGoldenReplay(t), eventGoldenReplay(t))
	cs = append(cs, streamCases()...)
	return cs
}

// stagedReplay is a testdata/staged case: its config and its steps.
func stagedReplay(t *testing.T, dir string) replayCase {
	c := replayCase{name: "staged/" + filepath.Base(dir)}
	c.config = func(t *testing.T) *Config {
		cfg := createDefaultConfig().(*Config)
		conf, err := confmaptest.LoadConf(filepath.Join(dir, "config.yaml"))
		require.NoError(t, err)
		require.NoError(t, conf.Unmarshal(cfg))
		return cfg
	}
	for _, stage := range stagedtest.Stages(t, dir) {
		s := parseStep(t, stage.Path)
		st := replayStep{now: s.now, tick: s.tick}
		if s.in != nil {
			st.in = buildBatch(t, s.in, s.now)
		}
		c.steps = append(c.steps, st)
	}
	return c
}

// healthGoldenReplay is TestHealthMetricsGolden's config and batches.
func healthGoldenReplay(t *testing.T) replayCase {
	c := replayCase{name: "golden/health", config: func(*testing.T) *Config { return healthGoldenConfig() }}
	for i, md := range healthGoldenBatches(t) {
		c.steps = append(c.steps, replayStep{now: t0.Add(time.Duration(i) * 10 * time.Second), in: md, tick: true})
	}
	return c
}

// eventGoldenReplay is TestEventGolden's rule and points.
func eventGoldenReplay(t *testing.T) replayCase {
	c := replayCase{name: "golden/events", config: func(*testing.T) *Config {
		r := below("accuracy_low", "accuracy", "last", 0.94)
		r.Severity = "error"
		return rules(r)
	}}
	for i, line := range []string{
		"model.accuracy 0.812 model.name=fraud-model model.version=v7 r.service.name=fraud-api @-30s",
		"model.accuracy 0.99 model.name=fraud-model model.version=v7 r.service.name=fraud-api @1m",
	} {
		c.steps = append(c.steps, replayStep{now: t0.Add(time.Duration(i) * time.Minute), in: buildBatch(t, []string{line}, t0)})
	}
	return c
}

// appendGauge appends a gauge of one point of model name (version v1) to ms.
func appendGauge(ms pmetric.MetricSlice, metric, model string, t time.Time, v float64) {
	m := ms.AppendEmpty()
	m.SetName(metric)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(v)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(t))
	dp.Attributes().PutStr("model.name", model)
	dp.Attributes().PutStr("model.version", "v1")
}
