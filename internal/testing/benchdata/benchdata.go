// Package benchdata builds the metric batches the processor's benchmarks and
// the end-to-end load use: the contrib testbed's shape (100 gauge metrics of
// 7 points, 2 string attributes per point) and a model fleet's shape (per
// model the seven model-quality signals, latency as a gauge or a histogram).
//
// Values are healthy, so no rule fires and a benchmark measures the steady
// state rather than event delivery. Only tests and benchmarks import it.
package benchdata // import "github.com/visutility/otelcol-modelmon/internal/testing/benchdata"

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Shape of a contrib testbed metrics request (its perf-test data provider).
const (
	TestbedMetrics         = 100
	TestbedPointsPerMetric = 7
	// TestbedPoints is the number of data points in one testbed batch.
	TestbedPoints = TestbedMetrics * TestbedPointsPerMetric
)

// Signals are the seven model metrics the processor maps by default, with a
// healthy value for each (latency in milliseconds).
var Signals = []struct {
	Metric string
	Unit   string
	Value  float64
}{
	{"model.accuracy", "1", 0.97},
	{"model.precision", "1", 0.96},
	{"model.recall", "1", 0.95},
	{"model.f1_score", "1", 0.955},
	{"model.drift_score", "1", 0.01},
	{"model.latency", "ms", 45},
	{"model.throughput", "{request}/s", 120},
}

// LatencyBounds are the OTel SDK's default explicit bucket bounds, in ms.
var LatencyBounds = []float64{0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}

// latencyCounts is a healthy latency distribution over LatencyBounds (p95 < 120 ms).
var latencyCounts = []uint64{0, 2, 6, 20, 40, 18, 8, 4, 2, 0, 0, 0, 0, 0, 0, 0}

// ModelName returns the model.name of model i.
func ModelName(i int) string { return "model-" + strconv.Itoa(i) }

// Testbed returns a batch in the testbed's shape whose metrics no default
// signal maps (load_generator_N, attributes item_index and batch_index):
// every point passes through unobserved.
func Testbed(batch int, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "load-generator")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	ms.EnsureCapacity(TestbedMetrics)
	t := pcommon.NewTimestampFromTime(ts)
	for i := 0; i < TestbedMetrics; i++ {
		m := ms.AppendEmpty()
		m.SetName("load_generator_" + strconv.Itoa(i))
		m.SetDescription("Load Generator Counter #" + strconv.Itoa(i))
		m.SetUnit("1")
		dps := m.SetEmptyGauge().DataPoints()
		dps.EnsureCapacity(TestbedPointsPerMetric)
		for j := 0; j < TestbedPointsPerMetric; j++ {
			dp := dps.AppendEmpty()
			dp.SetStartTimestamp(t)
			dp.SetTimestamp(t)
			dp.SetIntValue(int64(batch*TestbedPoints + i*TestbedPointsPerMetric + j))
			dp.Attributes().PutStr("item_index", "item_"+strconv.Itoa(j))
			dp.Attributes().PutStr("batch_index", "batch_"+strconv.Itoa(batch))
		}
	}
	return md
}

// TestbedModels returns a batch in the testbed's shape whose every point is
// matched: metric i carries signal i mod 7, and its two string attributes
// are model.name and model.version. Point j of metric i belongs to model
// first + 7·(i/7) + j (mod models), so a batch covers 105 models.
func TestbedModels(first, models int, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "load-generator")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	ms.EnsureCapacity(TestbedMetrics)
	t := pcommon.NewTimestampFromTime(ts)
	for i := 0; i < TestbedMetrics; i++ {
		s := Signals[i%len(Signals)]
		m := ms.AppendEmpty()
		m.SetName(s.Metric)
		m.SetUnit(s.Unit)
		dps := m.SetEmptyGauge().DataPoints()
		dps.EnsureCapacity(TestbedPointsPerMetric)
		for j := 0; j < TestbedPointsPerMetric; j++ {
			dp := dps.AppendEmpty()
			dp.SetTimestamp(t)
			dp.SetDoubleValue(s.Value)
			dp.Attributes().PutStr("model.name", ModelName((first+7*(i/7)+j)%models))
			dp.Attributes().PutStr("model.version", "v1")
		}
	}
	return md
}

