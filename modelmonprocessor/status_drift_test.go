package modelmonprocessor

import (
	"context"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// driftStatusEngine runs driftStreams up to point n (income drifts from
// point 60) through a feature_drift rule reading learned references.
func driftStatusEngine(t *testing.T, n int) *engine {
	rule := featureDrift()
	rule.Above = ptr(0.1)
	rule.Annotations = map[string]string{"summary": `{{ index .Key "feature.name" }} drifted`}
	e, _ := testEngine(t, driftConfig(rule), consumertest.NewNop())
	sendHist(t, e, driftStreams(1)[:2*n], 2)
	return e
}

func TestStatusDriftGroups(t *testing.T) {
	e := driftStatusEngine(t, 90)
	key := []modelevent.Attribute{{Key: "model.name", Value: "fraud"}, {Key: "model.version", Value: "v1"}}
	group := []modelevent.Attribute{{Key: "feature.name", Value: "income"}}

	snap := source(e).Snapshot(status.Query{})
	assert.Equal(t, status.Counts{Models: 1, Firing: 1, FiringAlerts: 1}, snap.Counts, "the drifting group's alert counts")
	require.Len(t, snap.Rules, 1)
	assert.Equal(t, "jensen_shannon", snap.Rules[0].Aggregation)
	require.Len(t, snap.Models, 1)
	m := snap.Models[0]
	assert.Equal(t, status.StateFiring, m.State)
	require.Len(t, m.Rules, 1)
	assert.Equal(t, status.StateFiring, m.Rules[0].State, "the rule shows its worst group")
	assert.Greater(t, m.Rules[0].Value, 0.1)
	assert.Empty(t, m.Drift, "groups only for a single model")

	require.Len(t, snap.Alerts, 1)
	a := snap.Alerts[0]
	assert.Equal(t, modelevent.AlertID("feature_drift", key, group...), a.ID)
	assert.Equal(t, []status.Label{{Name: "model.name", Value: "fraud"}, {Name: "model.version", Value: "v1"},
		{Name: "feature.name", Value: "income"}}, a.Labels)
	assert.Equal(t, status.StateFiring, a.State)
	assert.Equal(t, "drift", a.Kind)
	assert.Equal(t, "above", a.Comparison)
	assert.Greater(t, a.Value, 0.1)
	assert.Equal(t, 0.1, a.Threshold)
	assert.Equal(t, []status.Label{{Name: "summary", Value: "income drifted"}}, a.Annotations, "templates see the group")

	one := source(e).Snapshot(status.Query{Model: "fraud:v1"})
	require.Len(t, one.Models, 1)
	m = one.Models[0]
	for _, s := range m.Signals {
		assert.Empty(t, s.Lines, "a distance is not drawn in the signal's units")
	}
	require.Len(t, m.Drift, 2)
	assert.Equal(t, 2, m.DriftGroups)
	inc, age := m.Drift[0], m.Drift[1]
	assert.Equal(t, []status.Label{{Name: "feature.name", Value: "income"}}, inc.Group, "firing first")
	assert.Equal(t, status.StateFiring, inc.State)
	assert.Equal(t, a.ID, inc.AlertID)
	assert.Equal(t, "learned", inc.Reference)
	assert.Equal(t, "jensen_shannon", inc.Aggregation)
	assert.True(t, inc.Evaluated)
	assert.Equal(t, a.Value, inc.Distance)
	assert.Equal(t, 0.1, inc.Threshold)
	assert.Equal(t, 16, inc.Samples)
	assert.False(t, inc.ActiveAt.IsZero())
	assert.Len(t, inc.Top, 3)
	assert.Equal(t, status.StateInactive, age.State)
	assert.True(t, age.Evaluated)
	assert.Less(t, age.Distance, 0.1)

	// The bars: five buckets of featureBounds, each side's shares sum to 1,
	// and the mass of the shifted feature moved up.
	require.Len(t, inc.Buckets, len(featureBounds)+1)
	assert.Equal(t, 1, inc.Merged)
	var cur, ref, curHigh, refHigh float64
	for i, b := range inc.Buckets {
		cur += b.Cur
		ref += b.Ref
		if i >= 3 {
			curHigh += b.Cur
			refHigh += b.Ref
		}
	}
	assert.InDelta(t, 1, cur, 1e-9)
	assert.InDelta(t, 1, ref, 1e-9)
	assert.Greater(t, curHigh, refHigh+0.2)
	assert.True(t, math.IsInf(inc.Buckets[0].Lower, -1))
	assert.Equal(t, 10.0, inc.Buckets[0].Upper)
	assert.True(t, math.IsInf(inc.Buckets[4].Upper, 1))

	t.Run("resolved alert carries the group", func(t *testing.T) {
		sendHist(t, e, driftStreams(1)[2*90:], 2)
		s := source(e).Snapshot(status.Query{})
		require.Len(t, s.Resolved, 1)
		assert.Contains(t, s.Resolved[0].Labels, status.Label{Name: "feature.name", Value: "income"})
		assert.Equal(t, status.Counts{Models: 1, Inactive: 1}, s.Counts)
	})
}

// TestStatusDriftGroupsBounded: a model with more groups than a snapshot
// holds shows the worst of them and says how many there are.
func TestStatusDriftGroupsBounded(t *testing.T) {
	rule := featureDrift()
	rule.MinSamples = 1
	rule.MaxGroups = 2 * status.MaxDriftGroups
	e, _ := testEngine(t, driftConfig(rule), consumertest.NewNop())
	n := status.MaxDriftGroups + 10
	var points []featPoint
	for i := range n {
		points = append(points, featPoint{model: "m", version: "1", feature: "f" + strconv.Itoa(i), metric: "model.feature.value",
			t: t0, counts: []uint64{1, 2, 3, 4, 5}})
	}
	sendHist(t, e, points, 1000)
	m := source(e).Snapshot(status.Query{Model: "m:1"}).Models[0]
	assert.Len(t, m.Drift, status.MaxDriftGroups)
	assert.Equal(t, n, m.DriftGroups)
}

// TestStatusDriftSnapshotWhileIngesting: page reads race with drift
// evaluation only through the engine's lock (run with -race); the last
// snapshot sees the drifting group firing.
func TestStatusDriftSnapshotWhileIngesting(t *testing.T) {
	rule := featureDrift()
	rule.Above = ptr(0.1)
	e, _ := testEngine(t, driftConfig(rule), consumertest.NewNop())
	points := driftStreams(1)[:2*90]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < len(points); i += 2 {
			_, _ = e.processMetrics(context.Background(), featBatch(points[i:i+2]))
		}
	}()
	for {
		select {
		case <-done:
			s := source(e).Snapshot(status.Query{})
			assert.Equal(t, 1, s.Counts.FiringAlerts)
			m := source(e).Snapshot(status.Query{Model: "fraud:v1"}).Models[0]
			require.Len(t, m.Drift, 2)
			assert.Equal(t, status.StateFiring, m.Drift[0].State)
			assert.NotEmpty(t, m.Drift[0].Buckets)
			return
		default:
			_ = source(e).Snapshot(status.Query{})
			_ = source(e).Snapshot(status.Query{Model: "fraud:v1"})
		}
	}
}

