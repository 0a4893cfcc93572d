package metadata

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// TelemetryBuilder holds the extension's own counters.
type TelemetryBuilder struct {
	// Errors counts storage operations that failed (attribute operation).
	Errors metric.Int64Counter
}

// NewTelemetryBuilder creates the counters on the component's MeterProvider.
func NewTelemetryBuilder(set component.TelemetrySettings) (*TelemetryBuilder, error) {
	m := set.MeterProvider.Meter(ScopeName)
	var b TelemetryBuilder
	var err error
	b.Errors, err = m.Int64Counter("otelcol_extension_redis_storage_errors",
		metric.WithDescription("storage operations that failed: Redis unreachable, timed out or refused the command"),
		metric.WithUnit("{operation}"))
	return &b, err
}
