package modelmonprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// featureBounds are the explicit bounds the drift tests' histograms use.
var featureBounds = []float64{10, 20, 30, 40}

// featPoint is one delta histogram point of a feature of a model version.
type featPoint struct {
	model, version, feature string
	metric                  string
	t                       time.Time
	bounds                  []float64
	counts                  []uint64
}

// observe buckets n draws of a normal(mean, sd) into featureBounds.
func observe(rng *rand.Rand, n int, mean, sd float64) []uint64 {
	counts := make([]uint64, len(featureBounds)+1)
	for range n {
		v := mean + sd*rng.NormFloat64()
		i, _ := slices.BinarySearch(featureBounds, v)
		counts[i]++
	}
	return counts
}

// featBatch builds one request, one delta histogram metric per point.
func featBatch(points []featPoint) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for _, p := range points {
		m := ms.AppendEmpty()
		m.SetName(p.metric)
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		dp := h.DataPoints().AppendEmpty()
		setFeatPoint(dp, p)
	}
	return md
}

func setFeatPoint(dp pmetric.HistogramDataPoint, p featPoint) {
	dp.SetTimestamp(pcommon.NewTimestampFromTime(p.t))
	dp.Attributes().PutStr("model.name", p.model)
	dp.Attributes().PutStr("model.version", p.version)
	if p.feature != "" {
		dp.Attributes().PutStr("feature.name", p.feature)
	}
	bounds := p.bounds
	if bounds == nil {
		bounds = featureBounds
	}
	dp.ExplicitBounds().FromRaw(bounds)
	dp.BucketCounts().FromRaw(p.counts)
	var n uint64
	var sum float64
	for i, c := range p.counts {
		n += c
		if i < len(bounds) {
			sum += float64(c) * bounds[i]
		}
	}
	dp.SetCount(n)
	dp.SetSum(sum)
}

// driftConfig maps the feature and prediction histograms to signals and
// sets the given rules, with windows of 16 points.
func driftConfig(rs ...RuleConfig) *Config {
	cfg := rules(rs...)
	cfg.Signals["model.feature.value"] = "feature_value"
	cfg.Signals["model.prediction.score"] = "prediction_score"
	cfg.Window.Size = 16
	cfg.Window.Duration = time.Hour
	cfg.HealthMetrics = false
	return cfg
}

// driftStreams: model fraud:v1 reports features age and income once a
// second, 50 observations each; income's mean moves by 1.5σ for points
// 60–119 and then comes back.
func driftStreams(seed uint64) []featPoint {
	rng := rand.New(rand.NewPCG(seed, 2))
	var out []featPoint
	for i := range 200 {
		ts := t0.Add(time.Duration(i) * time.Second)
		shift := 0.0
		if i >= 60 && i < 120 {
			shift = 12
		}
		out = append(out,
			featPoint{model: "fraud", version: "v1", feature: "age", metric: "model.feature.value", t: ts, counts: observe(rng, 50, 25, 8)},
			featPoint{model: "fraud", version: "v1", feature: "income", metric: "model.feature.value", t: ts, counts: observe(rng, 50, 25+shift, 8)})
	}
	return out
}

// sendHist sends the points in requests of size points, each arriving at
// its newest point's time, with a tick after each.
func sendHist(t *testing.T, e *engine, points []featPoint, size int) {
	t.Helper()
	for i := 0; i < len(points); i += size {
		chunk := points[i:min(i+size, len(points))]
		arrival := chunk[len(chunk)-1].t
		e.clock = func() time.Time { return arrival }
		_, err := e.processMetrics(context.Background(), featBatch(chunk))
		require.NoError(t, err)
		e.tick()
	}
}

// driftEventKey renders what must not change with batching.
func driftEventKey(v modelevent.Violation) string {
	var g []string
	for _, a := range v.Group {
		g = append(g, a.Key+"="+a.Value)
	}
	ref := ""
	if v.Drift != nil {
		ref = v.Drift.Reference + "/" + v.Drift.ReferenceVersion + " " + strings.Join(v.Drift.Buckets, "; ")
	}
	return fmt.Sprintf("%s %s %s [%s] %s %s observed=%.12g samples=%d started=%s %s %s", offset(v.Time), v.ModelID(), v.Rule,
		strings.Join(g, ","), v.State, v.AlertID, v.Observed, v.WindowSamples, offset(v.StartedAt), ref, v.ResolvedReason)
}

func driftEvents(sink *consumertest.LogsSink) []string {
	var out []string
	for _, v := range violations(sink) {
		out = append(out, driftEventKey(v))
	}
	return out
}

func pcommonTime(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }
