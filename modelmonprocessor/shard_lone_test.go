package modelmonprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// loneRounds is the number of batches TestLoneBatchOnePass sends: enough
// for loneAfter batches in two passes and as many after them in one.
const loneRounds = 2 * loneAfter

// loneBatches returns one batch per round with every sender's points of
// the round: 96 points, more than loneMinPointsPerShard per shard of 4.
func loneBatches() []pmetric.Metrics {
	out := make([]pmetric.Metrics, loneRounds)
	for r := range out {
		out[r] = pmetric.NewMetrics()
		for g := range stressSenders {
			appendStressRound(out[r], g, r%stressRounds)
		}
	}
	return out
}

// loneRun sends the batches one at a time and returns the events, each
// batch's output (with its health metrics) in protobuf, and whether each
// batch was read in one pass. overlap makes every batch find another in
// flight.
func loneRun(t *testing.T, shards int, overlap bool) (events map[string][]string, out [][]byte, fused []bool) {
	t.Helper()
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, stressConfig(shards), sink)
	e.afterBatch = func(w *worker) { fused = append(fused, w.fused) }
	var enc pmetric.ProtoMarshaler
	for _, md := range loneBatches() {
		if overlap {
			e.overlapAt.Store(e.batches.Load() + 1)
		}
		got, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
		b, err := enc.MarshalMetrics(got)
		require.NoError(t, err)
		out = append(out, b)
	}
	e.tick()
	return eventsByLifecycle(sink), out, fused
}

// TestLoneBatchOnePass: on a sharded engine, batches that come one at a
// time are read in one pass holding every shard once loneAfter of them came
// alone, and batches that find another in flight in two; either way the
// events and the health metrics each batch carries are those of one shard.
func TestLoneBatchOnePass(t *testing.T) {
	oneEvents, oneOut, _ := loneRun(t, 1, false)
	require.NotEmpty(t, oneEvents)

	events, out, fused := loneRun(t, 4, false)
	require.Len(t, fused, loneRounds)
	for i, f := range fused {
		// Batches are numbered from 1; the first loneAfter-1 come before
		// loneAfter batches have come alone.
		require.Equal(t, i+1 >= loneAfter, f, "batch %d read in one pass", i+1)
	}
	require.Equal(t, oneEvents, events)
	require.Equal(t, oneOut, out)

	events, out, fused = loneRun(t, 4, true)
	require.NotContains(t, fused, true)
	require.Equal(t, oneEvents, events)
	require.Equal(t, oneOut, out)
}

// TestLoneBatchTooSmall: a batch with fewer points than
// loneMinPointsPerShard per shard is read in two passes even when alone,
// as taking every shard's lock would cost more than the batch.
func TestLoneBatchTooSmall(t *testing.T) {
	e, _ := testEngine(t, stressConfig(64), nil)
	var fused []bool
	e.afterBatch = func(w *worker) { fused = append(fused, w.fused) }
	for r := range loneRounds {
		md := pmetric.NewMetrics()
		appendStressRound(md, 0, r%stressRounds)
		_, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
	}
	require.Len(t, fused, loneRounds)
	require.NotContains(t, fused, true)
}
