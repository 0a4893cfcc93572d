package modelmonprocessor

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// fleetRound returns the batches of one round over a fleet of models, 100
// models (700 points) per batch.
func fleetRound(models int, round int, hist bool) []pmetric.Metrics {
	const perBatch = 100
	ts := time.Unix(1_700_000_000, 0).Add(time.Duration(round) * time.Second)
	out := make([]pmetric.Metrics, 0, (models+perBatch-1)/perBatch)
	for first := 0; first < models; first += perBatch {
		out = append(out, benchdata.Fleet(benchdata.FleetOptions{
			First: first, Count: min(perBatch, models-first), Models: models,
			LatencyHistogram: hist, Round: round, Time: ts,
		}))
	}
	return out
}

// BenchmarkModels is the curve of cost per point against the number of
// tracked models. One op is one round over the whole fleet, so run it with
// a fixed count (-benchtime=3x): every size then sees the same window
// fill, and only the number of models differs. After the nine warm-up
// rounds every window holds 9 samples in a 16-slot ring (window.size 128
// grows rings by doubling), so up to seven timed rounds never grow one:
// the steady state of a model some 90 s into its life at a 10 s export.
func BenchmarkModels(b *testing.B) {
	for _, models := range []int{1_000, 10_000, 100_000} {
		round := fleetRound(models, 0, false)
		points := models * benchdata.PointsPerModel
		for _, health := range []bool{true, false} {
			name := "models=" + strconv.Itoa(models) + "/health=" + strconv.FormatBool(health)
			b.Run(name, func(b *testing.B) {
				p, _ := benchProcessor(b, benchConfig(models, health), round[0].ResourceMetrics().Len())
				for r := 0; r < 9; r++ {
					consumeAll(b, p, round)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					consumeAll(b, p, round)
				}
				reportPerPoint(b, points)
			})
		}
		runtime.GC()
	}
}

// BenchmarkMemoryPerModelSignal measures the heap the processor keeps per
// tracked model-signal: runtime.MemStats before and after feeding a fleet
// of 2,000 models fill points per signal (window.size 128, so fill=128 is
// a full window). The per-model state (key, resource, rule lifecycles) is
// shared out over the model's seven signals. Run with -benchtime=1x.
func BenchmarkMemoryPerModelSignal(b *testing.B) {
	const models = 2000
	for _, c := range []struct {
		hist bool
		fill int
	}{{false, 1}, {false, 30}, {false, 128}, {true, 30}, {true, 128}} {
		name := "latency=gauge"
		if c.hist {
			name = "latency=histogram"
		}
		b.Run(name+"/fill="+strconv.Itoa(c.fill), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				perSignal := measureModelMemory(b, models, c.fill, c.hist)
				b.ReportMetric(perSignal, "B/model-signal")
			}
		})
	}
}

func measureModelMemory(b *testing.B, models, fill int, hist bool) float64 {
	b.Helper()
	rounds := make([][]pmetric.Metrics, fill)
	for r := range rounds {
		rounds[r] = fleetRound(models, r, hist)
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
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(models*benchdata.PointsPerModel)
}

// BenchmarkEvaluationTick times one evaluation tick over 100,000 models and
// reports it as a share of one core at the default 10 s interval.
func BenchmarkEvaluationTick(b *testing.B) {
	const models = 100_000
	cfg := benchConfig(models, false)
	round := fleetRound(models, 0, false)
	p, s := benchProcessor(b, cfg, round[0].ResourceMetrics().Len())
	consumeAll(b, p, round)
	consumeAll(b, p, fleetRound(models, 1, false))
	if got := s.modelsLen(); got != models {
		b.Fatalf("tracking %d models, want %d", got, models)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.tick()
	}
	perTick := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(perTick/1e6, "ms/tick")
	b.ReportMetric(100*perTick/float64(cfg.EvaluationInterval.Nanoseconds()), "%core")
}
