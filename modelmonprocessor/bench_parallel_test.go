package modelmonprocessor

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// parallelSlots bounds the goroutines BenchmarkParallel gives models of
// their own; GOMAXPROCS beyond it share slots.
const parallelSlots = 16

// parallelBatches returns, per slot, the fleet batches of that slot's own
// 1,000 models (ten batches of 100 models, 700 points each).
func parallelBatches(slots int) [][]pmetric.Metrics {
	ts := time.Unix(1_700_000_000, 0)
	const perSlot, perBatch = 1000, 100
	out := make([][]pmetric.Metrics, slots)
	for s := range out {
		for first := 0; first < perSlot; first += perBatch {
			out[s] = append(out[s], benchdata.Fleet(benchdata.FleetOptions{
				First: s*perSlot + first, Count: perBatch, Models: slots * perSlot, Time: ts,
			}))
		}
	}
	return out
}

// BenchmarkParallel measures ConsumeMetrics called from GOMAXPROCS
// goroutines at once, each sending batches of models of its own (the
// default rules, every window full), and beside it the OTLP protobuf
// decoding of the same batches from as many goroutines: the work the
// collector does per batch anyway, which scales with the cores. Run with
// -cpu 1,2 and compare ns/point across the two: a gateway's scaling is
// modelmon's ratio, the machine's ceiling decode's. MODELMON_BENCH_SHARDS
// sets the processor's shards (default: by CPU count), e.g. to measure the
// cost of the two-pass path on one CPU.
func BenchmarkParallel(b *testing.B) {
	all := parallelBatches(parallelSlots)
	points := all[0][0].DataPointCount()
	for _, c := range []struct {
		name string
		// every is health_metrics_interval: the default leaves the
		// benchmark's models due about once per run; 0 makes each batch
		// carry its models' health points, as every batch does in a fleet
		// that exports at the default interval or slower.
		every *time.Duration
	}{{"modelmon", nil}, {"modelmon_health", new(time.Duration)}} {
		b.Run(c.name, func(b *testing.B) { benchParallelModelmon(b, all, points, c.every) })
	}
	b.Run("decode", func(b *testing.B) {
		raw := make([][][]byte, len(all))
		enc := &pmetric.ProtoMarshaler{}
		for s, batches := range all {
			for _, md := range batches {
				buf, err := enc.MarshalMetrics(md)
				if err != nil {
					b.Fatal(err)
				}
				raw[s] = append(raw[s], buf)
			}
		}
		dec := &pmetric.ProtoUnmarshaler{}
		runParallel(b, points, func(slot, i int) error {
			bufs := raw[slot]
			_, err := dec.UnmarshalMetrics(bufs[i%len(bufs)])
			return err
		})
	})
}

// benchParallelModelmon is BenchmarkParallel's processor case; every, when
// set, is health_metrics_interval.
func benchParallelModelmon(b *testing.B, all [][]pmetric.Metrics, points int, every *time.Duration) {
	cfg := benchConfig(parallelSlots*1000, true)
	if every != nil {
		cfg.HealthMetricsInterval = *every
	}
	if v, err := strconv.Atoi(os.Getenv("MODELMON_BENCH_SHARDS")); err == nil {
		cfg.Shards = v
	}
	p, _ := benchProcessor(b, cfg, all[0][0].ResourceMetrics().Len())
	// Fill every slot's windows first: the steady state.
	for range 130 {
		for _, batches := range all {
			consumeAll(b, p, batches)
		}
	}
	ctx := context.Background()
	runParallel(b, points, func(slot, i int) error {
		batches := all[slot]
		return p.ConsumeMetrics(ctx, batches[i%len(batches)])
	})
}

// runParallel times fn from GOMAXPROCS goroutines, each calling it with a
// slot of its own and i counting its calls, and reports CPU and wall time
// per point of points per call.
func runParallel(b *testing.B, points int, fn func(slot, i int) error) {
	var next atomic.Int32
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	b.RunParallel(func(pb *testing.PB) {
		slot := int(next.Add(1)-1) % parallelSlots
		for i := 0; pb.Next(); i++ {
			if err := fn(slot, i); err != nil {
				b.Error(err)
				return
			}
		}
	})
	cpu.report(b, points)
	reportPerPoint(b, points)
}
