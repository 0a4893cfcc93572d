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
	meter                                         metric.Meter
	mu                                            sync.Mutex
	registrations                                 []metric.Registration
	ExporterAlertWebhookAlertsTracked             metric.Int64ObservableGauge
	ExporterAlertWebhookEventsFiltered            metric.Int64Counter
	ExporterAlertWebhookEventsIgnored             metric.Int64Counter
	ExporterAlertWebhookEventsReceived            metric.Int64Counter
	ExporterAlertWebhookNotificationsDeduplicated metric.Int64Counter
	ExporterAlertWebhookNotificationsFailed       metric.Int64Counter
	ExporterAlertWebhookNotificationsSent         metric.Int64Counter
}

// RegisterExporterAlertWebhookAlertsTrackedCallback sets the callback that reports ExporterAlertWebhookAlertsTracked at every collection.
func (builder *TelemetryBuilder) RegisterExporterAlertWebhookAlertsTrackedCallback(cb metric.Int64Callback) error {
	reg, err := builder.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return cb(ctx, &observerInt64{inst: builder.ExporterAlertWebhookAlertsTracked, obs: o})
	}, builder.ExporterAlertWebhookAlertsTracked)
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
	builder.ExporterAlertWebhookAlertsTracked, err = builder.meter.Int64ObservableGauge(
		"otelcol_exporter_alert_webhook_alerts_tracked",
		metric.WithDescription("Alerts held in the dedup state."),
		metric.WithUnit("{alert}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookEventsFiltered, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_events_filtered",
		metric.WithDescription("Events not notified: no alert action or below min_severity."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookEventsIgnored, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_events_ignored",
		metric.WithDescription("Log records ignored: not modelmon events, or malformed ones, by reason."),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookEventsReceived, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_events_received",
		metric.WithDescription("Modelmon events received by the exporter."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookNotificationsDeduplicated, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_notifications_deduplicated",
		metric.WithDescription("Events that needed no notification: already notified, not yet due for repeat, by reason."),
		metric.WithUnit("{event}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookNotificationsFailed, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_notifications_failed",
		metric.WithDescription("Notification attempts that failed, by kind."),
		metric.WithUnit("{notification}"),
	)
	errs = errors.Join(errs, err)
	builder.ExporterAlertWebhookNotificationsSent, err = builder.meter.Int64Counter(
		"otelcol_exporter_alert_webhook_notifications_sent",
		metric.WithDescription("Notifications accepted by the endpoint, by kind."),
		metric.WithUnit("{notification}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
