// Package modelmonprocessor watches model-quality metrics per model, evaluates
// alerting rules over sliding windows and emits each alert state change as a
// modelmon.violation log record, passing the metrics on unchanged.
package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// NewFactory returns the factory of the modelmon processor. It supports a
// metrics pipeline (evaluation) and a logs pipeline (event injection); both
// share one engine per component ID.
func NewFactory() processor.Factory {
	return newFactory().Factory
}

// factory owns the registry of shared engines of the processors it creates.
type factory struct {
	processor.Factory
	engines *registry
}

func newFactory() *factory {
	f := &factory{engines: newRegistry()}
	f.Factory = processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(f.createMetrics, metadata.MetricsStability),
		processor.WithLogs(f.createLogs, metadata.LogsStability),
	)
	return f
}

func (f *factory) sharedFor(set processor.Settings, cfg component.Config) (*sharedEngine, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("modelmon: unexpected config type %T", cfg)
	}
	return f.engines.getOrCreate(set.ID, func() (*engine, error) { return newEngine(c, set) })
}

func (f *factory) createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	s, err := f.sharedFor(set, cfg)
	if err != nil {
		return nil, err
	}
	h := &handle{shared: s}
	return processorhelper.NewMetrics(ctx, set, cfg, next, s.processMetrics,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: s.cfg.HealthMetrics}),
		processorhelper.WithStart(h.start),
		processorhelper.WithShutdown(h.shutdown))
}

func (f *factory) createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	s, err := f.sharedFor(set, cfg)
	if err != nil {
		return nil, err
	}
	s.addLogsConsumer(next)
	h := &handle{shared: s}
	// Upstream logs pass through unchanged; events enter the pipeline
	// through next directly, not through this function.
	passThrough := func(_ context.Context, ld plog.Logs) (plog.Logs, error) { return ld, nil }
	return processorhelper.NewLogs(ctx, set, cfg, next, passThrough,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		processorhelper.WithStart(h.start),
		processorhelper.WithShutdown(h.shutdown))
}
