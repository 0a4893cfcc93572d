package modelmonprocessor

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// fleetBatch is one export of a fleet: models × (accuracy, f1, drift,
// latency) gauges, each point stamped at ts.
func fleetBatch(models int, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for i := 0; i < models; i++ {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "svc-"+strconv.Itoa(i))
		sm := rm.ScopeMetrics().AppendEmpty()
		for _, name := range []string{"model.accuracy", "model.f1_score", "model.drift_score", "model.latency"} {
			m := sm.Metrics().AppendEmpty()
			m.SetName(name)
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetDoubleValue(0.97)
			if name == "model.latency" {
				dp.SetDoubleValue(42)
			}
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.Attributes().PutStr(modelevent.AttrModelName, "model-"+strconv.Itoa(i))
			dp.Attributes().PutInt(modelevent.AttrModelVersion, 3)
		}
	}
	return md
}

func restamp(md pmetric.Metrics, ts pcommon.Timestamp) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			ms.At(j).Gauge().DataPoints().At(0).SetTimestamp(ts)
		}
	}
}

// BenchmarkConsumeMetrics measures the steady state: known models, matched
// points, healthy values, metrics passed through (health metrics off so the
// batch can be reused).
func BenchmarkConsumeMetrics(b *testing.B) {
	for _, models := range []int{10, 1000} {
		b.Run(strconv.Itoa(models)+"_models", func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.HealthMetrics = false
			e, err := newEngine(cfg, benchSettings())
			require.NoError(b, err)
			md := fleetBatch(models, t0)
			ctx := context.Background()
			now := t0
			e.clock = func() time.Time { return now }
			_, err = e.processMetrics(ctx, md)
			require.NoError(b, err)
			points := md.DataPointCount()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				now = now.Add(time.Second)
				restamp(md, pcommon.NewTimestampFromTime(now))
				if _, err := e.processMetrics(ctx, md); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*points), "ns/point")
		})
	}
}

// TestSteadyStateAllocations pins the hot path: once models and windows
// exist, a batch allocates nothing per data point.
func TestSteadyStateAllocations(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.HealthMetrics = false
	e, err := newEngine(cfg, benchSettings())
	require.NoError(t, err)
	ctx := context.Background()
	now := t0
	e.clock = func() time.Time { return now }
	small, large := fleetBatch(10, t0), fleetBatch(200, t0)
	step := func(md pmetric.Metrics) {
		now = now.Add(time.Second)
		restamp(md, pcommon.NewTimestampFromTime(now))
		_, _ = e.processMetrics(ctx, md)
	}
	// Warm up: create the models and fill the windows past their growth.
	for i := 0; i < 200; i++ {
		step(small)
		step(large)
	}
	a := testing.AllocsPerRun(20, func() { step(small) })
	b := testing.AllocsPerRun(20, func() { step(large) })
	t.Logf("allocations per batch: %v at 40 points, %v at 800 points", a, b)
	require.LessOrEqual(t, b, a+1, "allocations must not grow with the number of points")
}

func benchSettings() processor.Settings {
	return processortest.NewNopSettings(metadata.Type)
}
