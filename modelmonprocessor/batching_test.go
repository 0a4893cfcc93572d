package modelmonprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

// streamPoint is one gauge point of a test stream.
type streamPoint struct {
	model  string
	metric string
	t      time.Time
	v      float64
}

// incidentStreams are a few models reporting accuracy and latency once a
// second, each with a 3σ step that starts and ends at its own time, and one
// model that falls silent for a while.
func incidentStreams(seed uint64) []streamPoint {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []streamPoint
	const n = 400
	for i := range n {
		ts := t0.Add(time.Duration(i) * time.Second)
		for m := range 4 {
			name := "m" + strconv.Itoa(m)
			if m == 3 && i >= 200 && i < 290 {
				continue // silent: no_data fires, then resolves
			}
			bad := i >= 120+20*m && i < 250+15*m
			acc := 0.95 + 0.01*rng.NormFloat64()
			lat := 80 + 5*rng.NormFloat64()
			if bad {
				acc -= 0.03
				lat += 40
			}
			out = append(out,
				streamPoint{model: name, metric: "model.accuracy", t: ts, v: acc},
				streamPoint{model: name, metric: "model.latency", t: ts, v: lat})
		}
	}
	return out
}

// batchOf builds one request from the points, one metric per point as an
// SDK would for a single export.
func batchOf(points []streamPoint) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for _, p := range points {
		m := ms.AppendEmpty()
		m.SetName(p.metric)
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetDoubleValue(p.v)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(p.t))
		dp.Attributes().PutStr("model.name", p.model)
		dp.Attributes().PutStr("model.version", "1")
	}
	return md
}

func batchingRules() *Config {
	lat := 110.0
	cfg := rules(
		RuleConfig{Name: "acc_mean", Signal: "accuracy", Aggregation: "mean", Below: ptr(0.935), For: 15 * time.Second, KeepFiringFor: 10 * time.Second, MinSamples: 5},
		RuleConfig{Name: "lat_p95", Signal: "latency", Aggregation: "p95", Above: &lat},
		RuleConfig{Name: "acc_ph", Signal: "accuracy", Strategy: strategy.PageHinkley},
		RuleConfig{Name: "acc_cusum_mean", Signal: "accuracy", Strategy: strategy.CUSUM, Aggregation: "mean", For: 5 * time.Second},
		RuleConfig{Name: "silent", Kind: "no_data", AbsentFor: 30 * time.Second},
	)
	cfg.Window.Size = 20
	cfg.Window.Duration = time.Minute
	// Stepped rules evaluate every third point of these streams.
	cfg.EvaluationInterval = 3 * time.Second
	return cfg
}

func ptr(v float64) *float64 { return &v }

// replay sends the points in requests of size points each. Live, each
// request arrives when its newest point was made and the ticker runs in
// between; after an outage, every request arrives an hour later, back to
// back, with no tick between them.
func replay(t *testing.T, points []streamPoint, size int, backlog bool) []string {
	sink := new(consumertest.LogsSink)
	e, _ := testEngine(t, batchingRules(), sink)
	ctx := context.Background()
	last := points[len(points)-1].t
	for i := 0; i < len(points); i += size {
		chunk := points[i:min(i+size, len(points))]
		arrival := chunk[len(chunk)-1].t
		if backlog {
			arrival = last.Add(time.Hour)
		}
		e.clock = func() time.Time { return arrival }
		_, err := e.processMetrics(ctx, batchOf(chunk))
		require.NoError(t, err)
		if !backlog {
			e.tick()
		}
	}
	var got []string
	for _, v := range violations(sink) {
		got = append(got, eventKey(v))
	}
	// Models whose events fall at the same instant may interleave in either
	// order; each model's own sequence is what must not change.
	slices.Sort(got)
	return got
}

func eventKey(v modelevent.Violation) string {
	return fmt.Sprintf("%s %s %s %s observed=%s samples=%d at=%s started=%s %s",
		offset(v.Time), v.ModelID(), v.Rule, v.State, strconv.FormatFloat(v.Observed, 'g', 10, 64),
		v.WindowSamples, offset(v.Time), offset(v.StartedAt), v.ResolvedReason)
}

// TestBatchInvariance: the same points sent one per request, seven or a
// hundred per request, or replayed as a backlog after an outage, give the
// same events with the same times and values.
func TestBatchInvariance(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		points := incidentStreams(seed)
		want := replay(t, points, 1, false)
		rulesFired := map[string]bool{}
		for _, ev := range want {
			for _, r := range []string{"acc_mean", "lat_p95", "acc_ph", "acc_cusum_mean", "silent"} {
				if slices.Contains([]string{r}, fieldRule(ev)) {
					rulesFired[r] = true
				}
			}
		}
		require.Len(t, rulesFired, 5, "every rule fires in the reference run: %v", want)
		for _, tc := range []struct {
			size    int
			backlog bool
		}{{7, false}, {100, false}, {1, true}, {100, true}, {len(points), true}} {
			t.Run(fmt.Sprintf("seed%d/size%d/backlog=%v", seed, tc.size, tc.backlog), func(t *testing.T) {
				require.Equal(t, want, replay(t, points, tc.size, tc.backlog))
			})
		}
	}
}

func fieldRule(eventKey string) string {
	var at, model, rule string
	_, _ = fmt.Sscan(eventKey, &at, &model, &rule)
	return rule
}
