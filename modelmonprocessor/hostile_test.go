package modelmonprocessor

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// hostilePoint is one data point of a hostile batch.
type hostilePoint struct {
	metric string
	value  float64
	at     time.Time // zero leaves the timestamp unset
}

// hostileCase sends points, every one carrying the model key that key
// writes, and expects each to be counted under an outcome.
type hostileCase struct {
	name   string
	key    func(pcommon.Map)
	points []hostilePoint
	want   map[string]int64
	// then says whether a later bad accuracy of the same model must fire
	// the rule: the hostile input must not have broken the model.
	then bool
	// modelID is the model the event names when then is set.
	modelID string
}

func stdKey(name, version string) func(pcommon.Map) {
	return func(m pcommon.Map) {
		m.PutStr("model.name", name)
		m.PutStr("model.version", version)
	}
}

func hostileCases() []hostileCase {
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	healthy := func(ts ...time.Time) []hostilePoint {
		out := make([]hostilePoint, len(ts))
		for i, t := range ts {
			out[i] = hostilePoint{metric: "model.accuracy", value: 0.97, at: t}
		}
		return out
	}
	longName := strings.Repeat("n", 100<<10)
	return []hostileCase{
		{name: "NaN", key: stdKey("m", "1"), points: []hostilePoint{{"model.accuracy", math.NaN(), t0}},
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "+Inf", key: stdKey("m", "1"), points: []hostilePoint{{"model.accuracy", math.Inf(1), t0}},
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "-Inf latency", key: stdKey("m", "1"), points: []hostilePoint{{"model.latency", math.Inf(-1), t0}},
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "accuracy 1.5", key: stdKey("m", "1"), points: []hostilePoint{{"model.accuracy", 1.5, t0}},
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "negative latency", key: stdKey("m", "1"), points: []hostilePoint{{"model.latency", -3, t0}},
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "int-typed model.version", key: func(m pcommon.Map) {
			m.PutStr("model.name", "m")
			m.PutInt("model.version", 7)
		}, points: healthy(t0), want: map[string]int64{"matched": 1}, then: true, modelID: "m:7"},
		{name: "empty model.name", key: stdKey("", "1"), points: healthy(t0),
			want: map[string]int64{"matched": 1}, then: true, modelID: ":1"},
		// Key values are interned while a model is tracked: beyond 1 KiB they
		// are refused, or max_models would not bound memory.
		{name: "100 KiB model.name", key: stdKey(longName, "1"), points: healthy(t0),
			want: map[string]int64{"no_model_key": 1}},
		{name: "10,000 attributes", key: func(m pcommon.Map) {
			m.EnsureCapacity(10002)
			for i := 0; i < 10000; i++ {
				m.PutStr("attr."+strconv.Itoa(i), "v")
			}
			stdKey("m", "1")(m)
		}, points: healthy(t0), want: map[string]int64{"matched": 1}, then: true, modelID: "m:1"},
		{name: "duplicate timestamps", key: stdKey("m", "1"), points: healthy(t0, t0, t0),
			want: map[string]int64{"matched": 3}, then: true, modelID: "m:1"},
		{name: "out-of-order timestamps", key: stdKey("m", "1"), points: healthy(t0, at(-10*time.Second), at(-5*time.Second)),
			want: map[string]int64{"matched": 3}, then: true, modelID: "m:1"},
		{name: "older than the window", key: stdKey("m", "1"), points: healthy(t0, at(-time.Hour)),
			want: map[string]int64{"matched": 1, "late": 1}, then: true, modelID: "m:1"},
		{name: "zero timestamp reads as arrival", key: stdKey("m", "1"), points: healthy(time.Time{}),
			want: map[string]int64{"matched": 1}, then: true, modelID: "m:1"},
		// Further ahead of arrival than one window: refused, so that it cannot
		// move the window's floor and blind the model.
		{name: "timestamp 1 year in the future", key: stdKey("m", "1"), points: healthy(at(365 * 24 * time.Hour)),
			want: map[string]int64{"invalid_value": 1}, then: true, modelID: "m:1"},
		{name: "no model key at all", key: func(pcommon.Map) {}, points: healthy(t0),
			want: map[string]int64{"no_model_key": 1}},
	}
}

// hostileBatch builds one gauge metric per point.
func hostileBatch(key func(pcommon.Map), points []hostilePoint) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for _, p := range points {
		m := ms.AppendEmpty()
		m.SetName(p.metric)
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetDoubleValue(p.value)
		if !p.at.IsZero() {
			dp.SetTimestamp(pcommon.NewTimestampFromTime(p.at))
		}
		key(dp.Attributes())
	}
	return md
}

// TestHostileDataPoints: every hostile point is used or counted under an
// outcome, nothing panics, the metrics pass on unchanged, and the model
// still alerts on its next bad value.
func TestHostileDataPoints(t *testing.T) {
	for _, tt := range hostileCases() {
		t.Run(tt.name, func(t *testing.T) {
			cfg := rules(below("r", "accuracy", "last", 0.9), above("lat", "latency", "last", 1000))
			cfg.HealthMetrics = false
			sink := new(consumertest.LogsSink)
			e, tel := testEngine(t, cfg, sink)

			in := hostileBatch(tt.key, tt.points)
			// Compared on the wire: NaN is not equal to itself in pdata.
			want, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(in)
			require.NoError(t, err)
			out, err := e.processMetrics(context.Background(), in)
			require.NoError(t, err)
			got, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(out)
			require.NoError(t, err)
			require.Equal(t, want, got, "metrics pass on unchanged")
			assert.Equal(t, tt.want, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
			assert.Empty(t, violations(sink), "no healthy or refused point fires")
			if !tt.then {
				return
			}

			e.clock = func() time.Time { return t0.Add(time.Second) }
			next := hostileBatch(tt.key, []hostilePoint{{"model.accuracy", 0.5, t0.Add(time.Second)}})
			_, err = e.processMetrics(context.Background(), next)
			require.NoError(t, err)
			vs := violations(sink)
			require.Len(t, vs, 1, "the next bad accuracy fires")
			assert.Equal(t, "r", vs[0].Rule)
			assert.Equal(t, tt.modelID, vs[0].ModelID())
		})
	}
}
