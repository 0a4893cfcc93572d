package modelmonprocessor

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// loadYAML decodes a modelmon config the way the collector does.
func loadYAML(t *testing.T, yaml string) (*Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
	cm, err := confmaptest.LoadConf(path)
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	if err := cm.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, cfg.Validate()
}

func TestPresetConfig(t *testing.T) {
	t.Run("vllm", func(t *testing.T) {
		cfg, err := loadYAML(t, "presets: [vllm]\n")
		require.NoError(t, err)
		assert.Equal(t, []string{"model_name"}, cfg.ModelKey)
		assert.Equal(t, "time_to_first_token", cfg.Signals["vllm:time_to_first_token_seconds"])
		assert.Equal(t, "s", cfg.SignalSpecs["vllm:time_to_first_token_seconds"].Unit)
		assert.Equal(t, "accuracy", cfg.Signals["model.accuracy"], "built-in mappings stay")
		var names []string
		for _, r := range cfg.Rules {
			names = append(names, r.Name)
		}
		assert.Contains(t, names, "error_rate_high")
		assert.Contains(t, names, "time_to_first_token_p95_high")
	})
	t.Run("explicit settings win", func(t *testing.T) {
		cfg, err := loadYAML(t, `
presets: [vllm]
model_key: [model_name, pod]
signals:
  vllm:time_to_first_token_seconds: {signal: ttft, unit: ms}
rules:
  - {name: ttft_slow, signal: ttft, aggregation: p95, above: 500}
`)
		require.NoError(t, err)
		assert.Equal(t, []string{"model_name", "pod"}, cfg.ModelKey)
		assert.Equal(t, "ttft", cfg.Signals["vllm:time_to_first_token_seconds"])
		assert.Equal(t, "ms", cfg.SignalSpecs["vllm:time_to_first_token_seconds"].Unit)
		require.Len(t, cfg.Rules, 1)
		assert.Equal(t, "ttft_slow", cfg.Rules[0].Name)
	})
	t.Run("short and long signal entries", func(t *testing.T) {
		cfg, err := loadYAML(t, `
signals:
  my.latency: latency
  my_requests_total:
    error_rate: {attribute: status, at_least: 500}
rules:
  - {name: errors, signal: error_rate, above: 0.1}
`)
		require.NoError(t, err)
		assert.Equal(t, "latency", cfg.Signals["my.latency"])
		require.NotNil(t, cfg.SignalSpecs["my_requests_total"].ErrorRate)
		assert.InDelta(t, 500, *cfg.SignalSpecs["my_requests_total"].ErrorRate.Failure.AtLeast, 0)
	})
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown preset", "presets: [vllm, sagemaker]\n", `unknown preset "sagemaker" (valid: genai, kserve, tgi, triton, vllm)`},
		{"different keys", "presets: [vllm, triton]\n", "use one modelmon processor per source"},
		{"bad unit", "signals:\n  x: {signal: latency, unit: hours}\n", `unknown unit "hours"`},
		{"error rate without attribute", "signals:\n  x: {error_rate: {values: [abort]}}\nrules: [{name: e, signal: error_rate, above: 0.1}]\n", "error_rate.attribute: required"},
		{"ratio without per", "signals:\n  x: {ratio: {signal: r}}\nrules: [{name: e, signal: r, above: 1}]\n", "ratio.per: at least one"},
		{"percentile of a share", "presets: [vllm]\nrules: [{name: e, signal: error_rate, aggregation: p95, above: 0.1}]\n", "leave it empty (or mean)"},
		{"entry of a wrong type", "signals:\n  x: [a, b]\n", "want a signal name or a map"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(t, tt.yaml)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// counterBatch is one scrape of vLLM's request_success_total: per model,
// the cumulative counts by finished_reason.
func counterBatch(ts time.Time, name string, series map[string]map[string]float64, label, keyAttr string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	s := m.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for model, byLabel := range series {
		for lv, v := range byLabel {
			dp := s.DataPoints().AppendEmpty()
			dp.Attributes().PutStr(keyAttr, model)
			if label != "" {
				dp.Attributes().PutStr(label, lv)
			}
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(v)
		}
	}
	return md
}

func presetEngine(t *testing.T, yaml string) (*engine, *consumertest.LogsSink) {
	t.Helper()
	cfg, err := loadYAML(t, yaml)
	require.NoError(t, err)
	sink := &consumertest.LogsSink{}
	e, _ := testEngine(t, cfg, sink)
	return e, sink
}

func firing(sink *consumertest.LogsSink) map[string]modelevent.Violation {
	out := map[string]modelevent.Violation{}
	for _, ld := range sink.AllLogs() {
		for _, ev := range modelevent.DecodeLogs(ld).Events {
			if ev.State == modelevent.StateFiring {
				out[ev.Rule+"/"+ev.ModelKey[0].Value] = ev.Violation
			}
		}
	}
	return out
}

func TestVLLMErrorRateFromCounters(t *testing.T) {
	e, sink := presetEngine(t, "presets: [vllm]\n")
	ctx := context.Background()
	total := map[string]map[string]float64{
		"llama": {"stop": 1000, "length": 100, "abort": 3},
		"qwen":  {"stop": 1000, "length": 100, "abort": 3},
	}
	for i := 0; i < 6; i++ {
		ts := t0.Add(time.Duration(i) * 10 * time.Second)
		e.clock = func() time.Time { return ts }
		md := counterBatch(ts, "vllm:request_success_total", total, "finished_reason", "model_name")
		want := pmetric.NewMetrics()
		md.CopyTo(want)
		out, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
		assert.Equal(t, want.MetricCount(), out.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().Len(), "the counter passes through")
		total["llama"]["stop"] += 20
		total["llama"]["abort"] += 5 // 5 of 25 requests fail: 0.2
		total["qwen"]["stop"] += 25
	}
	got := firing(sink)
	ev, ok := got["error_rate_high/llama"]
	require.True(t, ok, "llama's error rate fires: %v", got)
	assert.InDelta(t, 0.2, ev.Observed, 1e-9)
	assert.Equal(t, "error_rate", ev.Signal)
	assert.Equal(t, int64(25), ev.WindowSamples, "samples are requests: it fires on the first scrape with 20 or more")
	assert.NotContains(t, got, "error_rate_high/qwen", "a healthy model stays quiet, and lifetime totals never enter the window")
}

func TestTritonRatiosAcrossResets(t *testing.T) {
	e, sink := presetEngine(t, "presets: [triton]\nwindow: {duration: 1m}\n")
	ctx := context.Background()
	success, failure, durUs := 1e6, 10.0, 1e6*2000.0 // 2 ms per request so far
	for i := 0; i < 8; i++ {
		ts := t0.Add(time.Duration(i) * 5 * time.Second)
		e.clock = func() time.Time { return ts }
		md := pmetric.NewMetrics()
		for _, s := range []struct {
			name string
			v    float64
		}{{"nv_inference_request_success", success}, {"nv_inference_request_failure", failure}, {"nv_inference_request_duration_us", durUs}} {
			one := counterBatch(ts, s.name, map[string]map[string]float64{"resnet": {"": s.v}}, "", "model")
			one.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes().PutStr("version", "1")
			one.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		}
		_, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
		if i == 3 {
			// The server restarts: every counter starts again from zero.
			success, failure, durUs = 0, 0, 0
		}
		success += 100
		failure += 10             // 10 of 110 fail
		durUs += 100 * 800 * 1000 // 800 ms per successful request
	}
	got := firing(sink)
	lat, ok := got["request_duration_mean_high/resnet"]
	require.True(t, ok, "mean latency fires: %v", got)
	assert.InDelta(t, 800, lat.Observed, 1e-6, "microsecond totals over requests, in ms")
	er, ok := got["error_rate_high/resnet"]
	require.True(t, ok)
	assert.InDelta(t, 10.0/110, er.Observed, 1e-9)
	assert.Equal(t, "1", lat.ModelKey[1].Value)
}

// genaiBatch is one export of an SDK-instrumented LLM service: cumulative
// histograms in seconds, failures as points with error.type.
func genaiBatch(ts, start time.Time, model string, okCount, errCount uint64, ttft float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	bounds := []float64{0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10}
	bucketOf := func(v float64) int {
		for i, b := range bounds {
			if v <= b {
				return i
			}
		}
		return len(bounds)
	}
	add := func(name string, n uint64, v float64, errType string) {
		var m pmetric.Metric
		for i := 0; i < sm.Metrics().Len(); i++ {
			if sm.Metrics().At(i).Name() == name {
				m = sm.Metrics().At(i)
			}
		}
		if m == (pmetric.Metric{}) {
			m = sm.Metrics().AppendEmpty()
			m.SetName(name)
			m.SetUnit("s")
			m.SetEmptyHistogram().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		}
		dp := m.Histogram().DataPoints().AppendEmpty()
		dp.Attributes().PutStr("gen_ai.request.model", model)
		dp.Attributes().PutStr("gen_ai.provider.name", "openai")
		dp.Attributes().PutStr("gen_ai.operation.name", "chat")
		if errType != "" {
			dp.Attributes().PutStr("error.type", errType)
		}
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.ExplicitBounds().FromRaw(bounds)
		counts := make([]uint64, len(bounds)+1)
		counts[bucketOf(v)] = n
		dp.BucketCounts().FromRaw(counts)
		dp.SetCount(n)
		dp.SetSum(float64(n) * v)
	}
	add("gen_ai.server.request.duration", okCount, 1.5, "")
	if errCount > 0 {
		add("gen_ai.server.request.duration", errCount, 0.2, "timeout")
	}
	add("gen_ai.server.time_to_first_token", okCount, ttft, "")
	return md
}

func TestGenAIErrorRateAndTTFT(t *testing.T) {
	e, sink := presetEngine(t, "presets: [genai]\n")
	ctx := context.Background()
	start := t0.Add(-time.Second)
	for i := 1; i <= 6; i++ {
		ts := t0.Add(time.Duration(i) * 10 * time.Second)
		e.clock = func() time.Time { return ts }
		n := uint64(i)
		for _, md := range []pmetric.Metrics{
			genaiBatch(ts, start, "gpt-slow", 10*n, 3*n, 4), // TTFT 4 s, 3 of 13 fail
			genaiBatch(ts, start, "gpt-fine", 10*n, 0, 0.3),
		} {
			_, err := e.processMetrics(ctx, md)
			require.NoError(t, err)
		}
	}
	got := firing(sink)
	ttft, ok := got["time_to_first_token_p95_high/gpt-slow"]
	require.True(t, ok, "%v", got)
	assert.Greater(t, ttft.Observed, 2000.0, "seconds scaled to ms")
	er, ok := got["error_rate_high/gpt-slow"]
	require.True(t, ok)
	assert.InDelta(t, 3.0/13, er.Observed, 1e-9)
	assert.Equal(t, "openai", er.ModelKey[1].Value, "the provider is in the key")
	for k := range got {
		assert.NotContains(t, k, "gpt-fine")
	}
}

func TestRateSignalsHostileInput(t *testing.T) {
	cfg, err := loadYAML(t, "presets: [vllm]\n")
	require.NoError(t, err)
	e, tel := testEngine(t, cfg, nil)
	ctx := context.Background()
	total, nans := 0, 0
	for i := 0; i < 5; i++ {
		ts := t0.Add(time.Duration(i) * time.Second)
		e.clock = func() time.Time { return ts }
		series := map[string]map[string]float64{"m": {}}
		for j := 0; j < 10000; j++ {
			// A label with 10k values, every one a failure, counters going
			// backwards, NaN.
			v := float64(1000 - i*100)
			if j%7 == 0 {
				v = math.NaN()
				nans++
			}
			series["m"]["abort-"+strconv.Itoa(j)] = v
		}
		md := counterBatch(ts, "vllm:request_success_total", series, "finished_reason", "model_name")
		pts := md.DataPointCount()
		total += pts
		out, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
		assert.Equal(t, pts, out.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().Len())
	}
	m := e.allModels()[0]
	slot := e.inputs.rateSlot(e.signals.index("error_rate"))
	assert.LessOrEqual(t, m.rates[slot].streams.Len(), maxRateStreams)
	assert.LessOrEqual(t, m.rates[slot].win.Len(), e.cfg.Window.Size)

	// Every point is counted once: NaN as invalid_value, series past the
	// bound as over_limit, the rest as matched or late.
	got := sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome")
	t.Logf("%v of %d points", got, total)
	assert.Equal(t, int64(nans), got["invalid_value"])
	assert.Positive(t, got["over_limit"])
	var sum int64
	for _, n := range got {
		sum += n
	}
	assert.Equal(t, int64(total), sum)
}

// TestREADMEPresetsExample keeps the README's presets example valid.
func TestREADMEPresetsExample(t *testing.T) {
	cfg := readmeConfig(t, "## Presets, error rates and ratios", "modelmon/vllm")
	assert.Equal(t, "s", cfg.SignalSpecs["my_service_request_seconds"].Unit)
	require.Len(t, cfg.Rules, 2)
}

// TestRateSignalsAllocatePerBatchNotPerPoint: in steady state the
// allocations of a scrape do not grow with its points (error rates and
// ratios add none per point).
func TestRateSignalsAllocatePerBatchNotPerPoint(t *testing.T) {
	allocs := func(preset string, models int) float64 {
		cfg, err := loadYAML(t, "presets: ["+preset+"]\nhealth_metrics: false\nwindow: {duration: 1h}\n")
		require.NoError(t, err)
		e, _ := testEngine(t, cfg, nil)
		md := scrapePayload(models, t0)
		ctx := context.Background()
		now := t0
		step := func() {
			advance(md, 15*time.Second)
			now = now.Add(15 * time.Second)
			_, _ = e.processMetrics(ctx, md)
		}
		e.clock = func() time.Time { return now }
		for i := 0; i < 2*cfg.Window.Size; i++ {
			step()
		}
		return testing.AllocsPerRun(50, step)
	}
	for _, preset := range []string{"vllm", "triton"} {
		small, large := allocs(preset, 10), allocs(preset, 300)
		assert.Equal(t, small, large, "%s: %v allocations per batch of 60 points, %v per batch of 1800", preset, small, large)
		assert.LessOrEqual(t, large, 10.0, preset)
	}
}

// TestEveryPresetValidates loads each preset alone, as an example config would.
func TestEveryPresetValidates(t *testing.T) {
	for _, name := range []string{"genai", "vllm", "triton", "kserve", "tgi"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := loadYAML(t, "presets: ["+name+"]\n")
			require.NoError(t, err)
			e, _ := testEngine(t, cfg, nil)
			assert.NotEmpty(t, e.rules)
		})
	}
}

