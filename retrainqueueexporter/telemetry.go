package retrainqueueexporter

import (
	"context"
	"errors"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// telemetry is the exporter's own metrics, through the component's
// MeterProvider. Reasons are attributes so that one instrument answers
// "why were events not turned into jobs".
type telemetry struct {
	eventsReceived  metric.Int64Counter
	eventsIgnored   metric.Int64Counter
	eventsFiltered  metric.Int64Counter
	jobsCreated     metric.Int64Counter
	jobsCoalesced   metric.Int64Counter
	jobsSuppressed  metric.Int64Counter
	jobsHeld        metric.Int64Counter
	jobsWritten     metric.Int64Counter
	jobsFailed      metric.Int64Counter
	pendingGauge    metric.Int64ObservableGauge
	pendingCallback metric.Registration
}

// metricNamePrefix starts the name of every metric of this exporter.
const metricNamePrefix = "modelmon.retrain_queue."

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
	m := set.MeterProvider.Meter(metadata.ScopeName)
	t := &telemetry{}
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(metricNamePrefix+name, metric.WithDescription(desc), metric.WithUnit("{"+unitOf(name)+"}"))
		errs = append(errs, err)
		return c
	}
	t.eventsReceived = counter("events.received", "Log records the exporter received.")
	t.eventsIgnored = counter("events.ignored", "Log records not turned into jobs: not modelmon events, malformed, resolved, without the retrain action, or duplicates.")
	t.eventsFiltered = counter("events.filtered", "Retrain events dropped by the kinds or min_severity filter.")
	t.jobsCreated = counter("jobs.created", "Retraining jobs opened.")
	t.jobsCoalesced = counter("jobs.coalesced", "Violations merged into a model's open job.")
	t.jobsSuppressed = counter("jobs.suppressed", "Violations suppressed because their model's job exists or its cooldown runs.")
	t.jobsHeld = counter("jobs.held", "Jobs held back by max_jobs_per_hour.")
	t.jobsWritten = counter("jobs.written", "Jobs the backend accepted.")
	t.jobsFailed = counter("jobs.failed", "Failed job writes; retryable ones are tried again, permanent ones are dropped and logged.")
	var err error
	t.pendingGauge, err = m.Int64ObservableGauge(metricNamePrefix+"jobs.pending",
		metric.WithDescription("Jobs recorded but not yet written (open, due or held)."), metric.WithUnit("{job}"))
	errs = append(errs, err)
	if err == nil {
		t.pendingCallback, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			o.ObserveInt64(t.pendingGauge, pending())
			return nil
		}, t.pendingGauge)
		errs = append(errs, err)
	}
	return t, errors.Join(errs...)
}

// unitOf is the UCUM annotation of a counter: events count log records,
// jobs count jobs.
func unitOf(name string) string {
	if strings.HasPrefix(name, "events.") {
		return "record"
	}
	return "job"
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
	if t.pendingCallback != nil {
		_ = t.pendingCallback.Unregister()
		t.pendingCallback = nil
	}
}
