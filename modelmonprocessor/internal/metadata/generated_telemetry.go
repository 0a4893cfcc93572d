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
	meter                          metric.Meter
	ProcessorModelmonAlertsLoaded  metric.Int64Counter
	ProcessorModelmonDatapoints    metric.Int64Counter
	ProcessorModelmonEvents        metric.Int64Counter
	ProcessorModelmonEventsDropped metric.Int64Counter
	ProcessorModelmonModels        metric.Int64Gauge
	ProcessorModelmonOutboxLength  metric.Int64Gauge
	ProcessorModelmonStateErrors   metric.Int64Counter
	ProcessorModelmonStateWrites   metric.Int64Counter
}

// NewTelemetryBuilder creates every instrument of the component on its
// MeterProvider.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{meter: Meter(settings)}
	var err, errs error
	builder.ProcessorModelmonAlertsLoaded, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_alerts_loaded",
		metric.WithDescription("Firing alerts read back from storage at start, by outcome."),
		metric.WithUnit("{alert}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonDatapoints, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_datapoints",
		metric.WithDescription("Data points of mapped metrics seen by the processor, by outcome."),
		metric.WithUnit("{datapoint}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonEvents, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_events",
		metric.WithDescription("Violation events emitted, by alert state."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonEventsDropped, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_events_dropped",
		metric.WithDescription("Violation events dropped: outbox overflow, permanent refusal or no logs pipeline."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonModels, err = builder.meter.Int64Gauge(
		"otelcol_processor_modelmon_models",
		metric.WithDescription("Models currently tracked."),
		metric.WithUnit("{model}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonOutboxLength, err = builder.meter.Int64Gauge(
		"otelcol_processor_modelmon_outbox_length",
		metric.WithDescription("Violation events waiting to be retried."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonStateErrors, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_state_errors",
		metric.WithDescription("Failed reads and writes of the saved firing alerts, by operation."),
		metric.WithUnit("{error}"),
	)
	errs = errors.Join(errs, err)
	builder.ProcessorModelmonStateWrites, err = builder.meter.Int64Counter(
		"otelcol_processor_modelmon_state_writes",
		metric.WithDescription("Changes to the saved firing alerts written to storage, by operation (write, delete)."),
		metric.WithUnit("{change}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