// TestGenAIHostileHistograms: NaN sums, a failure marker on every point and
// 10k distinct label values outside the model key are counted and bounded;
// the metrics pass through.
func TestGenAIHostileHistograms(t *testing.T) {
	e, sink := presetEngine(t, "presets: [genai]\n")
	ctx := context.Background()
	start := t0.Add(-time.Second)
	for i := 1; i <= 4; i++ {
		ts := t0.Add(time.Duration(i) * time.Second)
		e.clock = func() time.Time { return ts }
		md := genaiBatch(ts, start, "m", uint64(10*i), uint64(10*i), 0.2)
		dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints()
		for j := 0; j < 10000; j++ {
			dp := dps.AppendEmpty()
			dps.At(1).CopyTo(dp)
			dp.Attributes().PutStr("server.address", "host-"+strconv.Itoa(j))
			if j%2 == 0 {
				dp.SetSum(math.NaN())
			}
		}
		pts := md.DataPointCount()
		out, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
		assert.Equal(t, pts, out.DataPointCount()-healthPoints(out))
	}
	m := e.allModels()[0]
	slot := e.inputs.rateSlot(e.signals.index("error_rate"))
	assert.LessOrEqual(t, m.rates[slot].streams.Len(), maxRateStreams)
	ev, ok := firing(sink)["error_rate_high/m"]
	require.True(t, ok, "failures on (nearly) every point: the share is near 1")
	assert.Greater(t, ev.Observed, 0.5)
}

