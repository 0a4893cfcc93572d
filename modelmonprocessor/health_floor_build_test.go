package modelmonprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/testing/benchdata"
)

// Floor H is only a floor of this contract if it builds what the engine
// builds: the engine's output and the batch with the plan built onto it
// must be the same, byte for byte in their encoding.
func TestHealthFloorBuildsEngineOutput(t *testing.T) {
	fleet := func(hist bool) []pmetric.Metrics {
		var out []pmetric.Metrics
		for first := 0; first < 300; first += 100 {
			out = append(out, benchdata.Fleet(benchdata.FleetOptions{
				First: first, Count: 100, Models: 300, Time: t0,
				LatencyHistogram: hist, DeltaHistogram: hist,
			}))
		}
		return out
	}
	tests := []struct {
		name    string
		cfg     *Config
		batches []pmetric.Metrics
	}{
		{"golden", healthGoldenConfig(), healthGoldenBatches(t)},
		{"fleet", createDefaultConfig().(*Config), fleet(false)},
		{"fleet_hist", createDefaultConfig().(*Config), fleet(true)},
		{"testbed_models", createDefaultConfig().(*Config), []pmetric.Metrics{
			benchdata.TestbedModels(0, 210, t0), benchdata.TestbedModels(105, 210, t0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := testEngine(t, tt.cfg, consumertest.NewNop())
			for round := 0; round < 2; round++ {
				for _, in := range tt.batches {
					e.clock = func() time.Time { return t0.Add(time.Duration(round) * time.Minute) }
					keep := in.ResourceMetrics().Len()
					rebuilt := pmetric.NewMetrics()
					in.CopyTo(rebuilt)
					out, err := e.processMetrics(context.Background(), in)
					require.NoError(t, err)
					plan, err := planFrom(out, keep)
					require.NoError(t, err)
					buildHealthFloor(rebuilt, &plan)
					require.NoError(t, pmetrictest.CompareMetrics(out, rebuilt))
					want, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(out)
					require.NoError(t, err)
					got, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(rebuilt)
					require.NoError(t, err)
					require.Equal(t, want, got)
					cutTo(in, keep)
				}
			}
		})
	}
}

// Every way BenchmarkHealthBuild measures builds the same output.
func TestHealthBuildVariantsAgree(t *testing.T) {
	e, _ := testEngine(t, healthGoldenConfig(), consumertest.NewNop())
	var plans []healthPlan
	var batches []pmetric.Metrics
	for _, in := range healthGoldenBatches(t)[:2] {
		keep := in.ResourceMetrics().Len()
		out, err := e.processMetrics(context.Background(), in)
		require.NoError(t, err)
		plan, err := planFrom(out, keep)
		require.NoError(t, err)
		plans = append(plans, plan)
		cutTo(out, keep)
		batches = append(batches, out)
	}
	for _, v := range healthBuildVariants() {
		t.Run(v.name, func(t *testing.T) {
			var prepared any
			if v.prepare != nil {
				prepared = v.prepare(t, plans)
			}
			for i := range plans {
				want := pmetric.NewMetrics()
				batches[i].CopyTo(want)
				buildHealthFloor(want, &plans[i])
				got := pmetric.NewMetrics()
				batches[i].CopyTo(got)
				v.build(got, &plans[i], i, prepared)
				require.NoError(t, pmetrictest.CompareMetrics(want, got))
				wb, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(want)
				require.NoError(t, err)
				gb, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(got)
				require.NoError(t, err)
				require.Equal(t, wb, gb)
			}
		})
	}
}
