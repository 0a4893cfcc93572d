package modelmonprocessor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// testEngine builds an engine from cfg with a fixed clock at t0 and own
// telemetry recorded in tel.
func testEngine(t testing.TB, cfg *Config, logs consumer.Logs) (*engine, *componenttest.Telemetry) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	e, err := newEngine(cfg, set)
	require.NoError(t, err)
	e.clock = func() time.Time { return t0 }
	if logs != nil {
		e.addLogsConsumer(logs)
	}
	t.Cleanup(func() { require.NoError(t, e.shutdown(context.Background())) })
	return e, tel
}

func rules(rs ...RuleConfig) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = rs
	return cfg
}

func below(name, signal, agg string, v float64) RuleConfig {
	return RuleConfig{Name: name, Signal: signal, Aggregation: agg, Below: &v}
}

func above(name, signal, agg string, v float64) RuleConfig {
	return RuleConfig{Name: name, Signal: signal, Aggregation: agg, Above: &v}
}

// sumByAttr reads an own counter as attribute value → total.
func sumByAttr(t *testing.T, tel *componenttest.Telemetry, name, attr string) map[string]int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return map[string]int64{}
	}
	out := map[string]int64{}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			v, _ := dp.Attributes.Value(attributeKey(attr))
			out[v.AsString()] += dp.Value
		}
	case metricdata.Gauge[int64]:
		for _, dp := range d.DataPoints {
			out[""] = dp.Value
		}
	}
	return out
}

// mixedBatch has mapped and unmapped metrics of every type, points without
// a model key and invalid values: everything must pass through untouched.
func mixedBatch() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "fraud-api")
	rm.Resource().Attributes().PutStr(modelevent.AttrModelName, "fraud")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("inference")
	sm.Scope().Attributes().PutInt(modelevent.AttrModelVersion, 7)

	g := sm.Metrics().AppendEmpty()
	g.SetName("model.accuracy")
	g.SetUnit("1")
	gauge := g.SetEmptyGauge()
	// +Inf rather than NaN: NaN never compares equal in the golden check.
	for i, v := range []float64{0.97, math.Inf(1), 1.5, 0.5} {
		dp := gauge.DataPoints().AppendEmpty()
		dp.SetDoubleValue(v)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * time.Second)))
	}
	s := sm.Metrics().AppendEmpty()
	s.SetName("model.throughput")
	sum := s.SetEmptySum()
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	sum.SetIsMonotonic(true)
	sdp := sum.DataPoints().AppendEmpty()
	sdp.SetIntValue(1200)
	sdp.SetTimestamp(pcommon.NewTimestampFromTime(t0))

	h := sm.Metrics().AppendEmpty()
	h.SetName("model.latency")
	h.SetUnit("s")
	hist := h.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	hdp := hist.DataPoints().AppendEmpty()
	hdp.SetTimestamp(pcommon.NewTimestampFromTime(t0))
	hdp.ExplicitBounds().FromRaw([]float64{0.05, 0.1, 0.2})
	hdp.BucketCounts().FromRaw([]uint64{5, 3, 1, 1})
	hdp.SetCount(10)
	hdp.SetSum(0.9)

	other := sm.Metrics().AppendEmpty()
	other.SetName("http.server.duration")
	other.SetEmptyGauge().DataPoints().AppendEmpty().SetDoubleValue(3)

	// No model key at all: a second resource without model.name.
	rm2 := md.ResourceMetrics().AppendEmpty()
	m2 := rm2.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m2.SetName("model.accuracy")
	m2.SetEmptyGauge().DataPoints().AppendEmpty().SetDoubleValue(0.9)
	return md
}

func TestPassThroughUnchanged(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.HealthMetrics = false
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, cfg, sink)
	in := mixedBatch()
	want := pmetric.NewMetrics()
	in.CopyTo(want)
	out, err := e.processMetrics(context.Background(), in)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(want, out))
	// The batch fired the accuracy rule (mean of 0.97 and 0.5) and the
	// latency rule (p95 of the histogram, seconds read as ms): the data were
	// observed, not skipped.
	require.Equal(t, 2, sink.LogRecordCount())
}