func TestMergeBuckets(t *testing.T) {
	bounds := make([]float64, 199)
	cur, ref := make([]float64, 200), make([]float64, 200)
	for i := range bounds {
		bounds[i] = float64(i)
	}
	for i := range cur {
		cur[i], ref[i] = 3, 0
	}
	ref[199] = 40
	bars, k := mergeBuckets(bounds, cur, ref)
	assert.Equal(t, 4, k)
	require.Len(t, bars, 50)
	assert.True(t, math.IsInf(bars[0].Lower, -1))
	assert.Equal(t, 3.0, bars[0].Upper, "buckets 0–3 end at bound 3")
	assert.Equal(t, 3.0, bars[1].Lower)
	assert.True(t, math.IsInf(bars[49].Upper, 1))
	assert.InDelta(t, 4.0/200, bars[10].Cur, 1e-12)
	assert.Equal(t, 1.0, bars[49].Ref)
	few, k := mergeBuckets([]float64{1}, []float64{1, 3}, []float64{2, 0})
	assert.Equal(t, 1, k)
	assert.Equal(t, []status.DriftBucket{{Lower: math.Inf(-1), Upper: 1, Cur: 0.25, Ref: 1}, {Lower: 1, Upper: math.Inf(1), Cur: 0.75}}, few)
	none, _ := mergeBuckets([]float64{1}, []float64{0, 0}, []float64{2, 0})
	assert.Empty(t, none, "an empty side has no shares")
}

