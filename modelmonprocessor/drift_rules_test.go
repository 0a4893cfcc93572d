package modelmonprocessor

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

func featureDrift() RuleConfig {
	return RuleConfig{Name: "feature_drift", Signal: "feature_value", Aggregation: "jensen_shannon",
		ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"feature.name"}}}
}

func TestDriftConfig(t *testing.T) {
	pinned := &drift.DistributionConfig{Bounds: []float64{10, 20, 30, 40}, Proportions: []float64{0.1, 0.2, 0.4, 0.2, 0.1}}
	for name, tc := range map[string]struct {
		rule RuleConfig
		key  []string
		want string
	}{
		"unknown reference": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "psi",
			ReferenceConfig: drift.ReferenceConfig{Reference: "yesterday"}}, want: `rules[0] (d).reference: unknown reference "yesterday"`},
		"pinned without distribution": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "psi",
			ReferenceConfig: drift.ReferenceConfig{Reference: "pinned"}}, want: "rules[0] (d).reference_distribution: required with reference: pinned"},
		"distribution without pinned": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "psi",
			ReferenceConfig: drift.ReferenceConfig{ReferenceDistribution: pinned}}, want: "rules[0] (d).reference_distribution: only with reference: pinned"},
		"proportions not summing to 1": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "psi",
			ReferenceConfig: drift.ReferenceConfig{Reference: "pinned", ReferenceDistribution: &drift.DistributionConfig{
				Bounds: []float64{10}, Proportions: []float64{0.5, 0.2}}}}, want: "rules[0] (d).reference_distribution.proportions: must sum to 1"},
		"unsorted pinned bounds": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "psi",
			ReferenceConfig: drift.ReferenceConfig{Reference: "pinned", ReferenceDistribution: &drift.DistributionConfig{
				Bounds: []float64{20, 10}, Proportions: []float64{0.5, 0.2, 0.3}}}}, want: "rules[0] (d).reference_distribution.bounds"},
		"reference on a mean": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "mean", Above: ptr(1),
			ReferenceConfig: drift.ReferenceConfig{Reference: "learned"}}, want: "rules[0] (d).reference: only with a drift aggregation"},
		"group_by on a mean": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "mean", Above: ptr(1),
			ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"feature.name"}}}, want: "rules[0] (d).group_by: only with a drift aggregation"},
		"below": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "hellinger", Below: ptr(0.1)},
			want: "rules[0] (d).below: a distance grows"},
		"adaptive strategy": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "ks", Strategy: "cusum"},
			want: "rules[0] (d).strategy: a drift aggregation (ks) is compared with above:"},
		"negative max_groups": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "linf",
			ReferenceConfig: drift.ReferenceConfig{MaxGroups: -1}}, want: "rules[0] (d).max_groups: must be >= 0"},
		"empty group attribute": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "linf",
			ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{""}}}, want: "rules[0] (d).group_by[0]: must be an attribute name"},
		"group attribute in the model key": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "linf",
			ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"model.version"}}}, want: `rules[0] (d).group_by[0]: "model.version" is already part of model_key`},
		"contract group attribute": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "linf",
			ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"modelmon.rule"}}}, want: "rules[0] (d).group_by[0]: \"modelmon.rule\" is reserved"},
		"previous_version without model.version": {key: []string{"model.name"}, rule: RuleConfig{Name: "d", Signal: "prediction_score",
			Aggregation: "jensen_shannon", ReferenceConfig: drift.ReferenceConfig{Reference: "previous_version"}},
			want: "rules[0] (d).reference: previous_version compares a model's versions; model_key must contain model.version"},
		"wasserstein on one pinned bound": {rule: RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "wasserstein",
			ReferenceConfig: drift.ReferenceConfig{Reference: "pinned", ReferenceDistribution: &drift.DistributionConfig{
				Bounds: []float64{10}, Proportions: []float64{0.5, 0.5}}}}, want: "rules[0] (d).reference_distribution.bounds: wasserstein measures bucket widths"},
		"unknown signal": {rule: RuleConfig{Name: "d", Signal: "features", Aggregation: "psi"}, want: `rules[0] (d).signal: unknown signal "features"`},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := driftConfig(tc.rule)
			if tc.key != nil {
				cfg.ModelKey = tc.key
			}
			assert.ErrorContains(t, cfg.Validate(), tc.want)
		})
	}

	t.Run("defaults", func(t *testing.T) {
		cfg := driftConfig(RuleConfig{Name: "d", Signal: "feature_value", Aggregation: "wasserstein"})
		require.NoError(t, cfg.Validate())
		r, err := compileRule(cfg.Rules[0], map[string]bool{"feature_value": true}, cfg.StaleAfter)
		require.NoError(t, err)
		assert.Equal(t, drift.Wasserstein.DefaultThreshold(), r.threshold, "above: defaults to the distance's documented threshold")
		assert.Equal(t, defaultDriftMinSamples, r.minSamples)
		assert.Equal(t, modelevent.KindDrift, r.kind)
		assert.Equal(t, []string{modelevent.ActionAlert, modelevent.ActionRetrain}, r.actions)
		assert.Equal(t, drift.DefaultMaxGroups, r.dist.maxGroups)
		assert.Equal(t, drift.Learned, r.dist.ref)
		assert.Equal(t, "wasserstein", r.aggregationName())
	})
}

