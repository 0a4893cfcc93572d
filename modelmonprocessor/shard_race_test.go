package modelmonprocessor

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// stressSenders and stressModels shape the concurrency stress test. Two
// models in three are disjoint: one sender sends both their signals. The
// third overlaps: one sender sends its accuracy, the next its f1 score, so
// batches of different senders meet in that model's state (never in one
// signal, whose points keep their order). A model's clock is its newest
// point of any signal, so the ticker may step a lifecycle of one signal
// past points of it still on their way from a slower sender: the
// overlapping models' accuracy stays healthy, and their f1 rule has no
// `for`, so their events do not depend on which sender runs ahead.
const (
	stressSenders = 6
	stressModels  = 48
	stressRounds  = 80
)

// stressBatches returns, per sender, its batches in order. Most carry one
// round; every seventh carries three, as a backlog would.
func stressBatches() [][]pmetric.Metrics {
	out := make([][]pmetric.Metrics, stressSenders)
	for g := range stressSenders {
		for r := 0; r < stressRounds; {
			n := 1
			if r%7 == 3 {
				n = 3
			}
			md := pmetric.NewMetrics()
			for ; n > 0 && r < stressRounds; n-- {
				appendStressRound(md, g, r)
				r++
			}
			out[g] = append(out[g], md)
		}
	}
	return out
}

// appendStressRound adds sender g's points of round r: accuracy of the
// models i with i%senders == g, f1 of those with i%senders == g, or
// (i+1)%senders == g for an overlapping model. Values breach in episodes
// that differ per model.
func appendStressRound(md pmetric.Metrics, g, r int) {
	ts := pcommon.NewTimestampFromTime(t0.Add(-time.Hour + time.Duration(r)*time.Second))
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("sender-%d", g))
	sm := rm.ScopeMetrics().AppendEmpty()
	for _, sig := range []struct {
		metric string
		shift  int
	}{{"model.accuracy", 0}, {"model.f1_score", 1}} {
		m := sm.Metrics().AppendEmpty()
		m.SetName(sig.metric)
		dps := m.SetEmptyGauge().DataPoints()
		for i := range stressModels {
			overlap := i%3 == 2
			if sender := i + sig.shift*btoi(overlap); sender%stressSenders != g {
				continue
			}
			v := 0.97
			if (r+3*i)%17 < 5+i%4 && (!overlap || sig.shift == 1) {
				v = 0.5
			}
			dp := dps.AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetDoubleValue(v)
			dp.Attributes().PutStr(modelevent.AttrModelName, fmt.Sprintf("m-%02d", i))
			dp.Attributes().PutStr(modelevent.AttrModelVersion, "v1")
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func stressConfig(shards int) *Config {
	acc := below("accuracy_low", SignalAccuracy, "last", 0.9)
	acc.For = 2 * time.Second
	acc.KeepFiringFor = time.Second
	cfg := rules(acc, below("f1_low", SignalF1Score, "mean", 0.8))
	cfg.Window.Size = 8
	cfg.Shards = shards
	return cfg
}

// eventsByLifecycle groups events by model and rule, in delivery order.
func eventsByLifecycle(sink *consumertest.LogsSink) map[string][]string {
	out := map[string][]string{}
	for _, v := range violations(sink) {
		k := v.ModelID() + "/" + v.Rule
		out[k] = append(out[k], fmt.Sprintf("%s at %s since %s observed %g",
			v.State, v.Time.Format(time.RFC3339Nano), v.StartedAt.Format(time.RFC3339Nano), v.Observed))
	}
	return out
}

// sequentialEvents runs the batches one at a time, sender after sender per
// round, on an engine with the given shards.
func sequentialEvents(t *testing.T, shards int, batches [][]pmetric.Metrics) map[string][]string {
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, stressConfig(shards), sink)
	for i := 0; ; i++ {
		sent := false
		for g := range batches {
			if i < len(batches[g]) {
				_, err := e.processMetrics(context.Background(), batches[g][i])
				require.NoError(t, err)
				sent = true
			}
		}
		if !sent {
			break
		}
	}
	e.tick()
	return eventsByLifecycle(sink)
}

// TestShardsConcurrentStress: senders in parallel, the evaluation tick and
// status snapshots racing with them, on a sharded engine; each model's
// events per rule are exactly those of a sequential run on one shard, with
// health points in every batch or not. Run under -race, it also proves the
// shards guard what they must.
func TestShardsConcurrentStress(t *testing.T) {
	batches := stressBatches()
	want := sequentialEvents(t, 1, batches)
	require.NotEmpty(t, want)
	episodes := 0
	for _, evs := range want {
		episodes += len(evs)
	}
	require.Greater(t, episodes, 2*stressModels, "the workload makes several episodes per model")
	for k, evs := range sequentialEvents(t, 16, batches) {
		assert.Equal(t, want[k], evs, "sequentially, 16 shards give what one gives: %s", k)
	}

	for run := range 3 {
		sink := new(consumertest.LogsSink)
		cfg := stressConfig(8)
		if run == 2 {
			// Health points in every batch: each batch reads its models'
			// lifecycles for them under their shards while others change them.
			cfg.HealthMetricsInterval = 0
		}
		e, _ := testEngine(t, cfg, sink)
		done := make(chan struct{})
		var bg sync.WaitGroup
		bg.Add(2)
		go func() {
			defer bg.Done()
			for {
				select {
				case <-done:
					return
				default:
					e.tick()
				}
			}
		}()
		go func() {
			defer bg.Done()
			src := &statusSource{e: e}
			for {
				select {
				case <-done:
					return
				default:
					snap := src.Snapshot(status.Query{})
					assert.LessOrEqual(t, snap.Counts.Models, stressModels)
				}
			}
		}()
		var senders sync.WaitGroup
		for g := range batches {
			senders.Add(1)
			go func() {
				defer senders.Done()
				for _, md := range batches[g] {
					_, err := e.processMetrics(context.Background(), md)
					assert.NoError(t, err)
				}
			}()
		}
		senders.Wait()
		close(done)
		bg.Wait()
		e.tick()
		got := eventsByLifecycle(sink)
		for k, evs := range want {
			assert.Equal(t, evs, got[k], "run %d: %s", run, k)
		}
		assert.Len(t, got, len(want), "run %d", run)
	}
}

// TestShardsShutdownRacesBatches: shutdown while batches are in flight
// neither panics nor delivers an event twice.
func TestShardsShutdownRacesBatches(t *testing.T) {
	batches := stressBatches()
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, stressConfig(8), sink)
	require.NoError(t, e.start(context.Background(), nil))
	var senders sync.WaitGroup
	for g := range batches {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for _, md := range batches[g] {
				_, _ = e.processMetrics(context.Background(), md)
			}
		}()
	}
	require.NoError(t, e.shutdown(context.Background()))
	senders.Wait()
	seen := map[string]bool{}
	for _, v := range violations(sink) {
		k := fmt.Sprintf("%s %s %s", v.AlertID, v.State, v.Time)
		assert.False(t, seen[k], "delivered twice: %s", k)
		seen[k] = true
	}
}
