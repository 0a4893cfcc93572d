package metadata

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// TelemetryBuilder holds the exporter's own counters.
type TelemetryBuilder struct {
	// EventsReceived counts modelmon events decoded from incoming records.
	EventsReceived metric.Int64Counter
	// EventsIgnored counts records that are not modelmon events, or are malformed ones (attribute reason).
	EventsIgnored metric.Int64Counter
	// EventsFiltered counts events without the alert action or below min_severity.
	EventsFiltered metric.Int64Counter
	// NotificationsSent counts notifications the endpoint accepted (attribute kind).
	NotificationsSent metric.Int64Counter
	// NotificationsFailed counts notifications the endpoint refused or that could not be sent.
	NotificationsFailed metric.Int64Counter
	// NotificationsDeduplicated counts events that needed no notification.
	NotificationsDeduplicated metric.Int64Counter

	meter metric.Meter
}

// NewTelemetryBuilder creates the counters on the component's MeterProvider.
func NewTelemetryBuilder(set component.TelemetrySettings) (*TelemetryBuilder, error) {
	m := set.MeterProvider.Meter(ScopeName)
	b := TelemetryBuilder{meter: m}
	var err, e error
	b.EventsReceived, e = m.Int64Counter("otelcol_alert_webhook_events_received",
		metric.WithDescription("modelmon events received by the alert_webhook exporter"), metric.WithUnit("{event}"))
	err = errors.Join(err, e)
	b.EventsIgnored, e = m.Int64Counter("otelcol_alert_webhook_events_ignored",
		metric.WithDescription("log records ignored: not modelmon events, or malformed ones"), metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	b.EventsFiltered, e = m.Int64Counter("otelcol_alert_webhook_events_filtered",
		metric.WithDescription("events not notified: no alert action or below min_severity"), metric.WithUnit("{event}"))
	err = errors.Join(err, e)
	b.NotificationsSent, e = m.Int64Counter("otelcol_alert_webhook_notifications_sent",
		metric.WithDescription("notifications accepted by the endpoint"), metric.WithUnit("{notification}"))
	err = errors.Join(err, e)
	b.NotificationsFailed, e = m.Int64Counter("otelcol_alert_webhook_notifications_failed",
		metric.WithDescription("notification attempts that failed"), metric.WithUnit("{notification}"))
	err = errors.Join(err, e)
	b.NotificationsDeduplicated, e = m.Int64Counter("otelcol_alert_webhook_notifications_deduplicated",
		metric.WithDescription("events that needed no notification: already notified, not yet due for repeat"), metric.WithUnit("{event}"))
	err = errors.Join(err, e)
	return &b, err
}

// RegisterAlertsTracked reports the number of alerts held in the dedup state,
// read from tracked at every collection.
func (b *TelemetryBuilder) RegisterAlertsTracked(tracked func() int64) (metric.Registration, error) {
	g, err := b.meter.Int64ObservableGauge("otelcol_alert_webhook_alerts_tracked",
		metric.WithDescription("alerts held in the dedup state"), metric.WithUnit("{alert}"))
	if err != nil {
		return nil, err
	}
	return b.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(g, tracked())
		return nil
	}, g)
}
