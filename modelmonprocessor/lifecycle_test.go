package modelmonprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// TestLifecycle creates, starts and shuts down the metrics and logs halves
// of one processor as the collector does, for the default config and
// variants that start more machinery; goleak (package_test.go) fails the
// package if anything outlives Shutdown.
func TestLifecycle(t *testing.T) {
	tests := []struct {
		name   string
		config func(*Config)
	}{
		{name: "default", config: func(*Config) {}},
		{name: "health metrics every batch", config: func(c *Config) { c.HealthMetricsInterval = 0 }},
		{name: "no health metrics", config: func(c *Config) { c.HealthMetrics = false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := NewFactory()
			cfg := f.CreateDefaultConfig().(*Config)
			tt.config(cfg)
			require.NoError(t, cfg.Validate())
			set := processortest.NewNopSettings(metadata.Type)
			metrics := new(consumertest.MetricsSink)
			mp, err := f.CreateMetrics(ctx, set, cfg, metrics)
			require.NoError(t, err)
			lp, err := f.CreateLogs(ctx, set, cfg, consumertest.NewNop())
			require.NoError(t, err)

			host := componenttest.NewNopHost()
			require.NoError(t, mp.Start(ctx, host))
			require.NoError(t, lp.Start(ctx, host))
			require.NoError(t, mp.ConsumeMetrics(ctx, badAccuracy("a", 0.5)))
			require.Len(t, metrics.AllMetrics(), 1)
			require.NoError(t, lp.Shutdown(ctx))
			require.NoError(t, mp.Shutdown(ctx))
		})
	}
}

// TestShutdownWithoutStart: the collector shuts down components whose start
// it never reached.
func TestShutdownWithoutStart(t *testing.T) {
	ctx := context.Background()
	f := NewFactory()
	set := processortest.NewNopSettings(metadata.Type)
	mp, err := f.CreateMetrics(ctx, set, f.CreateDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, mp.Shutdown(ctx))
}
