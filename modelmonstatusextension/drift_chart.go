package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// Drift chart geometry, in SVG user units: the bars share the window
// charts' plot area, with room below it for slanted bucket labels.
const (
	driftH = 270
	// driftEmptyH is the height of a chart that only says why it has no
	// bars.
	driftEmptyH = 36
	driftBottom = 206
	// driftLabels is about how many bucket labels fit under the plot.
	driftLabels = 16
)

// driftChart is one drift group: the window's and the reference's shares
// per bucket side by side, with the distance against its threshold.
type driftChart struct {
	Rule, Aggregation, State string
	Group                    []label
	Evaluated                bool
	Distance, Threshold      string
	Samples                  int
	Since                    string
	Reference                string
	Top                      []string
	W, H                     int
	// Empty says why there are no bars (no reference yet).
	Empty   string
	Bars    []driftBar
	YTicks  []chartTick
	XLabels []driftLabel
	// Merged is set when each bar sums adjacent buckets.
	Merged int
}

// driftBar is one bucket: two rectangles and what they show, in words.
type driftBar struct {
	CurX, RefX, W    string
	CurY, CurH       string
	RefY, RefH       string
	CurText, RefText string
}

// driftLabel is a bucket label under the axis, slanted at X, Y.
type driftLabel struct {
	X, Y, Text string
}

func newDriftChart(g status.DriftGroup, clock time.Time) driftChart {
	c := driftChart{
		Rule: clip(g.Rule), Aggregation: clip(g.Aggregation), State: g.State, Group: labels(g.Group),
		Evaluated: g.Evaluated, Distance: num(g.Distance), Threshold: num(g.Threshold), Samples: g.Samples,
		Reference: clip(g.Reference), W: chartW, H: driftH,
	}
	if g.ReferenceVersion != "" {
		c.Reference += " (version " + clip(g.ReferenceVersion) + ")"
	}
	if !g.ActiveAt.IsZero() {
		c.Since = ago(clock, g.ActiveAt)
	}
	for _, b := range g.Top {
		c.Top = append(c.Top, bucketRange(b.Lower, b.Upper)+": "+pct(b.Cur)+" vs "+pct(b.Ref))
	}
	buckets := g.Buckets[:min(len(g.Buckets), status.MaxDriftBuckets)]
	if len(buckets) == 0 {
		c.Empty = "no bars yet: the window or its reference is still empty"
		if g.Reference == "previous_version" {
			c.Empty = "no bars yet: no earlier version of this model had a full window"
		}
		c.H = driftEmptyH
		return c
	}
	if g.Merged > 1 {
		c.Merged = g.Merged
	}
	top := 0.0
	for _, b := range buckets {
		top = math.Max(top, math.Max(share(b.Cur), share(b.Ref)))
	}
	step := niceStep(math.Max(top, 0.01) / 4)
	ymax := math.Ceil(math.Max(top, 0.01)/step) * step
	y := func(v float64) float64 { return driftBottom - v/ymax*(driftBottom-plotTop) }
	for v := 0.0; v <= ymax+step/2; v += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: f1(y(v)), Label: pct0(v)})
	}
	slot := float64(plotRight-plotLeft) / float64(len(buckets))
	w := math.Max(slot*0.4, 0.5)
	every := (len(buckets) + driftLabels - 1) / driftLabels
	for i, b := range buckets {
		x := plotLeft + float64(i)*slot + slot*0.1
		cur, ref := share(b.Cur), share(b.Ref)
		rng := bucketRange(b.Lower, b.Upper)
		c.Bars = append(c.Bars, driftBar{
			CurX: f1(x), RefX: f1(x + w), W: f1(w),
			CurY: f1(y(cur)), CurH: f1(driftBottom - y(cur)),
			RefY: f1(y(ref)), RefH: f1(driftBottom - y(ref)),
			CurText: rng + ": window " + pct(cur), RefText: rng + ": reference " + pct(ref),
		})
		if i%every == 0 {
			lx := plotLeft + (float64(i)+0.5)*slot
			c.XLabels = append(c.XLabels, driftLabel{X: f1(lx), Y: f1(driftBottom + 12), Text: rng})
		}
	}
	return c
}

// share keeps a bar's height within the chart whatever a source sends.
func share(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return math.Min(v, 1)
}

// bucketRange names a bucket as its bounds: (20, 30], ≤ 10, > 40.
func bucketRange(lo, hi float64) string {
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return "all"
	case math.IsInf(lo, -1):
		return "≤ " + num(hi)
	case math.IsInf(hi, 1):
		return "> " + num(lo)
	}
	return "(" + num(lo) + ", " + num(hi) + "]"
}

// pct writes a share as a percentage with one decimal.
func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

// pct0 writes an axis share as a percentage without trailing zeros.
func pct0(v float64) string {
	s := strconv.FormatFloat(100*v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}
