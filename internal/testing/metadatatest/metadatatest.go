// Package metadatatest checks a component's own telemetry against the
// metadata.yaml that documents it, the test mdatagen generates for its
// components, for metadata kept by hand. Only tests import it.
package metadatatest

import (
	"context"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.yaml.in/yaml/v3"
)

// Metadata is the part of a metadata.yaml the checks read.
type Metadata struct {
	Type   string `yaml:"type"`
	Status struct {
		Class         string              `yaml:"class"`
		Stability     map[string][]string `yaml:"stability"`
		Distributions []string            `yaml:"distributions"`
		Warnings      []string            `yaml:"warnings"`
		Codeowners    struct {
			Active []string `yaml:"active"`
		} `yaml:"codeowners"`
	} `yaml:"status"`
	Telemetry struct {
		Metrics map[string]Metric `yaml:"metrics"`
	} `yaml:"telemetry"`
}

// Metric is one instrument as metadata.yaml lists it.
type Metric struct {
	Enabled     bool    `yaml:"enabled"`
	Description string  `yaml:"description"`
	Unit        string  `yaml:"unit"`
	Sum         *Values `yaml:"sum"`
	Gauge       *Values `yaml:"gauge"`
	Histogram   *Values `yaml:"histogram"`
}

// Values is the data shape of an instrument.
type Values struct {
	ValueType string `yaml:"value_type"`
	Monotonic bool   `yaml:"monotonic"`
	Async     bool   `yaml:"async"`
}

// Load reads and decodes the metadata.yaml at path.
func Load(t testing.TB, path string) Metadata {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var md Metadata
	require.NoError(t, yaml.Unmarshal(raw, &md))
	return md
}

// NewTelemetry returns test telemetry together with a reader that collects
// every instrument registered on it.
func NewTelemetry(t testing.TB) (*componenttest.Telemetry, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	tel := componenttest.NewTelemetry(componenttest.WithMetricOptions(sdkmetric.WithReader(reader)))
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	return tel, reader
}

// RecordAll records one value on every synchronous instrument held in an
// exported field of builder (a TelemetryBuilder), since the SDK reports only
// instruments that recorded something. Observable instruments report through
// the callbacks their component registers.
func RecordAll(builder any) {
	ctx := context.Background()
	v := reflect.Indirect(reflect.ValueOf(builder))
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch inst := v.Field(i).Interface().(type) {
		case metric.Int64Counter:
			inst.Add(ctx, 1)
		case metric.Float64Counter:
			inst.Add(ctx, 1)
		case metric.Int64UpDownCounter:
			inst.Add(ctx, 1)
		case metric.Float64UpDownCounter:
			inst.Add(ctx, 1)
		case metric.Int64Gauge:
			inst.Record(ctx, 1)
		case metric.Float64Gauge:
			inst.Record(ctx, 1)
		case metric.Int64Histogram:
			inst.Record(ctx, 1)
		case metric.Float64Histogram:
			inst.Record(ctx, 1)
		}
	}
}

// AssertTelemetry fails unless the instruments collected by reader are
// exactly those listed in md, each named "otelcol_" + its key, with the
// listed description, unit, type, value type and monotonicity.
func AssertTelemetry(t *testing.T, md Metadata, reader *sdkmetric.ManualReader) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	got := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			got[m.Name] = m
		}
	}
	want := map[string]Metric{}
	for key, m := range md.Telemetry.Metrics {
		want["otelcol_"+key] = m
	}
	assert.Equal(t, sortedKeys(want), sortedKeys(got), "instruments in metadata.yaml and in the code")
	for name, spec := range want {
		m, ok := got[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			assert.True(t, spec.Enabled, "every instrument is enabled")
			assert.Equal(t, spec.Description, m.Description)
			assert.Equal(t, spec.Unit, m.Unit)
			kind, values := describe(m.Data)
			switch kind {
			case "sum":
				require.NotNil(t, spec.Sum, "the code registers a sum")
				assert.Equal(t, spec.Sum.ValueType, values.ValueType)
				assert.Equal(t, spec.Sum.Monotonic, values.Monotonic)
			case "gauge":
				require.NotNil(t, spec.Gauge, "the code registers a gauge")
				assert.Equal(t, spec.Gauge.ValueType, values.ValueType)
			case "histogram":
				require.NotNil(t, spec.Histogram, "the code registers a histogram")
				assert.Equal(t, spec.Histogram.ValueType, values.ValueType)
			default:
				t.Fatalf("unexpected data %T", m.Data)
			}
		})
	}
}

func describe(data metricdata.Aggregation) (string, Values) {
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		return "sum", Values{ValueType: "int", Monotonic: d.IsMonotonic}
	case metricdata.Sum[float64]:
		return "sum", Values{ValueType: "double", Monotonic: d.IsMonotonic}
	case metricdata.Gauge[int64]:
		return "gauge", Values{ValueType: "int"}
	case metricdata.Gauge[float64]:
		return "gauge", Values{ValueType: "double"}
	case metricdata.Histogram[int64]:
		return "histogram", Values{ValueType: "int"}
	case metricdata.Histogram[float64]:
		return "histogram", Values{ValueType: "double"}
	}
	return "", Values{}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