func TestHealthMetricsAppended(t *testing.T) {
	e, _ := testEngine(t, createDefaultConfig().(*Config), consumertest.NewNop())
	in := mixedBatch()
	want := pmetric.NewMetrics()
	in.CopyTo(want)
	out, err := e.processMetrics(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, want.ResourceMetrics().Len()+1, out.ResourceMetrics().Len())
	// The original resources are untouched and come first.
	head := pmetric.NewMetrics()
	for i := 0; i < want.ResourceMetrics().Len(); i++ {
		out.ResourceMetrics().At(i).CopyTo(head.ResourceMetrics().AppendEmpty())
	}
	require.NoError(t, pmetrictest.CompareMetrics(want, head))
	assert.Equal(t, []string{
		"modelmon.rule.value accuracy_low fraud:7 0.735 threshold=0.94",
		"modelmon.rule.value latency_p95_high fraud:7 200 threshold=120",
		"modelmon.alert.active accuracy_low fraud:7 firing",
		"modelmon.alert.active latency_p95_high fraud:7 firing",
	}, healthLines(out))
	res := out.ResourceMetrics().At(want.ResourceMetrics().Len()).Resource().Attributes()
	svc, _ := res.Get("service.name")
	assert.Equal(t, "fraud-api", svc.Str(), "health metrics carry the model's resource")
}

// Models touched in one batch that share a resource share one health
// ResourceMetrics; each model's points still carry its own resource.
func TestHealthMetricsGroupedByResource(t *testing.T) {
	// Health metrics in every batch, so that the repeated batch below emits
	// again at the same time.
	cfg := createDefaultConfig().(*Config)
	cfg.HealthMetricsInterval = 0
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	batch := func() pmetric.Metrics {
		md := buildBatch(t, []string{
			"model.accuracy 0.5 model.name=a model.version=1 r.service.name=x",
			"model.accuracy 0.6 model.name=c model.version=1 r.service.name=y",
		}, t0)
		// A second ResourceMetrics with x's resource, touched after y.
		buildBatch(t, []string{
			"model.accuracy 0.7 model.name=b model.version=1 r.service.name=x",
		}, t0).ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		return md
	}
	byResource := func(out pmetric.Metrics, from int) map[string][]string {
		got := map[string][]string{}
		var order []string
		for i := from; i < out.ResourceMetrics().Len(); i++ {
			one := pmetric.NewMetrics()
			out.ResourceMetrics().At(i).CopyTo(one.ResourceMetrics().AppendEmpty())
			svc, _ := out.ResourceMetrics().At(i).Resource().Attributes().Get("service.name")
			got[svc.Str()] = healthLines(one)
			order = append(order, svc.Str())
		}
		assert.Equal(t, []string{"x", "y"}, order, "one ResourceMetrics per resource, in first-touched order")
		return got
	}
	want := map[string][]string{
		"x": {
			"modelmon.rule.value accuracy_low a:1 0.5 threshold=0.94",
			"modelmon.rule.value accuracy_low b:1 0.7 threshold=0.94",
			"modelmon.alert.active accuracy_low a:1 firing",
			"modelmon.alert.active accuracy_low b:1 firing",
		},
		"y": {
			"modelmon.rule.value accuracy_low c:1 0.6 threshold=0.94",
			"modelmon.alert.active accuracy_low c:1 firing",
		},
	}
	in := batch()
	n := in.ResourceMetrics().Len()
	out, err := e.processMetrics(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, want, byResource(out, n))

	// Resources whose hashes collide are still told apart, and the scratch
	// state of the previous batch does not leak into the next.
	for _, m := range e.allModels() {
		m.resHash = 42
	}
	out, err = e.processMetrics(context.Background(), batch())
	require.NoError(t, err)
	got := byResource(out, n)
	assert.Equal(t, want["y"][1], got["y"][1])
	assert.Equal(t, want["x"][2:], got["x"][2:])
	assert.Len(t, got["x"], 4)
	assert.Len(t, got["y"], 2)
}

