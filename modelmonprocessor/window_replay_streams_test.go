//go:build modelmon_refwindow

package modelmonprocessor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/testing/detectorstreams"
)

// The synthetic replay streams: the detector-quality streams (stationary
// noise of four shapes, four changes of the mean) as accuracy, with a
// latency and a drift score derived from the same noise, sent by eight
// models every 10 s for about two hours. Variants put the times off the
// grid, shuffle each batch, send some points late and leave gaps.

// replayAggregations are the scalar aggregations a rule can name; every
// stream case has a rule on each.
var replayAggregations = []string{"last", "mean", "min", "max", "stddev", "count", "p50", "p90", "p95", "p99", "ewma"}

const (
	replaySpacing   = 10 * time.Second
	replayPoints    = 700 // per model and signal: 200 before a change, 500 after
	replayPrechange = 200
)

// streamShape says how a stream case bends the regular stream.
type streamShape struct {
	jitter  bool // times off the 10 s grid, a few equal to the previous one
	shuffle bool // the points of a batch in random order
	late    bool // a few points sent up to 35 m behind their time, some at the time of an earlier one
}

func streamCases() []replayCase {
	irregular := streamShape{jitter: true, shuffle: true, late: true}
	return []replayCase{
		{name: "streams/grid", config: replayConfig(128, 25*time.Minute), steps: replaySteps(streamShape{}, 1),
			full: 128, allAggregations: true},
		{name: "streams/jittered", config: replayConfig(128, 25*time.Minute), steps: replaySteps(irregular, 2),
			full: 128, allAggregations: true, late: true},
		// 10 m holds about 60 points: windows bounded by age, not count.
		{name: "streams/by-age", config: replayConfig(128, 10*time.Minute), steps: replaySteps(irregular, 3),
			allAggregations: true, late: true},
		// A size that is no power of two, full after seven points.
		{name: "streams/size-7", config: replayConfig(7, 25*time.Minute), steps: replaySteps(irregular, 4),
			full: 7, allAggregations: true, late: true},
	}
}

// replayConfig has a static rule on every aggregation of accuracy, some with
// for, keep_firing_for and min_samples, adaptive rules of every strategy on
// window aggregates and on single points, and rules on a latency with ties
// and on a drift score of signed zeros. Thresholds sit where the streams
// cross them often.
func replayConfig(size int, d time.Duration) func(*testing.T) *Config {
	return func(*testing.T) *Config {
		const l, s = detectorstreams.Level, detectorstreams.Sigma
		acc := []RuleConfig{
			below("acc_last", SignalAccuracy, "last", l-s),
			below("acc_mean", SignalAccuracy, "mean", l),
			below("acc_min", SignalAccuracy, "min", l-2.5*s),
			below("acc_max", SignalAccuracy, "max", l+2.5*s),
			above("acc_stddev", SignalAccuracy, "stddev", 1.05*s),
			below("acc_count", SignalAccuracy, "count", float64(size)),
			below("acc_p50", SignalAccuracy, "p50", l),
			below("acc_p90", SignalAccuracy, "p90", l+1.28*s),
			below("acc_p95", SignalAccuracy, "p95", l+1.645*s),
			below("acc_p99", SignalAccuracy, "p99", l+2.33*s),
			below("acc_ewma", SignalAccuracy, "ewma", l-0.3*s),
		}
		acc[1].For = 30 * time.Second
		acc[6].KeepFiringFor = time.Minute
		acc[7].MinSamples = 20
		adaptive := func(name, kind, agg, dir string) RuleConfig {
			return RuleConfig{Name: name, Signal: SignalAccuracy, Strategy: kind, Aggregation: agg, Direction: dir}
		}
		acc = append(acc,
			adaptive("ad_baseline_mean", strategy.Baseline, "mean", "below"),
			adaptive("ad_baseline_stddev", strategy.Baseline, "stddev", "above"),
			adaptive("ad_baseline_p99", strategy.Baseline, "p99", "both"),
			adaptive("ad_ewma_p95", strategy.EWMA, "p95", "below"),
			adaptive("ad_ewma_last", strategy.EWMA, "last", "below"),
			adaptive("ad_ph_mean", strategy.PageHinkley, "mean", "below"),
			adaptive("ad_ph_ewma", strategy.PageHinkley, "ewma", "below"),
			adaptive("ad_cusum_p50", strategy.CUSUM, "p50", "below"),
			adaptive("ad_cusum_min", strategy.CUSUM, "min", "below"),
		)
		lat := []RuleConfig{
			above("lat_mean", SignalLatency, "mean", 282),
			above("lat_p99", SignalLatency, "p99", 354),
			above("lat_max", SignalLatency, "max", 380),
			above("lat_stddev", SignalLatency, "stddev", 24),
			{Name: "lat_baseline_p90", Signal: SignalLatency, Strategy: strategy.Baseline, Aggregation: "p90"},
		}
		drift := []RuleConfig{
			above("drift_last", SignalDriftScore, "last", 0.005),
			above("drift_p50", SignalDriftScore, "p50", 0),
			below("drift_p50_low", SignalDriftScore, "p50", 0),
			above("drift_mean", SignalDriftScore, "mean", 0.001),
			above("drift_p90", SignalDriftScore, "p90", 0.01),
			below("drift_min", SignalDriftScore, "min", -0.015),
		}
		cfg := rules(append(append(acc, lat...), drift...)...)
		cfg.Window.Size, cfg.Window.Duration = size, d
		return cfg
	}
}