// TestDriftLearnedPerFeature: the feature whose distribution moves fires,
// with its name on the event and in the alert id, and resolves when it
// comes back; the stable feature stays quiet.
func TestDriftLearnedPerFeature(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rule := featureDrift()
	rule.Above = ptr(0.1)
	e, tel := testEngine(t, driftConfig(rule), sink)
	sendHist(t, e, driftStreams(1), 2)

	vs := violations(sink)
	require.Len(t, vs, 2, driftEvents(sink))
	key := []modelevent.Attribute{{Key: "model.name", Value: "fraud"}, {Key: "model.version", Value: "v1"}}
	group := []modelevent.Attribute{{Key: "feature.name", Value: "income"}}
	for i, state := range []modelevent.State{modelevent.StateFiring, modelevent.StateResolved} {
		v := vs[i]
		assert.Equal(t, state, v.State)
		assert.Equal(t, "feature_drift", v.Rule)
		assert.Equal(t, modelevent.KindDrift, v.Kind)
		assert.Equal(t, "jensen_shannon", v.Aggregation)
		assert.Equal(t, modelevent.ComparisonAbove, v.Comparison)
		assert.Equal(t, key, v.ModelKey)
		assert.Equal(t, group, v.Group)
		assert.Equal(t, modelevent.AlertID("feature_drift", key, group...), v.AlertID)
		require.NotNil(t, v.Drift)
		assert.Equal(t, "learned", v.Drift.Reference)
		assert.Len(t, v.Drift.Buckets, 3)
		assert.EqualValues(t, 16, v.WindowSamples)
	}
	firing, resolved := vs[0], vs[1]
	assert.Greater(t, firing.Observed, 0.1)
	assert.LessOrEqual(t, resolved.Observed, 0.1)
	// The shift starts at point 60: the window of 16 notices it within it.
	assert.True(t, !firing.Time.Before(t0.Add(60*time.Second)) && firing.Time.Before(t0.Add(76*time.Second)), firing.Time)
	assert.True(t, resolved.Time.After(t0.Add(120*time.Second)), resolved.Time)
	assert.Equal(t, firing.StartedAt, resolved.StartedAt)
	// The moved mass goes up: the top bucket is one above the mean.
	assert.Contains(t, firing.Drift.Buckets[0], "% vs ")
	assert.Equal(t, map[string]int64{"matched": 400}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
}

// TestDriftPinned compares with configured shares: the observed value is the
// distance between the window's summed counts and those shares.
func TestDriftPinned(t *testing.T) {
	sink := new(consumertest.LogsSink)
	props := []float64{0.1, 0.2, 0.4, 0.2, 0.1}
	rule := RuleConfig{Name: "income_vs_training", Signal: "feature_value", Aggregation: "psi", Above: ptr(0.2),
		ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"feature.name"}, Reference: "pinned",
			ReferenceDistribution: &drift.DistributionConfig{Bounds: featureBounds, Proportions: props}},
		Annotations: map[string]string{"summary": `{{ index .Key "feature.name" }} of {{ .Model }}: {{ .Aggregation }} {{ printf "%.2f" .Observed }}`}}
	e, _ := testEngine(t, driftConfig(rule), sink)
	var points []featPoint
	want := make([]float64, 5)
	for i := range 20 {
		counts := []uint64{10, 20, 40, 20, 10}
		if i >= 4 {
			counts = []uint64{0, 5, 20, 35, 40} // moved up
		}
		for j, c := range counts {
			if i < 16 {
				want[j] += float64(c)
			}
		}
		points = append(points, featPoint{model: "fraud", version: "v1", feature: "income", metric: "model.feature.value",
			t: t0.Add(time.Duration(i) * time.Second), counts: counts})
	}
	sendHist(t, e, points, 1)
	vs := violations(sink)
	require.Len(t, vs, 1, driftEvents(sink))
	v := vs[0]
	assert.Equal(t, "pinned", v.Drift.Reference)
	// Fires at the first point the window holds min_samples (16): 12 of
	// them moved.
	assert.Equal(t, t0.Add(15*time.Second), v.Time)
	// PSI by hand on the window's shares against the pinned ones.
	var psi float64
	for j := range want {
		p, q := want[j]/(16*100), props[j]
		if p == 0 {
			p = 0.0001
		}
		psi += (p - q) * math.Log(p/q)
	}
	assert.InDelta(t, psi, v.Observed, 1e-12)
	assert.Equal(t, "(40, +Inf]: 32.5% vs 10.0%", v.Drift.Buckets[0], "(4·10 + 12·40) / 1600")
	assert.Equal(t, "income of fraud:v1: psi "+strconv.FormatFloat(v.Observed, 'f', 2, 64), v.Annotations["summary"])
}

