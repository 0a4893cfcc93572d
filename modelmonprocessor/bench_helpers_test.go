package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// benchSink stands for the next consumer. Health metrics are appended to
// the batch the benchmark reuses, so the sink cuts the batch back to its
// original resources; otherwise every iteration would see a longer batch.
type benchSink struct{ keep int }

func (s *benchSink) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (s *benchSink) ConsumeMetrics(_ context.Context, md pmetric.Metrics) error {
	i := 0
	md.ResourceMetrics().RemoveIf(func(pmetric.ResourceMetrics) bool {
		i++
		return i > s.keep
	})
	return nil
}

// benchProcessor starts a modelmon metrics processor with cfg under a
// component ID of its own (engines are shared per ID) and shuts it down
// when the benchmark ends.
func benchProcessor(b *testing.B, cfg *Config, keep int) (processor.Metrics, *sharedEngine) {
	b.Helper()
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	set := processortest.NewNopSettings(metadata.Type)
	set.ID = component.NewIDWithName(metadata.Type, b.Name())
	f := newFactory()
	p, err := f.CreateMetrics(context.Background(), set, cfg, &benchSink{keep: keep})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := p.Shutdown(context.Background()); err != nil {
			b.Error(err)
		}
	})
	return p, f.engines.lookup(set.ID)
}

// benchConfig is the default configuration with room for models models.
func benchConfig(models int, health bool) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxModels = max(cfg.MaxModels, models)
	cfg.HealthMetrics = health
	return cfg
}

// consumeAll feeds every batch once, failing the benchmark on an error.
func consumeAll(b *testing.B, p processor.Metrics, batches []pmetric.Metrics) {
	b.Helper()
	for _, md := range batches {
		if err := p.ConsumeMetrics(context.Background(), md); err != nil {
			b.Fatal(err)
		}
	}
}

// reportPerPoint adds ns/point and points/op, from which a report derives
// allocations per point.
func reportPerPoint(b *testing.B, points int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(points), "ns/point")
	b.ReportMetric(float64(points), "points/op")
}

// cpuClock measures the process CPU time of a benchmark's timed loop.
type cpuClock struct {
	start time.Duration
	ok    bool
}

// startCPU is called right after b.ResetTimer.
func startCPU() cpuClock {
	t, ok := processCPU()
	return cpuClock{start: t, ok: ok}
}

// perOp is the process CPU time (all threads, the garbage collector's
// included) per iteration since startCPU.
func (c cpuClock) perOp(b *testing.B) (float64, bool) {
	end, ok := processCPU()
	if !c.ok || !ok || b.N == 0 {
		return 0, false
	}
	return float64((end - c.start).Nanoseconds()) / float64(b.N), true
}

// report adds cpu-ns/point, the CPU time per input point.
func (c cpuClock) report(b *testing.B, points int) {
	if ns, ok := c.perOp(b); ok {
		b.ReportMetric(ns/float64(points), "cpu-ns/point")
	}
}
