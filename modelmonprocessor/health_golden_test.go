package modelmonprocessor

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

var updateHealthGolden = flag.Bool("update-health-golden", false, "rewrite testdata/health/*.json from the current engine")

// healthGoldenConfig has a rule in every state the health metrics report:
// firing, pending (for), evaluated but inactive, never evaluated (no data
// for its signal) and a no_data rule; and a model key of three attributes.
func healthGoldenConfig() *Config {
	pending := below("accuracy_pending", SignalAccuracy, "mean", 0.9)
	pending.For = time.Hour
	absent := RuleConfig{Name: "silent", Kind: "no_data", AbsentFor: 5 * time.Minute}
	cfg := rules(
		below("accuracy_low", SignalAccuracy, "mean", 0.94),
		pending,
		above("drift_high", SignalDriftScore, "last", 0.2),
		above("latency_high", SignalLatency, "max", 100),
		absent,
	)
	cfg.ModelKey = []string{"model.name", "model.version", "tenant"}
	return cfg
}

// healthGoldenBatches are three batches over models whose resources are
// shared (x), distinct (y), empty, or equal in attributes but listed in
// another order; some models are touched again in a later batch.
func healthGoldenBatches(t *testing.T) []pmetric.Metrics {
	return []pmetric.Metrics{
		buildBatch(t, []string{
			"model.accuracy 0.5 model.name=a model.version=1 tenant=t1 r.service.name=x r.host=h1",
			"model.drift_score 0.3 model.name=a model.version=1 tenant=t1 r.service.name=x r.host=h1",
			"model.accuracy 0.97 model.name=b model.version=2 r.service.name=y",
			"model.latency 40 model.name=b model.version=2 r.service.name=y",
			"model.accuracy 0.92 model.name=c model.version=1 tenant=t2",
			"model.throughput 5 model.name=d model.version=1 r.service.name=x r.host=h1",
			"model.accuracy 0.93 model.name=e model.version=1 r.host=h1 r.service.name=x",
		}, t0),
		buildBatch(t, []string{
			"model.latency 150 model.name=b model.version=2 r.service.name=y",
			"model.accuracy 0.99 model.name=a model.version=1 tenant=t1 r.service.name=x r.host=h1",
		}, t0),
		buildBatch(t, []string{
			"unmapped.metric 1 model.name=a model.version=1",
		}, t0),
	}
}

// TestHealthMetricsGolden compares the whole output of every batch — the
// passed-through data and each health ResourceMetrics with its resource,
// scope, metric metadata, points, timestamps and attributes in order —
// with golden files, so that a faster way of building the health metrics
// cannot change what is emitted.
func TestHealthMetricsGolden(t *testing.T) {
	e, _ := testEngine(t, healthGoldenConfig(), consumertest.NewNop())
	for i, in := range healthGoldenBatches(t) {
		t.Run(filepath.Base(healthGoldenPath(i)), func(t *testing.T) {
			e.clock = func() time.Time { return t0.Add(time.Duration(i) * 10 * time.Second) }
			out, err := e.processMetrics(context.Background(), in)
			require.NoError(t, err)
			path := healthGoldenPath(i)
			if *updateHealthGolden {
				buf, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(out)
				require.NoError(t, err)
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, buf, 0o600))
			}
			buf, err := os.ReadFile(path)
			require.NoError(t, err)
			want, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(buf)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(want, out))
			// CompareMetrics matches resources by their attributes; the
			// encoding also pins their order and every byte of the output.
			got, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(out)
			require.NoError(t, err)
			require.JSONEq(t, string(buf), string(got))
		})
	}
}

func healthGoldenPath(batch int) string {
	return filepath.Join("testdata", "health", "batch"+string(rune('1'+batch))+".json")
}