// TestDriftPreviousVersion: a new version whose predictions differ from the
// version it replaces fires against that version's last full window, while
// both report; the first version has nothing to compare with.
func TestDriftPreviousVersion(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rule := RuleConfig{Name: "canary_predictions", Signal: "prediction_score", Aggregation: "jensen_shannon",
		ReferenceConfig: drift.ReferenceConfig{Reference: "previous_version"}}
	e, _ := testEngine(t, driftConfig(rule), sink)
	rng := rand.New(rand.NewPCG(7, 7))
	var points []featPoint
	for i := range 60 {
		ts := t0.Add(time.Duration(i) * time.Second)
		points = append(points, featPoint{model: "fraud", version: "v1", metric: "model.prediction.score", t: ts, counts: observe(rng, 50, 20, 8)})
		if i >= 20 {
			points = append(points, featPoint{model: "fraud", version: "v2", metric: "model.prediction.score", t: ts, counts: observe(rng, 50, 32, 8)})
		}
	}
	sendHist(t, e, points, 1)
	vs := violations(sink)
	require.Len(t, vs, 1, driftEvents(sink))
	v := vs[0]
	assert.Equal(t, "v2", v.ModelKeyValue("model.version"))
	assert.Equal(t, modelevent.StateFiring, v.State)
	assert.Equal(t, "previous_version", v.Drift.Reference)
	assert.Equal(t, "v1", v.Drift.ReferenceVersion)
	assert.Empty(t, v.Group)
	assert.Equal(t, t0.Add(35*time.Second), v.Time, "v2's 16th point")
	assert.Greater(t, v.Observed, 0.3)
}

