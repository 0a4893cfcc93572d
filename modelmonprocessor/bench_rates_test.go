package modelmonprocessor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// scrapePayload is one scrape of a fleet of inference servers as the
// prometheus receiver delivers it: per model, vLLM's request counter by
// finished_reason and Triton's success, failure and duration counters, all
// cumulative.
func scrapePayload(models int, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	sum := func(name string) pmetric.NumberDataPointSlice {
		m := sm.Metrics().AppendEmpty()
		m.SetName(name)
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		return s.DataPoints()
	}
	vllm := sum("vllm:request_success_total")
	succ, fail, dur := sum("nv_inference_request_success"), sum("nv_inference_request_failure"), sum("nv_inference_request_duration_us")
	for i := 0; i < models; i++ {
		name := "model-" + strconv.Itoa(i)
		for _, reason := range []string{"stop", "length", "abort"} {
			dp := vllm.AppendEmpty()
			dp.Attributes().PutStr("finished_reason", reason)
			dp.Attributes().PutStr("model_name", name)
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(1000)
		}
		for _, s := range []pmetric.NumberDataPointSlice{succ, fail, dur} {
			dp := s.AppendEmpty()
			dp.Attributes().PutStr("model", name)
			dp.Attributes().PutStr("version", "1")
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(1000)
		}
	}
	return md
}

// advance moves a scrape on by one interval: every counter grows and every
// point gets the next timestamp, as the next scrape of a live server would.
func advance(md pmetric.Metrics, step time.Duration) {
	sms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for k := 0; k < sms.Len(); k++ {
		m := sms.At(k)
		if m.Type() != pmetric.MetricTypeSum {
			continue
		}
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			dp.SetTimestamp(dp.Timestamp() + pcommon.Timestamp(step))
			dp.SetDoubleValue(dp.DoubleValue() + 10)
		}
	}
}

// rateFloor walks the scrape's counter points reading value and model
// label: the least any counter-reading implementation does.
func rateFloor(md pmetric.Metrics) (s float64, n int) {
	sms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for k := 0; k < sms.Len(); k++ {
		dps := sms.At(k).Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			s += dp.DoubleValue()
			if _, ok := dp.Attributes().Get("model_name"); ok {
				n++
			} else if _, ok := dp.Attributes().Get("model"); ok {
				n++
			}
		}
	}
	return s, n
}

// BenchmarkRateSignals measures error-rate and ratio signals from scraped
// counters side by side with a floor (walking the same points) and with
// unmatched metrics passing through a processor that has presets, in one
// run. Every case advances the scrape before consuming it (advance is
// measured alone too), since steady state is counters that keep growing.
func BenchmarkRateSignals(b *testing.B) {
	const models = 100
	step := 15 * time.Second
	b.Run("scrape/advance", func(b *testing.B) {
		md := scrapePayload(models, time.Now())
		points := md.DataPointCount()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			advance(md, step)
		}
		reportPerPoint(b, points)
	})
	b.Run("scrape/floor", func(b *testing.B) {
		md := scrapePayload(models, time.Now())
		points := md.DataPointCount()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			advance(md, step)
			s, n := rateFloor(md)
			floorSink += s + float64(n)
		}
		reportPerPoint(b, points)
	})
	for _, c := range []struct{ name, preset string }{{"error_rate", "vllm"}, {"ratio", "triton"}} {
		b.Run("scrape/"+c.name, func(b *testing.B) {
			cfg := benchConfig(models, false)
			cfg.Presets = []string{c.preset}
			cfg.Rules = nil
			if err := cfg.applyPresets(nil, false, false); err != nil {
				b.Fatal(err)
			}
			cfg.Window.Duration = time.Hour
			md := scrapePayload(models, time.Now().Add(-time.Hour))
			points := md.DataPointCount()
			p, _ := benchProcessor(b, cfg, 1)
			ctx := context.Background()
			// Warm up: the first scrape is each series' baseline, then the
			// windows fill to their size.
			for i := 0; i < 2*cfg.Window.Size; i++ {
				advance(md, step)
				if err := p.ConsumeMetrics(ctx, md); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				advance(md, step)
				if err := p.ConsumeMetrics(ctx, md); err != nil {
					b.Fatal(err)
				}
			}
			reportPerPoint(b, points)
		})
	}
	// Unmatched metrics: the testbed payload through the default config and
	// through one with every preset's feeds (a map lookup per metric).
	testbed := benchdata.Testbed(0, time.Now())
	points := testbed.DataPointCount()
	b.Run("testbed/floor_a", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, n := floorA(testbed)
			floorSink += s + float64(n)
		}
		reportPerPoint(b, points)
	})
	for _, c := range []struct {
		name    string
		presets []string
	}{{"passthrough", nil}, {"passthrough_presets", []string{"vllm"}}, {"passthrough_presets_triton", []string{"triton"}}} {
		b.Run("testbed/"+c.name, func(b *testing.B) {
			cfg := benchConfig(1, false)
			cfg.Presets = c.presets
			if err := cfg.applyPresets(nil, false, false); err != nil {
				b.Fatal(err)
			}
			p, _ := benchProcessor(b, cfg, testbed.ResourceMetrics().Len())
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := p.ConsumeMetrics(ctx, testbed); err != nil {
					b.Fatal(err)
				}
			}
			reportPerPoint(b, points)
		})
	}
}
