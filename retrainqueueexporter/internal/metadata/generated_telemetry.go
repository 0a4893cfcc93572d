package metadata

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/embedded"
)

// Meter returns the component's meter, named after its instrumentation scope.
func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// TelemetryBuilder holds every instrument listed in metadata.yaml.
type TelemetryBuilder struct {
	meter                              metric.Meter
	mu                                 sync.Mutex
	registrations                      []metric.Registration
	ExporterRetrainQueueEventsFiltered metric.Int64Counter
	ExporterRetrainQueueEventsIgnored  metric.Int64Counter
	ExporterRetrainQueueEventsReceived metric.Int64Counter
	ExporterRetrainQueueJobsCoalesced  metric.Int64Counter
	ExporterRetrainQueueJobsCreated    metric.Int64Counter
	ExporterRetrainQueueJobsFailed     metric.Int64Counter
	ExporterRetrainQueueJobsHeld       metric.Int64Counter
	ExporterRetrainQueueJobsPending    metric.Int64ObservableGauge
	ExporterRetrainQueueJobsSuppressed metric.Int64Counter
	ExporterRetrainQueueJobsWritten    metric.Int64Counter
}

// RegisterExporterRetrainQueueJobsPendingCallback sets the callback that reports ExporterRetrainQueueJobsPending at every collection.
func (builder *TelemetryBuilder) RegisterExporterRetrainQueueJobsPendingCallback(cb metric.Int64Callback) error {
	reg, err := builder.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return cb(ctx, &observerInt64{inst: builder.ExporterRetrainQueueJobsPending, obs: o})
	}, builder.ExporterRetrainQueueJobsPending)
	if err != nil {
		return err
	}
	builder.mu.Lock()
	defer builder.mu.Unlock()
	builder.registrations = append(builder.registrations, reg)
	return nil
}

type observerInt64 struct {
	embedded.Int64Observer
	inst metric.Int64Observable
	obs  metric.Observer
}

func (oi *observerInt64) Observe(value int64, opts ...metric.ObserveOption) {
	oi.obs.ObserveInt64(oi.inst, value, opts...)
}

// Shutdown unregisters every callback of the observable instruments.
func (builder *TelemetryBuilder) Shutdown() {
	builder.mu.Lock()
	defer builder.mu.Unlock()
	for _, reg := range builder.registrations {
		_ = reg.Unregister()
	}
	builder.registrations = nil
}

// NewTelemetryBuilder creates every instrument of the component on its
// MeterProvider.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{meter: Meter(settings)}
	var err, errs error
	builder.ExporterRetrainQueueEventsFiltered, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_events_filtered",
		metric.WithDescription("Retrain events dropped by the kinds or min_severity filter, by reason."),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueEventsIgnored, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_events_ignored",
		metric.WithDescription("Log records not turned into jobs: not modelmon events, malformed, resolved, without the retrain action, or duplicates, by reason."),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueEventsReceived, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_events_received",
		metric.WithDescription("Log records the exporter received."),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsCoalesced, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_coalesced",
		metric.WithDescription("Violations merged into a model's open job."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsCreated, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_created",
		metric.WithDescription("Retraining jobs opened."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsFailed, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_failed",
		metric.WithDescription("Failed job writes; retryable ones are tried again, permanent ones are dropped and logged. By reason."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsHeld, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_held",
		metric.WithDescription("Jobs held back by max_jobs_per_hour."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsPending, err = builder.meter.Int64ObservableGauge(
		"otelcol_exporter_retrain_queue_jobs_pending",
		metric.WithDescription("Jobs recorded but not yet written (open, due or held)."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsSuppressed, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_suppressed",
		metric.WithDescription("Violations suppressed because their model's job exists or its cooldown runs, by reason."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterRetrainQueueJobsWritten, err = builder.meter.Int64Counter(
		"otelcol_exporter_retrain_queue_jobs_written",
		metric.WithDescription("Jobs the backend accepted."),
		metric.WithUnit("{job}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