// FleetOptions shape a fleet batch.
type FleetOptions struct {
	// First is the number of the first model in the batch, Count how many
	// models it carries, Models the fleet size numbers wrap at.
	First, Count, Models int
	// PerService models share one resource (service.name), as one process
	// serving several models exports them.
	PerService int
	// LatencyHistogram sends model.latency as an explicit-bucket histogram
	// (cumulative, as the OTel SDK's default) instead of a gauge.
	LatencyHistogram bool
	// DeltaHistogram sends the histogram with delta temporality: a batch
	// sent again then adds its counts again, where a cumulative one would
	// add nothing (no change since the previous point).
	DeltaHistogram bool
	// Round is the number of earlier batches for the same models; it makes
	// cumulative histogram counts grow.
	Round int
	Time  time.Time
}

// PointsPerModel is the number of data points a fleet batch carries per model.
const PointsPerModel = 7

// Fleet returns a batch in the shape an inference fleet exports with the
// OTel SDK: per service a resource, per signal one metric, per model one
// point with model.name and model.version.
func Fleet(o FleetOptions) pmetric.Metrics {
	if o.PerService < 1 {
		o.PerService = 10
	}
	if o.Models < 1 {
		o.Models = o.Count
	}
	md := pmetric.NewMetrics()
	t := pcommon.NewTimestampFromTime(o.Time)
	start := pcommon.NewTimestampFromTime(o.Time.Add(-time.Duration(o.Round+1) * time.Second))
	for base := 0; base < o.Count; base += o.PerService {
		n := min(o.PerService, o.Count-base)
		rm := md.ResourceMetrics().AppendEmpty()
		svc := (o.First + base) % o.Models / o.PerService
		rm.Resource().Attributes().PutStr("service.name", "inference-"+strconv.Itoa(svc))
		rm.Resource().Attributes().PutStr("service.instance.id", "instance-"+strconv.Itoa(svc))
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("modelmon-demo")
		for _, s := range Signals {
			m := sm.Metrics().AppendEmpty()
			m.SetName(s.Metric)
			m.SetUnit(s.Unit)
			if s.Metric == "model.latency" && o.LatencyHistogram {
				h := m.SetEmptyHistogram()
				h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				if o.DeltaHistogram {
					h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
				}
				for k := 0; k < n; k++ {
					dp := h.DataPoints().AppendEmpty()
					dp.SetStartTimestamp(start)
					dp.SetTimestamp(t)
					putModel(dp.Attributes(), (o.First+base+k)%o.Models)
					dp.ExplicitBounds().FromRaw(LatencyBounds)
					counts := dp.BucketCounts()
					counts.EnsureCapacity(len(latencyCounts))
					var total uint64
					for _, c := range latencyCounts {
						c *= uint64(o.Round + 1)
						counts.Append(c)
						total += c
					}
					dp.SetCount(total)
					dp.SetSum(float64(total) * 40)
				}
				continue
			}
			dps := m.SetEmptyGauge().DataPoints()
			dps.EnsureCapacity(n)
			for k := 0; k < n; k++ {
				dp := dps.AppendEmpty()
				dp.SetTimestamp(t)
				dp.SetDoubleValue(s.Value)
				putModel(dp.Attributes(), (o.First+base+k)%o.Models)
			}
		}
	}
	return md
}

func putModel(attrs pcommon.Map, i int) {
	attrs.EnsureCapacity(2)
	attrs.PutStr("model.name", ModelName(i))
	attrs.PutStr("model.version", "v1")
}