func TestOutcomesCounted(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxModels = 2
	core, logs := observer.New(zap.WarnLevel)
	e, tel := testEngine(t, cfg, consumertest.NewNop())
	e.logger = zap.New(core)
	md := buildBatch(t, []string{
		"model.accuracy 0.97 model.name=a model.version=1",
		"model.accuracy 0.97 model.name=a model.version=1 @-10m", // older than the 5m window
		"model.accuracy 1.2 model.name=a model.version=1",        // outside [0,1]
		"model.latency -3 model.name=a model.version=1",          // negative latency
		"model.f1_score NaN model.name=a model.version=1",
		"model.accuracy 0.97 model.version=1", // no model.name
		"model.accuracy 0.97 model.name=b model.version=1",
		"model.accuracy 0.97 model.name=c model.version=1", // third model, limit 2
		"model.accuracy 0.97 model.name=d model.version=1",
		"model.accuracy 0.97 model.name=a model.version=1", // existing models keep working
		"unmapped.metric 1 model.name=a model.version=1",
	}, t0)
	_, err := e.processMetrics(context.Background(), md)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{
		"matched": 3, "late": 1, "invalid_value": 3, "no_model_key": 1, "over_limit": 2,
	}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
	assert.Equal(t, map[string]int64{"": 2}, sumByAttr(t, tel, telemetry.MetricModels, ""))
	assert.Equal(t, 1, logs.FilterMessageSnippet("max_models reached").Len(), "one warning, not one per point")
}

func TestModelKeyLookup(t *testing.T) {
	tests := []struct {
		name  string
		build func(pmetric.ResourceMetrics, pmetric.ScopeMetrics, pmetric.NumberDataPoint)
		want  string
	}{
		{"point", func(_ pmetric.ResourceMetrics, _ pmetric.ScopeMetrics, dp pmetric.NumberDataPoint) {
			dp.Attributes().PutStr("model.name", "p")
			dp.Attributes().PutStr("model.version", "v1")
		}, "p:v1"},
		{"point wins over scope and resource", func(rm pmetric.ResourceMetrics, sm pmetric.ScopeMetrics, dp pmetric.NumberDataPoint) {
			rm.Resource().Attributes().PutStr("model.name", "r")
			sm.Scope().Attributes().PutStr("model.name", "s")
			dp.Attributes().PutStr("model.name", "p")
		}, "p:"},
		{"scope wins over resource", func(rm pmetric.ResourceMetrics, sm pmetric.ScopeMetrics, _ pmetric.NumberDataPoint) {
			rm.Resource().Attributes().PutStr("model.name", "r")
			rm.Resource().Attributes().PutStr("model.version", "rv")
			sm.Scope().Attributes().PutStr("model.name", "s")
		}, "s:rv"},
		{"int values render as strings", func(rm pmetric.ResourceMetrics, _ pmetric.ScopeMetrics, dp pmetric.NumberDataPoint) {
			rm.Resource().Attributes().PutStr("model.name", "r")
			dp.Attributes().PutInt("model.version", 42)
		}, "r:42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := new(consumertest.LogsSink)
			e, _ := testEngine(t, rules(below("r", "accuracy", "last", 0.9)), sink)
			md := pmetric.NewMetrics()
			rm := md.ResourceMetrics().AppendEmpty()
			sm := rm.ScopeMetrics().AppendEmpty()
			m := sm.Metrics().AppendEmpty()
			m.SetName("model.accuracy")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetDoubleValue(0.1)
			tt.build(rm, sm, dp)
			_, err := e.processMetrics(context.Background(), md)
			require.NoError(t, err)
			vs := violations(sink)
			require.Len(t, vs, 1)
			assert.Equal(t, tt.want, vs[0].ModelID())
		})
	}
}

