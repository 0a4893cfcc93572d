package e2e

import (
	"context"
	"math"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// fleetModel is one simulated inference service exporting through the OTel Go
// SDK; the test moves its accuracy to drive an incident.
type fleetModel struct {
	Name, Version, Service string
	// GRPC selects OTLP/gRPC, else OTLP/HTTP.
	GRPC bool

	accuracy atomic.Uint64 // math.Float64bits
}

func (m *fleetModel) setAccuracy(v float64) { m.accuracy.Store(math.Float64bits(v)) }

// startFleet exports every model's gauges (accuracy, f1_score, drift_score)
// and a latency histogram to the collector every interval until the test ends.
func startFleet(t *testing.T, c *collector, interval time.Duration, models ...*fleetModel) {
	t.Helper()
	for _, m := range models {
		if m.accuracy.Load() == 0 {
			m.setAccuracy(0.97)
		}
		mp := newModelMeterProvider(t, c, interval, m)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = mp.Shutdown(ctx)
		})
	}
}

func newModelMeterProvider(t *testing.T, c *collector, interval time.Duration, m *fleetModel) *sdkmetric.MeterProvider {
	t.Helper()
	ctx := context.Background()
	// Delta histograms: each export carries only the latencies since the last one.
	delta := func(k sdkmetric.InstrumentKind) metricdata.Temporality {
		if k == sdkmetric.InstrumentKindHistogram {
			return metricdata.DeltaTemporality
		}
		return metricdata.CumulativeTemporality
	}
	var exp sdkmetric.Exporter
	var err error
	if m.GRPC {
		exp, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithInsecure(),
			otlpmetricgrpc.WithEndpoint("127.0.0.1:"+strconv.Itoa(c.Ports.GRPC)),
			otlpmetricgrpc.WithTemporalitySelector(delta))
	} else {
		exp, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithInsecure(),
			otlpmetrichttp.WithEndpoint("127.0.0.1:"+strconv.Itoa(c.Ports.HTTP)),
			otlpmetrichttp.WithTemporalitySelector(delta))
	}
	require.NoError(t, err)
	res := resource.NewSchemaless(semconv.ServiceName(m.Service))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval))))
	meter := mp.Meter("modelmon-e2e")
	attrs := metric.WithAttributes(attribute.String("model.name", m.Name), attribute.String("model.version", m.Version))
	acc, err := meter.Float64ObservableGauge("model.accuracy", metric.WithUnit("1"))
	require.NoError(t, err)
	f1, err := meter.Float64ObservableGauge("model.f1_score", metric.WithUnit("1"))
	require.NoError(t, err)
	drift, err := meter.Float64ObservableGauge("model.drift_score", metric.WithUnit("1"))
	require.NoError(t, err)
	_, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveFloat64(acc, math.Float64frombits(m.accuracy.Load()), attrs)
		o.ObserveFloat64(f1, 0.95, attrs)
		o.ObserveFloat64(drift, 0.01, attrs)
		return nil
	}, acc, f1, drift)
	require.NoError(t, err)
	lat, err := meter.Float64Histogram("model.latency", metric.WithUnit("ms"),
		metric.WithExplicitBucketBoundaries(5, 10, 25, 50, 75, 100, 150, 250, 500, 1000))
	require.NoError(t, err)
	// Latency observations come from a ticker of their own, well under the 120 ms rule.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval / 4)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				lat.Record(context.Background(), 30, attrs)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return mp
}
