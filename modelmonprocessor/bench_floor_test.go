package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// floorA is the least any processor that looks at model metrics pays: visit
// every data point, read its value and its model.name attribute.
func floorA(md pmetric.Metrics) (sum float64, named int) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps := m.Gauge().DataPoints()
					for l := 0; l < dps.Len(); l++ {
						dp := dps.At(l)
						sum += dp.DoubleValue() + float64(dp.IntValue())
						if _, ok := dp.Attributes().Get("model.name"); ok {
							named++
						}
					}
				case pmetric.MetricTypeHistogram:
					dps := m.Histogram().DataPoints()
					for l := 0; l < dps.Len(); l++ {
						dp := dps.At(l)
						sum += dp.Sum()
						if _, ok := dp.Attributes().Get("model.name"); ok {
							named++
						}
					}
				}
			}
		}
	}
	return sum, named
}

var floorSink float64

// perPointPayload is one payload: the batches the processor cycles through,
// and the processor configurations measured on it.
type perPointPayload struct {
	name    string
	batches []pmetric.Metrics
	models  int
	// warm is the number of rounds over all batches before timing: enough
	// to fill every window (window.size 128), the steady state.
	warm int
	// floorH adds floor H: the health metrics of each batch built with
	// pdata alone (see buildHealthFloor).
	floorH bool
	cases  []perPointCase
}

// perPointCase is one processor configuration on a payload.
type perPointCase struct {
	name   string
	health bool
	// healthEvery is health_metrics_interval. The engine clock is real
	// time, so 10 s never pass within a benchmark's run: after the warm-up
	// emitted every model once, steady models emit nothing, the state the
	// interval is for (one emission per model per interval, batches every
	// few milliseconds).
	healthEvery time.Duration
}

func perPointPayloads() []perPointPayload {
	ts := time.Unix(1_700_000_000, 0)
	const testbedModels = 1050 // ten testbed batches of 105 models
	var testbed, fleet, fleetHist []pmetric.Metrics
	for first := 0; first < testbedModels; first += 105 {
		testbed = append(testbed, benchdata.TestbedModels(first, testbedModels, ts))
	}
	const fleetModels, perBatch = 1000, 100
	for first := 0; first < fleetModels; first += perBatch {
		fleet = append(fleet, benchdata.Fleet(benchdata.FleetOptions{First: first, Count: perBatch, Models: fleetModels, Time: ts}))
		// Delta temporality, so that the same batch sent again fills the
		// histogram windows (a cumulative one would add empty deltas).
		fleetHist = append(fleetHist, benchdata.Fleet(benchdata.FleetOptions{
			First: first, Count: perBatch, Models: fleetModels, Time: ts,
			LatencyHistogram: true, DeltaHistogram: true,
		}))
	}
	matched := []perPointCase{
		{name: "matched", health: true},
		{name: "matched_nohealth"},
		{name: "matched_health_10s", health: true, healthEvery: 10 * time.Second},
	}
	return []perPointPayload{
		{name: "testbed", batches: []pmetric.Metrics{benchdata.Testbed(0, ts)}, models: 1,
			cases: []perPointCase{{name: "passthrough", health: true}}},
		{name: "testbed_models", batches: testbed, models: testbedModels, warm: 130, floorH: true, cases: matched},
		{name: "fleet", batches: fleet, models: fleetModels, warm: 130, floorH: true, cases: matched},
		{name: "fleet_hist", batches: fleetHist, models: fleetModels, warm: 130, floorH: true,
			cases: []perPointCase{
				{name: "histogram", health: true},
				{name: "histogram_nohealth"},
				{name: "histogram_health_10s", health: true, healthEvery: 10 * time.Second},
			}},
	}
}

// BenchmarkPerPoint measures, in one run, the floors and the processor on
// the same payloads. Compare ns/point within a payload: floor_a and floor_b
// are the references, the others are ConsumeMetrics with the default rules.
// floor_h is what the health metrics the processor appends to a batch cost
// when built with pdata alone from precomputed values, per input point:
// compare it with the difference between a case and its _nohealth twin.
// The _health_10s cases set health_metrics_interval to 10s: steady models
// then emit no health points within the run (health-models/run says how
// many did). testbed's metrics are not model metrics (pass-through);
// testbed_models is the same shape with every point matched; fleet and
// fleet_hist are a model fleet's export with latency as gauge or histogram.
func BenchmarkPerPoint(b *testing.B) {
	for _, pl := range perPointPayloads() {
		points := pl.batches[0].DataPointCount()
		b.Run(pl.name+"/floor_a", func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				s, n := floorA(pl.batches[i%len(pl.batches)])
				floorSink += s + float64(n)
			}
			cpu.report(b, points)
			reportPerPoint(b, points)
		})
		b.Run(pl.name+"/floor_b", func(b *testing.B) {
			var enc pmetric.ProtoMarshaler
			bufs := make([][]byte, len(pl.batches))
			for i, md := range pl.batches {
				buf, err := enc.MarshalMetrics(md)
				if err != nil {
					b.Fatal(err)
				}
				bufs[i] = buf
			}
			var dec pmetric.ProtoUnmarshaler
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			for i := 0; i < b.N; i++ {
				md, err := dec.UnmarshalMetrics(bufs[i%len(bufs)])
				if err != nil {
					b.Fatal(err)
				}
				floorSink += float64(md.ResourceMetrics().Len())
			}
			cpu.report(b, points)
			reportPerPoint(b, points)
		})
		if pl.floorH {
			b.Run(pl.name+"/floor_h", func(b *testing.B) {
				f := newHealthFloorFixture(b, benchConfig(pl.models, true), pl.batches, pl.warm)
				health := 0
				for i := range f.plans {
					health += f.plans[i].healthPoints()
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for i := 0; i < b.N; i++ {
					md := pl.batches[i%len(pl.batches)]
					keep := md.ResourceMetrics().Len()
					buildHealthFloor(md, &f.plans[i%len(f.plans)])
					cutTo(md, keep)
				}
				cpu.report(b, points)
				reportPerPoint(b, points)
				b.ReportMetric(float64(health)/float64(len(f.plans)), "health-points/op")
			})
		}
		for _, c := range pl.cases {
			b.Run(pl.name+"/"+c.name, func(b *testing.B) {
				cfg := benchConfig(pl.models, c.health)
				cfg.HealthMetricsInterval = c.healthEvery
				p, s := benchProcessor(b, cfg, pl.batches[0].ResourceMetrics().Len())
				for r := 0; r < pl.warm; r++ {
					consumeAll(b, p, pl.batches)
				}
				ctx := context.Background()
				timed := time.Now().UnixNano()
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for i := 0; i < b.N; i++ {
					if err := p.ConsumeMetrics(ctx, pl.batches[i%len(pl.batches)]); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b, points)
				reportPerPoint(b, points)
				if c.healthEvery > 0 {
					b.ReportMetric(float64(emittedSince(s.engine, timed)), "health-models/run")
				}
			})
		}
	}
}

// emittedSince counts the models whose health points were last emitted at
// or after since: with health_metrics_interval, how many emitted within a
// timed loop shorter than the interval (0 in the steady state).
func emittedSince(e *engine, since int64) int {
	n := 0
	for _, m := range e.allModels() {
		if m.healthAt >= since {
			n++
		}
	}
	return n
}