// TestHealthDriftGroups: each evaluated drift group reports its distance,
// and an active one its alert, with the group attributes beside the
// model key.
func TestHealthDriftGroups(t *testing.T) {
	rule := featureDrift()
	rule.Above = ptr(0.1)
	cfg := driftConfig(rule)
	cfg.HealthMetrics, cfg.HealthMetricsInterval = true, 0
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	pts := driftStreams(1)[:2*90]
	sendHist(t, e, pts[:len(pts)-2], 2)
	last := pts[len(pts)-2:]
	e.clock = func() time.Time { return last[1].t }
	out, err := e.processMetrics(context.Background(), featBatch(last))
	require.NoError(t, err)

	type point struct {
		metric, feature, state string
		value, threshold       float64
		attrs                  int
	}
	var got []point
	for _, rm := range out.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			if sm.Scope().Name() != metadata.ScopeName {
				continue
			}
			for _, m := range sm.Metrics().All() {
				for _, dp := range m.Gauge().DataPoints().All() {
					p := point{metric: m.Name(), attrs: dp.Attributes().Len()}
					rule, _ := dp.Attributes().Get(modelevent.AttrRule)
					require.Equal(t, "feature_drift", rule.Str())
					f, _ := dp.Attributes().Get("feature.name")
					p.feature = f.Str()
					if st, ok := dp.Attributes().Get(modelevent.AttrAlertState); ok {
						p.state, p.value = st.Str(), float64(dp.IntValue())
					} else {
						th, _ := dp.Attributes().Get(modelevent.AttrThreshold)
						p.value, p.threshold = dp.DoubleValue(), th.Double()
					}
					got = append(got, p)
				}
			}
		}
	}
	require.Len(t, got, 3, got)
	m := e.allModels()[0]
	dist := map[string]float64{}
	for _, g := range m.drift.rules[0].order {
		dist[g.attrs[0].Value] = g.rs.res.Observed
	}
	// rule, model.name, model.version, feature.name and the threshold or
	// the alert state.
	assert.Equal(t, point{MetricRuleValue, "age", "", dist["age"], 0.1, 5}, got[0])
	assert.Equal(t, point{MetricRuleValue, "income", "", dist["income"], 0.1, 5}, got[1])
	assert.Equal(t, point{MetricAlertActive, "income", "firing", 1, 0, 5}, got[2])
	assert.Greater(t, dist["income"], 0.1)
}

// BenchmarkStatusDriftModel: a model page with status.MaxDriftGroups drift
// groups on a grid of bounds bounds. model_locked is the part under the
// engine's lock (what a page poll can delay a batch by); model_page the
// whole snapshot, with the bars laid out after the lock.
func BenchmarkStatusDriftModel(b *testing.B) {
	for _, bounds := range []int{16, drift.MaxBounds} {
		rule := featureDrift()
		rule.MinSamples = 1
		e, _ := testEngine(b, driftConfig(rule), consumertest.NewNop())
		grid := make([]float64, bounds)
		for i := range grid {
			grid[i] = float64(i)
		}
		counts := make([]uint64, bounds+1)
		for i := range counts {
			counts[i] = uint64(1 + i%7)
		}
		var points []featPoint
		for s := range 20 {
			for f := range status.MaxDriftGroups {
				points = append(points, featPoint{model: "m", version: "1", feature: "f" + strconv.Itoa(f), metric: "model.feature.value",
					t: t0.Add(time.Duration(s) * time.Second), bounds: grid, counts: counts})
			}
		}
		e.clock = func() time.Time { return t0.Add(20 * time.Second) }
		if _, err := e.processMetrics(context.Background(), featBatch(points)); err != nil {
			b.Fatal(err)
		}
		src := source(e)
		if m := src.Snapshot(status.Query{Model: "m:1"}).Models[0]; len(m.Drift) != status.MaxDriftGroups || len(m.Drift[0].Buckets) == 0 {
			b.Fatal("no bars")
		}
		name := "bounds_" + strconv.Itoa(bounds)
		b.Run(name+"/model_page", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				src.Snapshot(status.Query{Model: "m:1"})
			}
		})
		b.Run(name+"/model_locked", func(b *testing.B) {
			b.ReportAllocs()
			m := e.allModels()[0]
			for b.Loop() {
				e.lockAll()
				e.statusModel(m, t0, true)
				e.statusDrift(m)
				e.unlockAll()
			}
		})
	}
}
