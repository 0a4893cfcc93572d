package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// driftConfig is the drift interface as operators write it (feature
// histograms per feature, prediction histograms per version), with the
// events going to the test's log sink, and the status page on (the test
// adds the modelmon_status extension's endpoint).
const driftConfig = `
processors:
  modelmon:
    window:
      size: 16
      duration: 10m
    evaluation_interval: 250ms
    signals:
      model.feature.value: feature_value
      model.prediction.score: prediction_score
    rules:
      - name: feature_drift
        signal: feature_value
        aggregation: jensen_shannon
        group_by: [feature.name]
        reference: learned
        min_samples: 16
        above: 0.1
      - name: income_vs_training
        signal: feature_value
        aggregation: psi
        group_by: [feature.name]
        reference: pinned
        reference_distribution:
          bounds: [10, 20, 30, 40]
          proportions: [0.1, 0.2, 0.4, 0.2, 0.1]
        above: 0.2
      - name: canary_predictions
        signal: prediction_score
        aggregation: jensen_shannon
        reference: previous_version
        above: 0.1
exporters:
  debug:
    verbosity: basic
  otlp_http/events:
    endpoint: {{.SinkURL}}
    compression: none
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
service:
  extensions: [health_check, modelmon_status]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [otlp_http/events]
`

// histSeries is one cumulative histogram stream as an SDK exports it: the
// totals since start, for one model version and feature.
type histSeries struct {
	metric, version, feature string
	totals                   []uint64
}

var driftBounds = []float64{10, 20, 30, 40}

// observe adds n draws of a normal(mean, sd) to the series' totals.
func (s *histSeries) observe(rng *rand.Rand, n int, mean, sd float64) {
	if s.totals == nil {
		s.totals = make([]uint64, len(driftBounds)+1)
	}
	for range n {
		i, _ := slices.BinarySearch(driftBounds, mean+sd*rng.NormFloat64())
		s.totals[i]++
	}
}

// sendSeries posts one export of the series, stamped at ts, over OTLP/HTTP
// protobuf: cumulative explicit-bucket histograms as the OTel SDKs send them.
func sendSeries(t *testing.T, c *collector, start, ts time.Time, series []*histSeries) {
	t.Helper()
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "fraud-api")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	byMetric := map[string]pmetric.HistogramDataPointSlice{}
	for _, s := range series {
		dps, ok := byMetric[s.metric]
		if !ok {
			m := ms.AppendEmpty()
			m.SetName(s.metric)
			h := m.SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dps = h.DataPoints()
			byMetric[s.metric] = dps
		}
		dp := dps.AppendEmpty()
		dp.SetStartTimestamp(pcommonTime(start))
		dp.SetTimestamp(pcommonTime(ts))
		dp.Attributes().PutStr("model.name", "fraud")
		dp.Attributes().PutStr("model.version", s.version)
		if s.feature != "" {
			dp.Attributes().PutStr("feature.name", s.feature)
		}
		dp.ExplicitBounds().FromRaw(driftBounds)
		dp.BucketCounts().FromRaw(s.totals)
		var n uint64
		for _, c := range s.totals {
			n += c
		}
		dp.SetCount(n)
		dp.SetSum(25 * float64(n))
	}
	body, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
	require.NoError(t, err)
	code, answer := postOTLP(t, c, "application/x-protobuf", body)
	require.Equal(t, http.StatusOK, code, answer)
}

