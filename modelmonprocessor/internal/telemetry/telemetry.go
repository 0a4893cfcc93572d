// Package telemetry records the processor's own metrics through the
// instruments of internal/metadata. Attribute sets are built once so that
// recording never allocates.
package telemetry // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// Outcome is what became of one data point of a mapped metric.
type Outcome uint8

// Outcomes, as reported in the `outcome` attribute.
const (
	Matched Outcome = iota
	NoModelKey
	InvalidValue
	Late
	OverLimit
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"matched", "no_model_key", "invalid_value", "late", "over_limit"}

// String returns the attribute value of o.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "unknown"
}

// Metric names of the processor's own telemetry, as metadata.yaml lists them.
const (
	MetricDataPoints    = "otelcol_processor_modelmon_datapoints"
	MetricModels        = "otelcol_processor_modelmon_models"
	MetricEvents        = "otelcol_processor_modelmon_events"
	MetricEventsDropped = "otelcol_processor_modelmon_events_dropped"
	MetricOutboxLength  = "otelcol_processor_modelmon_outbox_length"
	MetricAlertsLoaded  = "otelcol_processor_modelmon_alerts_loaded"
	MetricStateErrors   = "otelcol_processor_modelmon_state_errors"
	MetricStateWrites   = "otelcol_processor_modelmon_state_writes"
)

// Load outcomes of a saved firing alert at start, as reported in the
// `outcome` attribute of MetricAlertsLoaded.
const (
	// LoadRestored: the alert is firing again in its model, silently.
	LoadRestored = "restored"
	// LoadExpired: its rule or model key is no longer configured; resolved expired.
	LoadExpired = "expired"
	// LoadOverLimit: max_models was reached; resolved expired.
	LoadOverLimit = "over_limit"
	// LoadCorrupt: the record could not be read; skipped and deleted.
	LoadCorrupt = "corrupt"
)

// State operations that can fail, as reported in the `op` attribute of
// MetricStateErrors.
const (
	OpRead   = "read"
	OpWrite  = "write"
	OpDelete = "delete"
	// OpQueueFull: the write queue was full and a change was not saved.
	OpQueueFull = "queue_full"
)

// Counts accumulates outcomes over one batch, so each batch records once per
// outcome instead of once per point.
type Counts [numOutcomes]int64

// Telemetry records the processor's own metrics on the instruments of
// metadata.TelemetryBuilder, with the attribute sets built once.
type Telemetry struct {
	b *metadata.TelemetryBuilder

	outcomeOpts [numOutcomes]metric.AddOption
	firingOpt   metric.AddOption
	resolvedOpt metric.AddOption
}

// New creates the instruments on the component's MeterProvider.
func New(set component.TelemetrySettings) (*Telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set)
	t := &Telemetry{b: b}
	for o := Outcome(0); o < numOutcomes; o++ {
		t.outcomeOpts[o] = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", o.String())))
	}
	t.firingOpt = metric.WithAttributeSet(attribute.NewSet(attribute.String("state", "firing")))
	t.resolvedOpt = metric.WithAttributeSet(attribute.NewSet(attribute.String("state", "resolved")))
	return t, err
}

// RecordDataPoints adds one batch's outcome counts.
func (t *Telemetry) RecordDataPoints(ctx context.Context, c *Counts) {
	for o, n := range c {
		if n > 0 {
			t.b.ProcessorModelmonDatapoints.Add(ctx, n, t.outcomeOpts[o])
		}
	}
}

// RecordModels sets the number of tracked models.
func (t *Telemetry) RecordModels(ctx context.Context, n int) {
	t.b.ProcessorModelmonModels.Record(ctx, int64(n))
}

// RecordEvents adds emitted events by state.
func (t *Telemetry) RecordEvents(ctx context.Context, firing, resolved int) {
	if firing > 0 {
		t.b.ProcessorModelmonEvents.Add(ctx, int64(firing), t.firingOpt)
	}
	if resolved > 0 {
		t.b.ProcessorModelmonEvents.Add(ctx, int64(resolved), t.resolvedOpt)
	}
}

// RecordDropped adds dropped events.
func (t *Telemetry) RecordDropped(ctx context.Context, n int) {
	if n > 0 {
		t.b.ProcessorModelmonEventsDropped.Add(ctx, int64(n))
	}
}

// RecordOutbox sets the number of events waiting for retry.
func (t *Telemetry) RecordOutbox(ctx context.Context, n int) {
	t.b.ProcessorModelmonOutboxLength.Record(ctx, int64(n))
}

// RecordLoaded adds n saved alerts read back at start with outcome (Load…).
// Called once per start, so the attribute set is built here.
func (t *Telemetry) RecordLoaded(ctx context.Context, outcome string, n int) {
	if n > 0 {
		t.b.ProcessorModelmonAlertsLoaded.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", outcome)))
	}
}

// RecordStateError adds n failures of op (Op…) on the saved alerts. Failures
// are rare, so the attribute set is built per call.
func (t *Telemetry) RecordStateError(ctx context.Context, op string, n int) {
	if n > 0 {
		t.b.ProcessorModelmonStateErrors.Add(ctx, int64(n), metric.WithAttributes(attribute.String("op", op)))
	}
}

// RecordStateWrites adds n changes of op (OpWrite or OpDelete) written to
// storage. Called once per flush of the writer.
func (t *Telemetry) RecordStateWrites(ctx context.Context, op string, n int) {
	if n > 0 {
		t.b.ProcessorModelmonStateWrites.Add(ctx, int64(n), metric.WithAttributes(attribute.String("op", op)))
	}
}
