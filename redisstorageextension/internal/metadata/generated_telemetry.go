package metadata

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// Meter returns the component's meter, named after its instrumentation scope.
func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// TelemetryBuilder holds every instrument listed in metadata.yaml.
type TelemetryBuilder struct {
	meter                       metric.Meter
	ExtensionRedisStorageErrors metric.Int64Counter
}

// NewTelemetryBuilder creates every instrument of the component on its
// MeterProvider.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{meter: Meter(settings)}
	var err, errs error
	builder.ExtensionRedisStorageErrors, err = builder.meter.Int64Counter(
		"otelcol_extension_redis_storage_errors",
		metric.WithDescription("Storage operations that failed: Redis unreachable, timed out or refused the command, by operation."),
		metric.WithUnit("{operation}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