// TestEventGolden compares a firing and a resolved event with the records in
// testdata/events; UPDATE_GOLDEN=1 rewrites them.
func TestEventGolden(t *testing.T) {
	prev := newEventID
	newEventID = func() string { return "00000000-0000-4000-8000-000000000001" }
	t.Cleanup(func() { newEventID = prev })

	r := below("accuracy_low", "accuracy", "last", 0.94)
	r.Severity = "error"
	r.Annotations = map[string]string{
		"summary":     "{{ .State }}: {{ .Model }} accuracy {{ printf \"%.3f\" .Observed }} (threshold {{ .Threshold }})",
		"runbook_url": "https://runbooks.example/accuracy",
	}
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, rules(r), sink)
	for i, line := range []string{
		"model.accuracy 0.812 model.name=fraud-model model.version=v7 r.service.name=fraud-api @-30s",
		"model.accuracy 0.99 model.name=fraud-model model.version=v7 r.service.name=fraud-api @1m",
	} {
		e.clock = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		_, err := e.processMetrics(context.Background(), buildBatch(t, []string{line}, t0))
		require.NoError(t, err)
	}
	require.Len(t, sink.AllLogs(), 2)
	for i, name := range []string{"firing.json", "resolved.json"} {
		t.Run(name, func(t *testing.T) {
			got := sink.AllLogs()[i]
			path := filepath.Join("testdata", "events", name)
			if os.Getenv("UPDATE_GOLDEN") != "" {
				raw, err := (&plog.JSONMarshaler{}).MarshalLogs(got)
				require.NoError(t, err)
				var b bytes.Buffer
				require.NoError(t, json.Indent(&b, raw, "", "  "))
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
			}
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			want, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(want, got))
		})
	}
}

// refusingLogs refuses while failing is set, recording what it accepted.
type refusingLogs struct {
	consumertest.LogsSink
	err error
}

func (r *refusingLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if r.err != nil {
		return r.err
	}
	return r.LogsSink.ConsumeLogs(ctx, ld)
}

func TestOutboxRetriesInOrder(t *testing.T) {
	down := &refusingLogs{err: errors.New("queue full")}
	cfg := rules(below("r", "accuracy", "last", 0.9))
	cfg.MaxPendingEvents = 3
	e, tel := testEngine(t, cfg, down)
	ctx := context.Background()
	send := func(lines ...string) {
		_, err := e.processMetrics(ctx, buildBatch(t, lines, t0))
		require.NoError(t, err)
	}
	send("model.accuracy 0.5 model.name=a model.version=1") // firing a
	send("model.accuracy 0.95 model.name=a model.version=1 @1s", "model.accuracy 0.5 model.name=b model.version=1")
	assert.Equal(t, map[string]int64{"": 3}, sumByAttr(t, tel, telemetry.MetricOutboxLength, ""))
	send("model.accuracy 0.5 model.name=c model.version=1") // does not fit: dropped
	assert.Equal(t, map[string]int64{"": 1}, sumByAttr(t, tel, telemetry.MetricEventsDropped, ""))
	assert.Zero(t, down.LogRecordCount())

	e.tick() // still refusing
	assert.Zero(t, down.LogRecordCount())

	down.err = nil
	e.tick()
	var got []string
	for _, v := range violations(&down.LogsSink) {
		got = append(got, string(v.State)+" "+v.ModelID())
	}
	assert.Equal(t, []string{"firing a:1", "firing b:1", "resolved a:1"}, got, "in data-time order")
	assert.Equal(t, map[string]int64{"": 0}, sumByAttr(t, tel, telemetry.MetricOutboxLength, ""))

	// A permanent refusal drops instead of retrying forever.
	down.err = consumererror.NewPermanent(errors.New("bad record"))
	send("model.accuracy 0.5 model.name=d model.version=1")
	assert.Equal(t, map[string]int64{"": 2}, sumByAttr(t, tel, telemetry.MetricEventsDropped, ""))
	assert.Equal(t, map[string]int64{"": 0}, sumByAttr(t, tel, telemetry.MetricOutboxLength, ""))
	assert.Equal(t, map[string]int64{"firing": 4, "resolved": 1}, sumByAttr(t, tel, telemetry.MetricEvents, "state"))
}