// TestDriftMaxGroups: groups beyond max_groups are not evaluated and their
// points are counted over_limit.
func TestDriftMaxGroups(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rule := featureDrift()
	rule.MaxGroups = 2
	rule.MinSamples = 1
	e, tel := testEngine(t, driftConfig(rule), sink)
	var points []featPoint
	for i := range 5 {
		for _, f := range []string{"a", "b", "c"} {
			points = append(points, featPoint{model: "m", version: "1", feature: f, metric: "model.feature.value",
				t: t0.Add(time.Duration(i) * time.Second), counts: []uint64{1, 2, 3, 4, 5}})
		}
	}
	sendHist(t, e, points, 100)
	st := e.modelsLen()
	require.Equal(t, 1, st)
	m := e.allModels()[0]
	require.Len(t, m.drift.rules[0].order, 2)
	assert.Equal(t, "a", m.drift.rules[0].order[0].attrs[0].Value)
	assert.Equal(t, "b", m.drift.rules[0].order[1].attrs[0].Value)
	assert.Equal(t, map[string]int64{"matched": 10, "over_limit": 5}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
}

// TestDriftBatchInvariance: the same points in requests of 1, 7 and 100
// give the same events, times and values.
func TestDriftBatchInvariance(t *testing.T) {
	rule := featureDrift()
	rule.For = 3 * time.Second
	rule.KeepFiringFor = 5 * time.Second
	pinned := RuleConfig{Name: "pinned_ks", Signal: "feature_value", Aggregation: "ks", Above: ptr(0.15),
		ReferenceConfig: drift.ReferenceConfig{GroupBy: []string{"feature.name"}, Reference: "pinned",
			ReferenceDistribution: &drift.DistributionConfig{Bounds: featureBounds, Proportions: []float64{0.03, 0.27, 0.4, 0.27, 0.03}}}}
	for _, seed := range []uint64{1, 2} {
		points := driftStreams(seed)
		run := func(size int, backlog bool) []string {
			sink := new(consumertest.LogsSink)
			e, _ := testEngine(t, driftConfig(rule, pinned), sink)
			if !backlog {
				sendHist(t, e, points, size)
				return driftEvents(sink)
			}
			// After an outage: every request an hour late, no tick between.
			late := points[len(points)-1].t.Add(time.Hour)
			e.clock = func() time.Time { return late }
			for i := 0; i < len(points); i += size {
				_, err := e.processMetrics(context.Background(), featBatch(points[i:min(i+size, len(points))]))
				require.NoError(t, err)
			}
			return driftEvents(sink)
		}
		want := run(1, false)
		require.GreaterOrEqual(t, len(want), 4, "both rules fire and resolve: %v", want)
		for _, tc := range []struct {
			size    int
			backlog bool
		}{{7, false}, {100, false}, {100, true}} {
			t.Run(strconv.Itoa(int(seed))+"/"+strconv.Itoa(tc.size)+"/backlog="+strconv.FormatBool(tc.backlog), func(t *testing.T) {
				assert.Equal(t, want, run(tc.size, tc.backlog))
			})
		}
	}
}

// TestDriftEviction: a model that falls silent is evicted; its firing drift
// alert resolves as expired with its group.
func TestDriftEviction(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rule := featureDrift()
	rule.Reference = "pinned"
	rule.ReferenceDistribution = &drift.DistributionConfig{Bounds: featureBounds, Proportions: []float64{0.2, 0.2, 0.2, 0.2, 0.2}}
	rule.MinSamples = 1
	cfg := driftConfig(rule)
	e, _ := testEngine(t, cfg, sink)
	sendHist(t, e, []featPoint{{model: "m", version: "1", feature: "f", metric: "model.feature.value", t: t0, counts: []uint64{0, 0, 0, 0, 9}}}, 1)
	e.clock = func() time.Time { return t0.Add(cfg.StaleAfter + time.Second) }
	e.tick()
	vs := violations(sink)
	require.Len(t, vs, 2)
	assert.Equal(t, modelevent.StateResolved, vs[1].State)
	assert.Equal(t, modelevent.ResolvedExpired, vs[1].ResolvedReason)
	assert.Equal(t, vs[0].AlertID, vs[1].AlertID)
	assert.Equal(t, []modelevent.Attribute{{Key: "feature.name", Value: "f"}}, vs[1].Group)
	assert.Equal(t, t0.Add(cfg.StaleAfter), vs[1].Time)
	assert.Equal(t, 0, e.modelsLen())
}

// TestDriftCumulative: cumulative streams per feature give the events their
// deltas give.
func TestDriftCumulative(t *testing.T) {
	rule := featureDrift()
	points := driftStreams(3)
	deltaSink := new(consumertest.LogsSink)
	e, _ := testEngine(t, driftConfig(rule), deltaSink)
	sendHist(t, e, points, 2)

	cumSink := new(consumertest.LogsSink)
	c, _ := testEngine(t, driftConfig(rule), cumSink)
	totals := map[string][]uint64{}
	start := t0.Add(-time.Second)
	for i := 0; i < len(points); i += 2 {
		md := pmetric.NewMetrics()
		ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
		for _, p := range points[i : i+2] {
			tot := totals[p.feature]
			if tot == nil {
				tot = make([]uint64, len(p.counts))
			}
			for j, n := range p.counts {
				tot[j] += n
			}
			totals[p.feature] = tot
			m := ms.AppendEmpty()
			m.SetName(p.metric)
			h := m.SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp := h.DataPoints().AppendEmpty()
			setFeatPoint(dp, featPoint{model: p.model, version: p.version, feature: p.feature, t: p.t, counts: tot})
			dp.SetStartTimestamp(pcommonTime(start))
		}
		arrival := points[i+1].t
		c.clock = func() time.Time { return arrival }
		_, err := c.processMetrics(context.Background(), md)
		require.NoError(t, err)
		c.tick()
	}
	want := driftEvents(deltaSink)
	require.NotEmpty(t, want)
	assert.Equal(t, want, driftEvents(cumSink))
}

// TestDriftHostile: malformed histograms are counted invalid_value and
// never panic; the signal's good points still evaluate.
func TestDriftHostile(t *testing.T) {
	huge := make([]float64, 10000)
	for i := range huge {
		huge[i] = float64(i)
	}
	for name, tc := range map[string]struct {
		bounds []float64
		counts []uint64
		count  *uint64
	}{
		"10k bounds":          {bounds: huge, counts: make([]uint64, len(huge)+1)},
		"NaN bound":           {bounds: []float64{10, math.NaN(), 30, 40}, counts: []uint64{1, 1, 1, 1, 1}},
		"unsorted bounds":     {bounds: []float64{10, 30, 20, 40}, counts: []uint64{1, 1, 1, 1, 1}},
		"infinite bound":      {bounds: []float64{10, 20, 30, math.Inf(1)}, counts: []uint64{1, 1, 1, 1, 1}},
		"counts ≠ count":      {counts: []uint64{1, 1, 1, 1, 1}, count: ptrU(7)},
		"counts overflow":     {counts: []uint64{math.MaxUint64, 1, 1, 1, 1}, count: ptrU(3)},
		"too few counts":      {counts: []uint64{1, 1, 1}},
		"incompatible bounds": {bounds: []float64{15, 25}, counts: []uint64{1, 1, 1}},
	} {
		t.Run(name, func(t *testing.T) {
			sink := new(consumertest.LogsSink)
			rule := featureDrift()
			rule.MinSamples = 1
			e, tel := testEngine(t, driftConfig(rule), sink)
			good := featPoint{model: "m", version: "1", feature: "f", metric: "model.feature.value", t: t0, counts: []uint64{1, 2, 3, 2, 1}}
			sendHist(t, e, []featPoint{good}, 1)
			md := featBatch([]featPoint{{model: "m", version: "1", feature: "f", metric: "model.feature.value", t: t0.Add(time.Second),
				bounds: tc.bounds, counts: []uint64{1, 1, 1, 1, 1}}})
			dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints().At(0)
			if tc.bounds != nil {
				dp.ExplicitBounds().FromRaw(tc.bounds)
			}
			dp.BucketCounts().FromRaw(tc.counts)
			if tc.count != nil {
				dp.SetCount(*tc.count)
			} else {
				var n uint64
				for _, c := range tc.counts {
					n += c
				}
				dp.SetCount(n)
			}
			dp.SetSum(3)
			require.NotPanics(t, func() {
				_, err := e.processMetrics(context.Background(), md)
				require.NoError(t, err)
			})
			assert.Equal(t, map[string]int64{"matched": 1, "invalid_value": 1}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
			g := e.allModels()[0].drift.rules[0].order[0]
			assert.Equal(t, 1, g.win.Len(), "the window holds the good point only")
		})
	}

	t.Run("gauge on a drift signal", func(t *testing.T) {
		e, tel := testEngine(t, driftConfig(featureDrift()), nil)
		md := batchOf([]streamPoint{{model: "m", metric: "model.feature.value", t: t0, v: 3}})
		_, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"invalid_value": 1}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
	})
}

func ptrU(v uint64) *uint64 { return &v }

// TestREADMEDriftExample keeps the README's drift example valid and as
// documented: three drift rules with their references.
func TestREADMEDriftExample(t *testing.T) {
	cfg := readmeConfig(t, "## Distribution drift", "modelmon")
	require.Len(t, cfg.Rules, 3)
	e, _ := testEngine(t, cfg, nil)
	require.NotNil(t, e.drift)
	var refs []string
	for _, r := range e.rules {
		refs = append(refs, r.dist.ref.String())
	}
	assert.Equal(t, []string{"learned", "pinned", "previous_version"}, refs)
	assert.Equal(t, []float64{10, 20, 30, 40}, cfg.Rules[1].ReferenceDistribution.Bounds)
	assert.Equal(t, []string{"feature.name"}, cfg.Rules[0].GroupBy)
}

// TestDriftRestore: a firing drift alert saved before a restart goes back
// on its group: no second firing while the data still drifts, one resolution
// with the original start, alert id and group once it does not.
func TestDriftRestore(t *testing.T) {
	rule := featureDrift()
	rule.Reference = "pinned"
	rule.ReferenceDistribution = &drift.DistributionConfig{Bounds: featureBounds, Proportions: []float64{0.2, 0.2, 0.2, 0.2, 0.2}}
	rule.MinSamples = 2
	r := newRestartRig(t, driftConfig(rule))
	send := func(counts []uint64) {
		t.Helper()
		_, err := r.e.processMetrics(context.Background(), featBatch([]featPoint{{model: "m", version: "1", feature: "income",
			metric: "model.feature.value", t: r.now, counts: counts}}))
		require.NoError(t, err)
		r.now = r.now.Add(time.Second)
	}
	moved, even := []uint64{0, 0, 0, 0, 10}, []uint64{2, 2, 2, 2, 2}
	send(moved)
	send(moved)
	fired := violations(r.sink)
	require.Len(t, fired, 1)

	r.restart(time.Minute, nil)
	send(moved)
	send(moved)
	assert.Empty(t, violations(r.sink), "still drifting: no second firing")
	for range 16 { // the window of 16 slides onto even points
		send(even)
	}
	vs := violations(r.sink)
	require.Len(t, vs, 1)
	assert.Equal(t, modelevent.StateResolved, vs[0].State)
	assert.Equal(t, fired[0].AlertID, vs[0].AlertID)
	assert.Equal(t, fired[0].StartedAt, vs[0].StartedAt)
	assert.Equal(t, fired[0].Group, vs[0].Group)

	r.restart(time.Minute, nil)
	assert.Empty(t, r.store.keys(), "resolved alerts leave nothing behind")
}

// TestDriftExponential: delta exponential histograms, negative buckets
// included, learn a reference and fire when the mass moves; a hostile scale
// and counts that do not add up are invalid_value.
func TestDriftExponential(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rule := featureDrift()
	rule.MinSamples = 4
	e, tel := testEngine(t, driftConfig(rule), sink)
	send := func(i int, scale int32, pos, neg []uint64, count uint64) {
		t.Helper()
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("model.feature.value")
		h := m.SetEmptyExponentialHistogram()
		h.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		dp := h.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommonTime(t0.Add(time.Duration(i) * time.Second)))
		dp.Attributes().PutStr("model.name", "m")
		dp.Attributes().PutStr("model.version", "1")
		dp.Attributes().PutStr("feature.name", "balance")
		dp.SetScale(scale)
		dp.Positive().SetOffset(0)
		dp.Positive().BucketCounts().FromRaw(pos)
		dp.Negative().SetOffset(0)
		dp.Negative().BucketCounts().FromRaw(neg)
		dp.SetCount(count)
		e.clock = func() time.Time { return t0.Add(time.Duration(i) * time.Second) }
		_, err := e.processMetrics(context.Background(), md)
		require.NoError(t, err)
	}
	for i := range 8 {
		send(i, 2, []uint64{5, 10, 5, 0}, []uint64{5, 5}, 30)
	}
	require.Empty(t, violations(sink))
	for i := 8; i < 16; i++ {
		send(i, 2, []uint64{0, 0, 5, 20}, []uint64{0, 5}, 30) // mass moves up
	}
	vs := violations(sink)
	require.Len(t, vs, 1)
	assert.Equal(t, "balance", vs[0].Group[0].Value)
	assert.Greater(t, vs[0].Observed, 0.1)

	send(16, 30, []uint64{1}, nil, 1)           // scale beyond 20
	send(17, 2, []uint64{1, 1}, []uint64{1}, 5) // counts ≠ count
	assert.Equal(t, map[string]int64{"matched": 16, "invalid_value": 2}, sumByAttr(t, tel, telemetry.MetricDataPoints, "outcome"))
}
