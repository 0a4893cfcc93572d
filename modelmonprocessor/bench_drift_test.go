package modelmonprocessor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
)

// featureBatch is one export of models × features delta histograms of 16
// buckets (15 bounds), as a service exporting each feature's values sends.
func featureBatch(models, features int, ts time.Time) pmetric.Metrics {
	bounds := make([]float64, 15)
	for i := range bounds {
		bounds[i] = float64(5 * i)
	}
	md := pmetric.NewMetrics()
	for mi := range models {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "inference-"+strconv.Itoa(mi))
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("model.feature.value")
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		for f := range features {
			dp := h.DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.Attributes().PutStr("model.name", "model-"+strconv.Itoa(mi))
			dp.Attributes().PutStr("model.version", "1")
			dp.Attributes().PutStr("feature.name", "feature-"+strconv.Itoa(f))
			dp.ExplicitBounds().FromRaw(bounds)
			var n uint64
			for b := range 16 {
				c := uint64(1 + (b*7+f+mi)%9)
				dp.BucketCounts().Append(c)
				n += c
			}
			dp.SetCount(n)
			dp.SetSum(float64(n) * 30)
		}
	}
	return md
}

// BenchmarkDriftPerPoint measures, in one run, the cost per histogram point
// of a signal read by a mean rule only (the histogram path as before drift
// rules existed) and with one drift rule per distance added: the difference
// is what one drift rule costs per evaluation (window update, distance over
// 16 buckets, lifecycle), since a drift rule evaluates at every point.
func BenchmarkDriftPerPoint(b *testing.B) {
	const models, features = 100, 8
	md := featureBatch(models, features, time.Unix(1_700_000_000, 0))
	points := md.DataPointCount()
	mean := RuleConfig{Name: "feature_mean", Signal: "feature_value", Aggregation: "mean", Above: ptr(1e9)}
	cases := []struct {
		name  string
		rules []RuleConfig
	}{{name: "mean_only", rules: []RuleConfig{mean}}}
	for _, d := range []drift.Distance{drift.JensenShannon, drift.PSI, drift.Wasserstein} {
		cases = append(cases, struct {
			name  string
			rules []RuleConfig
		}{name: "mean+" + d.String(), rules: []RuleConfig{mean, {Name: "feature_drift", Signal: "feature_value",
			Aggregation: d.String(), Above: ptr(1e9), ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"feature.name"}}}}})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cfg := benchConfig(models, false)
			cfg.Rules = c.rules
			cfg.Signals["model.feature.value"] = "feature_value"
			cfg.Window.Size = 16
			p, se := benchProcessor(b, cfg, md.ResourceMetrics().Len())
			// Fill the windows and learn the references: every timed point
			// then evaluates a full window against a reference.
			for range 20 {
				consumeAll(b, p, []pmetric.Metrics{md})
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				if err := p.ConsumeMetrics(ctx, md); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b, points)
			reportPerPoint(b, points)
			if n, bytes := groupMemory(se.engine); n > 0 {
				b.ReportMetric(float64(bytes)/float64(n), "B/group")
			}
		})
	}
}

// groupMemory sums the heap memory of every drift group's window and
// reference.
func groupMemory(e *engine) (groups, bytes int) {
	models := e.allModels()
	e.lockAll()
	defer e.unlockAll()
	for _, m := range models {
		if m.drift == nil {
			continue
		}
		for _, st := range m.drift.rules {
			for _, g := range st.order {
				groups++
				bytes += g.win.MemSize() + g.learned.MemSize()
			}
		}
	}
	return groups, bytes
}