// TestDeliveryContextOutlivesRequest: a cancelled metrics request must not
// reach the logs pipeline.
func TestDeliveryContextOutlivesRequest(t *testing.T) {
	var got context.Context
	next, err := consumer.NewLogs(func(ctx context.Context, _ plog.Logs) error { got = ctx; return ctx.Err() })
	require.NoError(t, err)
	e, _ := testEngine(t, rules(below("r", "accuracy", "last", 0.9)), next)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.processMetrics(ctx, buildBatch(t, []string{"model.accuracy 0.5 model.name=a model.version=1"}, t0))
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.NoError(t, got.Err())
}

func attributeKey(s string) attribute.Key { return attribute.Key(s) }

// TestStalenessMarkerIgnored: a point flagged as having no recorded value
// (the Prometheus receiver's end-of-series marker) is neither counted nor
// windowed, and does not keep a model alive.
func TestStalenessMarkerIgnored(t *testing.T) {
	e, tel := testEngine(t, createDefaultConfig().(*Config), consumertest.NewNop())
	md := buildBatch(t, []string{"model.accuracy 0.1 model.name=a model.version=1"}, t0)
	dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0)
	dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	_, err := e.processMetrics(context.Background(), md)
	require.NoError(t, err)
	assert.Empty(t, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
	assert.Zero(t, e.modelsLen())
}

// TestTwoLogsPipelines: each logs pipeline has its own outbox, so one that
// refuses neither blocks nor duplicates the events of the other; what is
// still waiting at shutdown gets one last attempt.
func TestTwoLogsPipelines(t *testing.T) {
	up := new(consumertest.LogsSink)
	down := &refusingLogs{err: errors.New("unavailable")}
	e, _ := testEngine(t, rules(below("r", "accuracy", "last", 0.9)), up)
	e.addLogsConsumer(down)
	_, err := e.processMetrics(context.Background(), buildBatch(t, []string{"model.accuracy 0.5 model.name=a model.version=1"}, t0))
	require.NoError(t, err)
	e.tick()
	assert.Equal(t, 1, up.LogRecordCount())
	assert.Zero(t, down.LogRecordCount())

	down.err = nil
	require.NoError(t, e.shutdown(context.Background()))
	assert.Equal(t, 1, up.LogRecordCount(), "no duplicate to the pipeline that accepted")
	assert.Equal(t, 1, down.LogRecordCount(), "flushed at shutdown")
}

// TestFutureTimestampRefused: a point stamped further ahead of arrival than
// one window (a producer with a broken clock) is refused as invalid, so the
// correctly stamped points after it still count and the model still alerts.
func TestFutureTimestampRefused(t *testing.T) {
	sink := new(consumertest.LogsSink)
	e, tel := testEngine(t, rules(below("r", "accuracy", "last", 0.9)), sink)
	for _, line := range []string{
		"model.accuracy 0.97 model.name=m model.version=1 @8760h",
		"model.accuracy 0.5 model.name=m model.version=1 @1s",
		"model.accuracy 0.4 model.name=m model.version=1 @4m59s", // within one window of skew: kept
	} {
		_, err := e.processMetrics(context.Background(), buildBatch(t, []string{line}, t0))
		require.NoError(t, err)
	}
	assert.Equal(t, map[string]int64{"invalid_value": 1, "matched": 2},
		sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
	assert.Len(t, violations(sink), 1)
}

func TestResourceCopyBounded(t *testing.T) {
	for _, n := range []int{3, maxResourceAttrs + 50} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			from := pcommon.NewResource()
			for i := 0; i < n; i++ {
				from.Attributes().PutStr("k"+strconv.Itoa(i), "v")
			}
			to := pcommon.NewResource()
			copyResource(from, to)
			assert.Equal(t, min(n, maxResourceAttrs), to.Attributes().Len())
			v, ok := to.Attributes().Get("k0")
			require.True(t, ok)
			assert.Equal(t, "v", v.Str())
		})
	}
}