// TestDriftThroughDistro: a service exports feature histograms of fraud:v1
// and its prediction scores; income's distribution moves, then v2 rolls out
// beside v1 with different predictions. The built distro fires
// feature_drift and income_vs_training for income only, and
// canary_predictions for v2 against v1.
func TestDriftThroughDistro(t *testing.T) {
	sink := newLogSink(t)
	c := newCollector(t, driftConfig, map[string]any{"SinkURL": sink.srv.URL})
	port := freePort(t)
	raw, err := os.ReadFile(filepath.Join(c.Dir, "config.yaml"))
	require.NoError(t, err)
	raw = bytes.Replace(raw, []byte("extensions:\n"), []byte(fmt.Sprintf("extensions:\n  modelmon_status:\n    endpoint: 127.0.0.1:%d\n", port)), 1)
	require.NoError(t, os.WriteFile(filepath.Join(c.Dir, "config.yaml"), raw, 0o600))
	c.start()

	rng := rand.New(rand.NewPCG(13, 13))
	age := &histSeries{metric: "model.feature.value", version: "v1", feature: "age"}
	income := &histSeries{metric: "model.feature.value", version: "v1", feature: "income"}
	pred1 := &histSeries{metric: "model.prediction.score", version: "v1"}
	pred2 := &histSeries{metric: "model.prediction.score", version: "v2"}
	start := time.Now().Add(-3 * time.Minute).Truncate(time.Second)
	const steps = 90
	for i := range steps {
		ts := start.Add(time.Duration(i+1) * time.Second)
		shift := 0.0
		if i >= 40 {
			shift = 15 // income moves by 1.5σ
		}
		age.observe(rng, 50, 25, 10)
		income.observe(rng, 50, 25+shift, 10)
		pred1.observe(rng, 50, 20, 8)
		series := []*histSeries{age, income, pred1}
		if i >= 50 {
			pred2.observe(rng, 50, 32, 8) // the new version scores higher
			series = append(series, pred2)
		}
		sendSeries(t, c, start, ts, series)
	}

	var drifted, pinned, canary receivedEvent
	require.Eventually(t, func() bool {
		f := sink.find(ruleState("feature_drift", modelevent.StateFiring))
		p := sink.find(ruleState("income_vs_training", modelevent.StateFiring))
		k := sink.find(ruleState("canary_predictions", modelevent.StateFiring))
		if len(f) == 0 || len(p) == 0 || len(k) == 0 {
			return false
		}
		drifted, pinned, canary = f[0], p[0], k[0]
		return true
	}, 30*time.Second, 50*time.Millisecond, "drift rules did not fire: %v", func() []receivedEvent { e, _ := sink.all(); return e }())

	t.Run("feature_drift", func(t *testing.T) {
		v := drifted.V
		assert.Equal(t, []modelevent.Attribute{{Key: "feature.name", Value: "income"}}, v.Group)
		assert.Equal(t, "income", drifted.Record.Attributes().AsRaw()["feature.name"])
		assert.Equal(t, modelevent.KindDrift, v.Kind)
		assert.Equal(t, "jensen_shannon", v.Aggregation)
		assert.Greater(t, v.Observed, 0.1)
		assert.Equal(t, modelevent.AlertID("feature_drift", v.ModelKey, v.Group...), v.AlertID)
		require.NotNil(t, v.Drift)
		assert.Equal(t, "learned", v.Drift.Reference)
		assert.Len(t, v.Drift.Buckets, 3)
		assert.Equal(t, "fraud-api", drifted.Resource["service.name"])
		assert.False(t, v.Time.Before(start.Add(41*time.Second)), "not before the shift: %s", v.Time)
	})
	t.Run("income_vs_training", func(t *testing.T) {
		v := pinned.V
		assert.Equal(t, "income", v.Group[0].Value)
		assert.Equal(t, "psi", v.Aggregation)
		assert.Equal(t, "pinned", v.Drift.Reference)
	})
	t.Run("canary_predictions", func(t *testing.T) {
		v := canary.V
		assert.Equal(t, "v2", v.ModelKeyValue(modelevent.AttrModelVersion))
		assert.Equal(t, "previous_version", v.Drift.Reference)
		assert.Equal(t, "v1", v.Drift.ReferenceVersion)
		assert.Empty(t, v.Group)
	})
	t.Run("status page", func(t *testing.T) {
		// The model's API answer holds each drift group with its bars: the
		// firing income group of feature_drift on the histograms' grid.
		type group struct {
			Rule, State string
			Group       map[string]string
			Distance    float64
			Buckets     []struct{ Lower, Upper string }
		}
		var income group
		require.Eventually(t, func() bool {
			var r struct {
				Data struct {
					Processors []struct {
						Models []struct{ Drift []group }
					}
				}
			}
			if !getJSON("http://127.0.0.1:"+strconv.Itoa(port)+"/api/v1/models/fraud:v1", &r) || len(r.Data.Processors) == 0 {
				return false
			}
			for _, g := range r.Data.Processors[0].Models[0].Drift {
				if g.Rule == "feature_drift" && g.Group["feature.name"] == "income" && g.State == "firing" {
					income = g
					return true
				}
			}
			return false
		}, 10*time.Second, 50*time.Millisecond)
		assert.Greater(t, income.Distance, 0.1)
		require.Len(t, income.Buckets, len(driftBounds)+1)
		assert.Equal(t, "-Inf", income.Buckets[0].Lower)
		assert.Equal(t, "10", income.Buckets[0].Upper)
		assert.Equal(t, "+Inf", income.Buckets[len(driftBounds)].Upper)
	})
	t.Run("stable features stay quiet", func(t *testing.T) {
		all, invalid := sink.all()
		assert.Empty(t, invalid)
		for _, e := range all {
			for _, g := range e.V.Group {
				assert.NotEqual(t, "age", g.Value, "age never moved: %s", e.V.DefaultSummary())
			}
			if e.V.Rule == "canary_predictions" {
				assert.Equal(t, "v2", e.V.ModelKeyValue(modelevent.AttrModelVersion), "v1 has no previous version to compare with")
			}
		}
	})
}

