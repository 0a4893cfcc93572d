package retrainqueueexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// telemetry is the exporter's own metrics, through the component's
// MeterProvider. Reasons are attributes so that one instrument answers
// "why were events not turned into jobs".
type telemetry struct {
	*metadata.TelemetryBuilder
}

// attrReason says why an event or a job was counted where it was.
const attrReason = "reason"

// Values of attrReason.
const (
	reasonNotEvent  = "not_modelmon_event"
	reasonMalformed = "malformed"
	reasonResolved  = "resolved"
	reasonNoRetrain = "no_retrain_action"
	reasonDuplicate = "duplicate"
	reasonKind      = "kind"
	reasonSeverity  = "severity"
	reasonCooldown  = "cooldown"
	reasonRetryable = "retryable"
	reasonPermanent = "permanent"
)

func newTelemetry(set component.TelemetrySettings, pending func() int64) (*telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	err = b.RegisterExporterRetrainQueueJobsPendingCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(pending())
		return nil
	})
	return &telemetry{b}, err
}

func (t *telemetry) add(ctx context.Context, c metric.Int64Counter, n int, reason string) {
	if n == 0 {
		return
	}
	if reason == "" {
		c.Add(ctx, int64(n))
		return
	}
	c.Add(ctx, int64(n), metric.WithAttributes(attribute.String(attrReason, reason)))
}

func (t *telemetry) shutdown() {
	t.Shutdown()
}
