package modelmonprocessor

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// BenchmarkMemoryPerModelSignalJittered is BenchmarkMemoryPerModelSignal
// (latency as a gauge) with every point's time moved by up to 5 ms of
// nanoseconds, as an SDK stamping its collections with the wall clock sends
// them: a window then stores every sample's time, where on-the-grid times
// (the other benchmark's whole seconds, a regular scrape) cost nothing per
// sample. Run with -benchtime=1x.
func BenchmarkMemoryPerModelSignalJittered(b *testing.B) {
	const models = 2000
	for _, fill := range []int{30, 128} {
		b.Run("latency=gauge/fill="+strconv.Itoa(fill), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rng := rand.New(rand.NewPCG(1, uint64(fill)))
				rounds := make([][]pmetric.Metrics, fill)
				for r := range rounds {
					rounds[r] = fleetRound(models, r, false)
					for _, md := range rounds[r] {
						jitterTimes(md, rng)
					}
				}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				p, s := benchProcessor(b, benchConfig(models, false), rounds[0][0].ResourceMetrics().Len())
				for _, round := range rounds {
					consumeAll(b, p, round)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if got := s.modelsLen(); got != models {
					b.Fatalf("tracking %d models, want %d", got, models)
				}
				runtime.KeepAlive(rounds)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(models*benchdata.PointsPerModel), "B/model-signal")
			}
		})
	}
}

// jitterTimes adds up to 5 ms to the time of every gauge point.
func jitterTimes(md pmetric.Metrics, rng *rand.Rand) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				if ms.At(k).Type() != pmetric.MetricTypeGauge {
					continue
				}
				dps := ms.At(k).Gauge().DataPoints()
				for l := 0; l < dps.Len(); l++ {
					dp := dps.At(l)
					dp.SetTimestamp(dp.Timestamp() + pcommon.Timestamp(rng.Int64N(5_000_000)))
				}
			}
		}
	}
}
