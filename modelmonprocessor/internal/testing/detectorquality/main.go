// Command detectorquality measures the adaptive detection strategies on synthetic
// streams with fixed seeds: false alarms on stationary streams and detection
// delay after a change. `make bench-detectors` runs it (through
// bench/detectors); bench/detectors/README.md explains the method and holds
// the last printed table.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/testing/detectorstreams"
)

// The streams, their level and noise, and the horizon come from
// detectorstreams.
const (
	level   = detectorstreams.Level
	sigma   = detectorstreams.Sigma
	horizon = detectorstreams.Horizon
)

var (
	stationary = detectorstreams.Stationary
	changes    = detectorstreams.Changes
)

const (
	// streamLen is the length of one stationary stream; false alarms are
	// reported per 10,000 samples.
	streamLen = 10_000
	// prechange samples precede a change: the warm-up plus a stable stretch,
	// as for a model that has been serving for a while.
	prechange = 200
	// spacing is the time between samples (the engine's evaluation interval);
	// it turns the baseline's 1h window into 360 samples.
	spacing = 10 * time.Second
)

// row is one detector configuration in the table.
type row struct {
	name string
	cfg  strategy.Config
	kind string
}

func f(v float64) *float64 { return &v }

func rows() []row {
	var first strategy.Config
	first.Baseline.Reference = strategy.ReferenceFirst
	// river's own defaults, where ours differ, to show why they do.
	var riverEWMA, riverPH, riverCUSUM strategy.Config
	riverEWMA.EWMA.Threshold = f(4)
	riverPH.PageHinkley.Delta, riverPH.PageHinkley.Threshold = f(0.005), f(50)
	riverCUSUM.CUSUM.Threshold = f(5)
	return []row{
		{"baseline (rolling 1h)", strategy.Config{}, strategy.Baseline},
		{"baseline (first 30)", first, strategy.Baseline},
		{"ewma", strategy.Config{}, strategy.EWMA},
		{"page_hinkley", strategy.Config{}, strategy.PageHinkley},
		{"cusum", strategy.Config{}, strategy.CUSUM},
		{"ewma, river threshold 4", riverEWMA, strategy.EWMA},
		{"page_hinkley, river δ 0.005 λ 50 (in σ)", riverPH, strategy.PageHinkley},
		{"cusum, river h 5", riverCUSUM, strategy.CUSUM},
	}
}

func main() {
	seeds := flag.Int("seeds", 500, "seeds per scenario (at least 200)")
	sweep := flag.Bool("sweep", false, "also run the parameter grid the defaults were chosen from")
	flag.Parse()
	if *seeds < 1 {
		fmt.Fprintln(os.Stderr, "-seeds must be positive")
		os.Exit(2)
	}
	start := time.Now()
	fmt.Printf("direction below, %d seeds per scenario, %d-sample stationary streams, change after %d samples, horizon %d\n\n",
		*seeds, streamLen, prechange, horizon)
	printHeader()
	all := rows()
	if *sweep {
		all = append(all, sweepRows()...)
	}
	for _, r := range all {
		var fa []float64
		for i, s := range stationary {
			fa = append(fa, falseAlarms(r, s.Make, *seeds, uint64(i)))
		}
		var delays []delayStats
		for i, c := range changes {
			delays = append(delays, detectionDelay(r, c, *seeds, uint64(100+i)))
		}
		printRow(r.name, fa, delays, *seeds)
	}
	fmt.Printf("\nran in %s\n", time.Since(start).Round(100*time.Millisecond))
}

func newDetector(r row) strategy.Detector {
	d, err := strategy.New(r.kind, &r.cfg, strategy.Below, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, r.name+":", err)
		os.Exit(1)
	}
	return d
}

func rng(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// falseAlarms runs streamLen stationary samples per seed and returns alarms
// per 10,000 samples. After an alarm the detector is Reset, as the engine does
// once the alert resolves, so every alarm starts a fresh warm-up.
func falseAlarms(r row, mk func(*rand.Rand) detectorstreams.Noise, seeds int, stream uint64) float64 {
	alarms := 0
	for s := range seeds {
		d := newDetector(r)
		n := mk(rng(uint64(s), stream))
		t := time.Unix(0, 0)
		for range streamLen {
			t = t.Add(spacing)
			if d.Observe(strategy.Input{Value: level + sigma*n.Next(), Time: t}).Breach {
				alarms++
				d.Reset()
			}
		}
	}
	return float64(alarms) / float64(seeds*streamLen) * 10_000
}

// delayStats summarises when a change was detected; delays are in samples
// counted from the first changed sample (detected on it = 1).
type delayStats struct {
	median, p90 int // 0 when the percentile falls on a miss
	missed      int
}

// detectionDelay feeds prechange Gaussian samples, then the change for up to
// horizon samples. Alarms before the change are false alarms: the detector is
// Reset and keeps going, as on a stationary stream.
func detectionDelay(r row, c detectorstreams.Change, seeds int, stream uint64) delayStats {
	delays := make([]int, 0, seeds)
	missed := 0
	for s := range seeds {
		d := newDetector(r)
		g := rng(uint64(s), stream)
		t := time.Unix(0, 0)
		found := false
		for i := 1; i <= prechange+horizon && !found; i++ {
			t = t.Add(spacing)
			x := g.NormFloat64()
			if k := i - prechange; k > 0 {
				x -= c.Shift(k) // the bad direction of a below rule
			}
			if d.Observe(strategy.Input{Value: level + sigma*x, Time: t}).Breach {
				if i > prechange {
					delays = append(delays, i-prechange)
					found = true
				}
				d.Reset()
			}
		}
		if !found {
			missed++
		}
	}
	slices.Sort(delays)
	return delayStats{median: percentile(delays, seeds, 0.5), p90: percentile(delays, seeds, 0.9), missed: missed}
}

// percentile ranks misses above every delay: it returns 0 when the requested
// rank is a miss, printed as ">500".
func percentile(sorted []int, total int, q float64) int {
	rank := int(q*float64(total)+0.5) - 1
	rank = max(rank, 0)
	if rank >= len(sorted) {
		return 0
	}
	return sorted[rank]
}

// sweepRows is the grid the defaults were chosen from (docs/strategies.md).
func sweepRows() []row {
	var out []row
	for _, h := range []float64{10, 15, 20, 25, 30} {
		var c strategy.Config
		c.CUSUM.Threshold = f(h)
		out = append(out, row{fmt.Sprintf("cusum h %g", h), c, strategy.CUSUM})
	}
	for _, l := range []float64{5, 6, 6.5, 7} {
		var c strategy.Config
		c.EWMA.Threshold = f(l)
		out = append(out, row{fmt.Sprintf("ewma threshold %g", l), c, strategy.EWMA})
	}
	for _, d := range []float64{0.5, 0.75, 1} {
		for _, l := range []float64{15, 20, 25, 30} {
			var c strategy.Config
			c.PageHinkley.Delta, c.PageHinkley.Threshold = f(d), f(l)
			out = append(out, row{fmt.Sprintf("page_hinkley δ %g λ %g", d, l), c, strategy.PageHinkley})
		}
	}
	for _, z := range []float64{4, 5} {
		var c strategy.Config
		c.Baseline.ZScore = f(z)
		out = append(out, row{fmt.Sprintf("baseline zscore %g", z), c, strategy.Baseline})
	}
	return out
}