// replayPoint is one gauge point of a stream.
type replayPoint struct {
	metric, model string
	t             time.Time
	v             float64
}

// replaySteps builds the batches: the streams of all models, cut into
// batches of one to six points per model and signal, each followed by a
// tick half of the time and, now and then, by a tick 9 s later without data.
func replaySteps(shape streamShape, seed uint64) []replayStep {
	r := rand.New(rand.NewPCG(seed, 0))
	perStep := replayStreams(r, shape)
	var steps []replayStep
	for k := 0; k < replayPoints; {
		n := 1 + r.IntN(6)
		end := min(k+n, replayPoints)
		var batch []replayPoint
		for ; k < end; k++ {
			batch = append(batch, perStep[k]...)
		}
		if shape.shuffle {
			r.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		}
		now := t0.Add(time.Duration(end)*replaySpacing + 5*time.Second)
		steps = append(steps, replayStep{now: now, in: replayBatch(batch), tick: r.IntN(2) == 0})
		if r.IntN(4) == 0 {
			steps = append(steps, replayStep{now: now.Add(9 * time.Second), tick: true})
		}
	}
	return steps
}

// replayStreams returns, per 10 s step, the points every model sends then.
func replayStreams(r *rand.Rand, shape streamShape) [][]replayPoint {
	perStep := make([][]replayPoint, replayPoints)
	type source struct {
		name string
		next func(k int) float64 // the noise in σ at step k
	}
	var sources []source
	for i, st := range detectorstreams.Stationary {
		n := st.Make(rand.New(rand.NewPCG(uint64(i), 1)))
		sources = append(sources, source{"stationary-" + fmt.Sprint(i), func(int) float64 { return n.Next() }})
	}
	for i, c := range detectorstreams.Changes {
		g := rand.New(rand.NewPCG(uint64(i), 2))
		sources = append(sources, source{"change-" + fmt.Sprint(i), func(k int) float64 {
			x := g.NormFloat64()
			if d := k - replayPrechange; d > 0 {
				x -= c.Shift(d)
			}
			return x
		}})
	}
	// Times a late point may repeat: n back is the oldest of a full window
	// of n (size 7 or 128) when no point was refused, the edge where a
	// window full by count still takes a point.
	repeatBack := []int{6, 7, 8, 127, 128, 129}
	for mi, src := range sources {
		prev := t0
		var sent []time.Time
		for k := range replayPoints {
			x := src.next(k + 1)
			// Gaps: a 5 m one, and one of 40 m, longer than any window.
			if (mi == 1 && k >= 300 && k < 330) || (mi == 5 && k >= 400 && k < 640) {
				continue
			}
			t := t0.Add(time.Duration(k+1) * replaySpacing)
			if shape.jitter {
				t = t.Add(time.Duration(r.Int64N(int64(8*time.Second)) - int64(4*time.Second)))
				if r.IntN(33) == 0 {
					t = prev
				}
			}
			prev = t
			if shape.late && r.IntN(64) == 0 {
				if back := repeatBack[r.IntN(len(repeatBack))]; r.IntN(2) == 0 && back <= len(sent) {
					t = sent[len(sent)-back]
				} else {
					t = t.Add(-time.Duration(r.Int64N(int64(35 * time.Minute))))
				}
			}
			sent = append(sent, t)
			v := []replayPoint{
				{"model.accuracy", src.name, t, detectorstreams.Level + detectorstreams.Sigma*x},
				// Whole milliseconds: many ties for the percentiles.
				{"model.latency", src.name, t, math.Round(250 + 40*math.Abs(x))},
				// Round keeps the sign: −0 and +0 both occur.
				{"model.drift_score", src.name, t, math.Round(x) * 0.01},
			}
			perStep[k] = append(perStep[k], v...)
		}
	}
	return perStep
}

func replayBatch(points []replayPoint) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for _, p := range points {
		appendGauge(ms, p.metric, p.model, p.t, p.v)
	}
	return md
}