// healthPoints counts the modelmon.* health points appended to a batch.
func healthPoints(md pmetric.Metrics) int {
	n := 0
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				if strings.HasPrefix(ms.At(k).Name(), "modelmon.") {
					n += ms.At(k).Gauge().DataPoints().Len()
				}
			}
		}
	}
	return n
}

// TestRatioEvaluatedOnWholeScrape: a scrape's duration total arrives before
// its request count; the ratio is judged once both are in, never on the
// numerator alone (which would read as twice the latency here).
func TestRatioEvaluatedOnWholeScrape(t *testing.T) {
	e, sink := presetEngine(t, `
presets: [triton]
rules: [{name: slow, signal: request_duration, above: 15}]
`)
	ctx := context.Background()
	success, durUs := 0.0, 0.0
	for i := 0; i < 5; i++ {
		ts := t0.Add(time.Duration(i) * 15 * time.Second)
		e.clock = func() time.Time { return ts }
		md := pmetric.NewMetrics()
		for _, s := range []struct {
			name string
			v    float64
		}{{"nv_inference_request_duration_us", durUs}, {"nv_inference_request_success", success}} {
			one := counterBatch(ts, s.name, map[string]map[string]float64{"bert": {"": s.v}}, "", "model")
			one.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		}
		_, err := e.processMetrics(ctx, md)
		require.NoError(t, err)
		success += 100
		durUs += 100 * 10 * 1000 // 10 ms per request
	}
	assert.Empty(t, firing(sink), "10 ms per request never crosses 15 ms")
	m := e.allModels()[0]
	v, n, _, _, ok := e.aggregate(m, e.signals.index("request_duration"), 0)
	require.True(t, ok)
	assert.InDelta(t, 10, v, 1e-9)
	assert.Equal(t, 400, n)
}
