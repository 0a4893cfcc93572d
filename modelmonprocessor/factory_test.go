package modelmonprocessor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	assert.Equal(t, metadata.MetricsStability, f.MetricsStability())
	assert.Equal(t, metadata.LogsStability, f.LogsStability())
	_, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), f.CreateDefaultConfig(), consumertest.NewNop())
	assert.Error(t, err)
}

// badAccuracy is a batch that fires the default accuracy rule.
func badAccuracy(name string, v float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "fraud-api")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.accuracy")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(v)
	dp.SetTimestamp(1)
	dp.Attributes().PutStr(modelevent.AttrModelName, name)
	dp.Attributes().PutStr(modelevent.AttrModelVersion, "v1")
	return md
}

func violations(sink *consumertest.LogsSink) []modelevent.Violation {
	var out []modelevent.Violation
	for _, ld := range sink.AllLogs() {
		for _, ev := range modelevent.DecodeLogs(ld).Events {
			out = append(out, ev.Violation)
		}
	}
	return out
}

// TestSharedLifecycle follows one component ID through a metrics and a logs
// pipeline: one engine, events still flow while either half runs, and the
// last shutdown stops the ticker and forgets the engine.
func TestSharedLifecycle(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	f := newFactory()
	set := processortest.NewNopSettings(metadata.Type)
	cfg := f.CreateDefaultConfig()
	logsOut := new(consumertest.LogsSink)
	metricsOut := new(consumertest.MetricsSink)

	mp, err := f.CreateMetrics(ctx, set, cfg, metricsOut)
	require.NoError(t, err)
	lp, err := f.CreateLogs(ctx, set, cfg, logsOut)
	require.NoError(t, err)
	require.Equal(t, 1, f.engines.len())
	shared := f.engines.lookup(set.ID)

	host := componenttest.NewNopHost()
	require.NoError(t, mp.Start(ctx, host))
	require.NoError(t, lp.Start(ctx, host))

	require.NoError(t, mp.ConsumeMetrics(ctx, badAccuracy("a", 0.5)))
	require.Len(t, violations(logsOut), 1, "the metrics half emits through the logs half's consumer")

	// Upstream logs pass through the logs half unchanged.
	upstream := plog.NewLogs()
	upstream.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	require.NoError(t, lp.ConsumeLogs(ctx, upstream))
	require.Equal(t, 2, logsOut.LogRecordCount())
	assert.Equal(t, "hello", logsOut.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())

	// Shutting down one half keeps the engine: events still flow.
	require.NoError(t, lp.Shutdown(ctx))
	require.NoError(t, lp.Shutdown(ctx), "shutdown is idempotent per processor")
	require.NoError(t, mp.ConsumeMetrics(ctx, badAccuracy("b", 0.5)))
	require.Len(t, violations(logsOut), 2)
	require.Equal(t, 1, f.engines.len())

	require.NoError(t, mp.Shutdown(ctx))
	assert.Zero(t, f.engines.len(), "the last shutdown forgets the engine")
	select {
	case <-shared.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the ticker goroutine did not stop")
	}
	// +1: Eventually runs the condition on a goroutine of its own.
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+1 },
		5*time.Second, 10*time.Millisecond, "no goroutine may outlive the engine")
	assert.Len(t, metricsOut.AllMetrics(), 2, "metrics still reached the next consumer")
}

// TestNoLogsPipeline checks the single warning at Start, and that metrics
// and health metrics still flow.
func TestNoLogsPipeline(t *testing.T) {
	ctx := context.Background()
	core, logs := observer.New(zap.WarnLevel)
	set := processortest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	next := new(consumertest.MetricsSink)
	mp, err := NewFactory().CreateMetrics(ctx, set, createDefaultConfig(), next)
	require.NoError(t, err)
	require.NoError(t, mp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, mp.ConsumeMetrics(ctx, badAccuracy("a", 0.5)))
	require.NoError(t, mp.ConsumeMetrics(ctx, badAccuracy("a", 0.5)))
	require.NoError(t, mp.Shutdown(ctx))
	require.Equal(t, 1, logs.FilterMessageSnippet("no logs pipeline").Len())
	require.Len(t, next.AllMetrics(), 2)
	assert.Equal(t, 2, next.AllMetrics()[0].ResourceMetrics().Len(), "the batch plus the model's health metrics")
}

// TestEnginesBelongToTheirFactory: the same component ID created by two
// factories (two collectors in one process) gets two engines; one factory
// shares one engine between its metrics and logs processors.
func TestEnginesBelongToTheirFactory(t *testing.T) {
	ctx := context.Background()
	set := processortest.NewNopSettings(metadata.Type)
	a, b := newFactory(), newFactory()
	cfg := a.CreateDefaultConfig()
	mpA, err := a.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	lpA, err := a.CreateLogs(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	mpB, err := b.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.Equal(t, 1, a.engines.len())
	assert.Equal(t, 1, b.engines.len())
	assert.NotSame(t, a.engines.lookup(set.ID), b.engines.lookup(set.ID))
	for _, p := range []component.Component{mpA, lpA, mpB} {
		require.NoError(t, p.Shutdown(ctx))
	}
	assert.Zero(t, a.engines.len()+b.engines.len())
}