// driftDemoConfig holds the drift rules of cmd/modelmon-demo/drift.yaml,
// with the events going to the test's log sink.
const driftDemoConfig = `
processors:
  modelmon:
    window:
      size: 128
      duration: 10m
    evaluation_interval: 250ms
    signals:
      model.feature.value: feature_value
      model.prediction.score: prediction_score
    rules:
      - name: feature_drift
        signal: feature_value
        aggregation: jensen_shannon
        group_by: [feature.name]
        min_samples: 16
        above: 0.1
      - name: canary_predictions
        signal: prediction_score
        aggregation: jensen_shannon
        reference: previous_version
        above: 0.1
exporters:
  debug:
    verbosity: basic
  otlp_http/events:
    endpoint: {{.SinkURL}}
    compression: none
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [otlp_http/events]
`

// TestDemoDistributions runs the demo fleet's distributions scenario (the
// OTel Go SDK exporting feature and prediction histograms) against the
// distro: fraud-model's income feature drifts, churn-model rolls out v4
// beside v3 with higher scores.
func TestDemoDistributions(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "modelmon-demo")
	build := exec.Command("go", "build", "-o", demo, "./cmd/modelmon-demo")
	build.Dir = repoRoot
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	sink := newLogSink(t)
	c := newCollector(t, driftDemoConfig, map[string]any{"SinkURL": sink.srv.URL})
	c.start()
	fleet := newProcess(t, "fleet", demo, dir, "-endpoint", "127.0.0.1:"+strconv.Itoa(c.Ports.GRPC),
		"-scenario", "distributions", "-phase", "5s", "-models", "2", "-rate", "5", "-live", "off", "-duration", "2m")
	fleet.start()

	var drifted, canary []receivedEvent
	require.Eventually(t, func() bool {
		drifted = sink.find(ruleState("feature_drift", modelevent.StateFiring))
		canary = sink.find(ruleState("canary_predictions", modelevent.StateFiring))
		return len(drifted) > 0 && len(canary) > 0
	}, 60*time.Second, 200*time.Millisecond, "no feature_drift and canary_predictions alerts")
	fleet.stop()

	for _, e := range drifted {
		assert.Equal(t, "fraud-model", e.V.ModelKeyValue(modelevent.AttrModelName))
		assert.Equal(t, []modelevent.Attribute{{Key: "feature.name", Value: "income"}}, e.V.Group, "only income moved")
	}
	v := canary[0].V
	assert.Equal(t, "churn-model", v.ModelKeyValue(modelevent.AttrModelName))
	assert.Equal(t, "v4", v.ModelKeyValue(modelevent.AttrModelVersion))
	assert.Equal(t, "v3", v.Drift.ReferenceVersion)
	assert.Equal(t, "churn-api", canary[0].Resource["service.name"])
}

// TestDemoDriftOverlayValidates: `DEMO_SCENARIO=distributions make demo`
// starts the distro with this overlay on the default config.
func TestDemoDriftOverlayValidates(t *testing.T) {
	cmd := exec.Command(distroPath, "validate", "--config", "otelcol-config.yaml", "--config", "cmd/modelmon-demo/drift.yaml")
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
