package modelmonprocessor

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// TestConcurrentConsume drives one started processor from several
// goroutines while the ticker runs; meant for `go test -race`. Each model
// fires exactly once no matter how the batches interleave.
func TestConcurrentConsume(t *testing.T) {
	ctx := context.Background()
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Millisecond
	set := processortest.NewNopSettings(metadata.Type)
	f := NewFactory()
	logs := new(consumertest.LogsSink)
	metrics := new(consumertest.MetricsSink)
	mp, err := f.CreateMetrics(ctx, set, cfg, metrics)
	require.NoError(t, err)
	lp, err := f.CreateLogs(ctx, set, cfg, logs)
	require.NoError(t, err)
	require.NoError(t, mp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, lp.Start(ctx, componenttest.NewNopHost()))

	const workers, batches = 4, 50
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < batches; i++ {
				name := "m" + strconv.Itoa(i%10)
				if err := mp.ConsumeMetrics(ctx, badAccuracy(name, 0.5)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, mp.Shutdown(ctx))
	require.NoError(t, lp.Shutdown(ctx))
	assert.Len(t, metrics.AllMetrics(), workers*batches)
	fired := map[string]int{}
	for _, v := range violations(logs) {
		fired[v.ModelID()]++
	}
	assert.Len(t, fired, 10)
	for id, n := range fired {
		assert.Equal(t, 1, n, id)
	}
}
