package modelmonprocessor

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// TestShardsMaxModelsExact: senders creating models on every shard at once
// never track more than max_models together, and every point of a model
// left out is counted over_limit.
func TestShardsMaxModelsExact(t *testing.T) {
	const senders, perSender, limit = 6, 40, 100
	for run := range 5 {
		cfg := stressConfig(16)
		cfg.MaxModels = limit
		e, _ := testEngine(t, cfg, nil)
		var overLimit sync.Map
		e.afterBatch = func(w *worker) {
			overLimit.Store(w.batch, w.counts[telemetry.OverLimit])
		}
		var wg sync.WaitGroup
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perSender {
					md := pmetric.NewMetrics()
					dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
					md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).SetName("model.accuracy")
					dp.SetTimestamp(pcommon.NewTimestampFromTime(t0))
					dp.SetDoubleValue(0.97)
					dp.Attributes().PutStr(modelevent.AttrModelName, fmt.Sprintf("m-%d-%d", g, i))
					_, err := e.processMetrics(context.Background(), md)
					require.NoError(t, err)
				}
			}()
		}
		wg.Wait()
		tracked := 0
		for _, s := range e.shards {
			s.mu.Lock()
			tracked += s.models.Len()
			s.mu.Unlock()
		}
		over := int64(0)
		overLimit.Range(func(_, v any) bool { over += v.(int64); return true })
		require.Equal(t, limit, tracked, "run %d", run)
		require.EqualValues(t, limit, e.nModels.Load(), "run %d", run)
		require.EqualValues(t, senders*perSender-limit, over, "run %d", run)
	}
}
