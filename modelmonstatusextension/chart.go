package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// Chart geometry, in SVG user units.
const (
	chartW      = 760
	chartH      = 240
	plotLeft    = 64
	plotRight   = 600
	plotTop     = 28
	plotBottom  = 206
	legendLeft  = 616
	maxSeries   = 6
	maxSegments = 2048
	// maxDots: a window of more points draws its line without markers.
	maxDots = 60
)

// chart is one signal's window drawn as an inline SVG: every coordinate is
// computed here as a number, every text is escaped by the template.
type chart struct {
	Title  string
	W, H   int
	Empty  bool
	Bands  []chartBand
	Series []chartSeries
	Rules  []chartRule
	XTicks []chartTick
	YTicks []chartTick
	// Notes are lines of text under the chart (statistic thresholds).
	Notes []string
}

type chartBand struct {
	X, Y, W, H string
	Label      string
	LegendY    int
}

type chartSeries struct {
	Name, Colour, Points string
	Dots                 []chartDot
	LegendY              int
}

type chartDot struct{ X, Y string }

type chartRule struct {
	Y, Label, Colour string
	LegendY          int
}

type chartTick struct {
	Pos, Label string
}

var seriesColours = []string{"#1565c0", "#6a1b9a", "#ad1457", "#00838f", "#ef6c00", "#455a64"}

// newChart lays out sig's points, percentile lines, thresholds and bands.
// static names the rules whose threshold is configured: an adaptive rule has
// one only once it has learnt its baseline.
func newChart(sig status.Signal, static map[string]bool) chart {
	c := chart{Title: clip(sig.Name), W: chartW, H: chartH}
	if sig.Unit != "" {
		c.Title += " (" + sig.Unit + ")"
	}
	var series []status.Series
	if len(sig.Points) > 0 {
		series = append(series, status.Series{Name: "value", Points: sig.Points})
	}
	series = append(series, sig.Percentiles...)
	series = series[:min(len(series), maxSeries)]

	// Extent of time and value over everything drawn.
	t0, t1 := int64(math.MaxInt64), int64(math.MinInt64)
	v0, v1 := math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			v0, v1 = math.Min(v0, v), math.Max(v1, v)
		}
	}
	for _, s := range series {
		for _, p := range s.Points {
			t := p.T.UnixNano()
			t0, t1 = min(t0, t), max(t1, t)
			see(p.V)
		}
	}
	if t0 > t1 {
		c.Empty = true
		return c
	}
	for _, r := range sig.Lines {
		if r.Band != nil {
			see(r.Band.Lo)
			see(r.Band.Hi)
		}
		if drawThreshold(r, static) {
			see(r.Threshold)
		}
	}
	if t0 == t1 {
		t0, t1 = t0-int64(30*time.Second), t1+int64(30*time.Second)
	}
	if math.IsInf(v0, 0) {
		v0, v1 = 0, 1
	}
	if v0 == v1 {
		pad := math.Max(math.Abs(v0)*0.1, 1e-3)
		v0, v1 = v0-pad, v1+pad
	}
	pad := (v1 - v0) * 0.06
	v0, v1 = v0-pad, v1+pad

	x := func(t int64) float64 {
		return plotLeft + float64(t-t0)/float64(t1-t0)*(plotRight-plotLeft)
	}
	y := func(v float64) float64 {
		return plotBottom - (v-v0)/(v1-v0)*(plotBottom-plotTop)
	}
	legend := plotTop + 8

	for _, r := range sig.Lines {
		if r.Band == nil {
			continue
		}
		top, bottom := y(r.Band.Hi), y(r.Band.Lo)
		c.Bands = append(c.Bands, chartBand{
			X: f1(plotLeft), Y: f1(top), W: f1(plotRight - plotLeft), H: f1(math.Max(bottom-top, 0.5)),
			Label: clip(r.Rule) + " baseline " + num(r.Band.Lo) + "–" + num(r.Band.Hi), LegendY: legend,
		})
		legend += 16
	}
	for i, s := range series {
		cs := chartSeries{Name: clip(s.Name), Colour: seriesColours[i%len(seriesColours)], LegendY: legend}
		var b strings.Builder
		for j, p := range s.Points {
			if j == maxSegments {
				break
			}
			if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
				continue
			}
			px, py := f1(x(p.T.UnixNano())), f1(y(p.V))
			b.WriteString(px)
			b.WriteByte(',')
			b.WriteString(py)
			b.WriteByte(' ')
			if len(s.Points) <= maxDots {
				cs.Dots = append(cs.Dots, chartDot{px, py})
			}
		}
		cs.Points = strings.TrimSpace(b.String())
		c.Series = append(c.Series, cs)
		legend += 16
	}
	for _, r := range sig.Lines {
		if r.Statistic {
			if r.Evaluated {
				c.Notes = append(c.Notes, clip(r.Rule)+": statistic "+num(r.Value)+" against "+num(r.Threshold)+" (not in the signal's units)")
			}
			continue
		}
		if !drawThreshold(r, static) {
			continue
		}
		c.Rules = append(c.Rules, chartRule{Y: f1(y(r.Threshold)), Label: clip(r.Rule) + " " + num(r.Threshold), Colour: "#c62828", LegendY: legend})
		legend += 16
	}
	step := niceStep((v1 - v0) / 5)
	first := math.Ceil(v0/step) * step
	for i := 0; i < 12; i++ {
		v := first + float64(i)*step
		if v > v1 {
			break
		}
		c.YTicks = append(c.YTicks, chartTick{Pos: f1(y(v)), Label: num(v)})
	}
	layout := "15:04:05"
	if t1-t0 > int64(24*time.Hour) {
		layout = "01-02 15:04"
	}
	for i := range 4 {
		t := t0 + (t1-t0)*int64(i)/3
		c.XTicks = append(c.XTicks, chartTick{Pos: f1(x(t)), Label: time.Unix(0, t).UTC().Format(layout)})
	}
	return c
}

// niceStep rounds a tick distance up to 1, 2 or 5 times a power of ten,
// so that the axis reads 0.80, 0.85, 0.90 rather than 0.7959, 0.8432.
func niceStep(d float64) float64 {
	if !(d > 0) || math.IsInf(d, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(d)))
	for _, m := range []float64{1, 2, 5} {
		if d <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func drawThreshold(r status.RuleStatus, static map[string]bool) bool {
	return !r.Statistic && (r.Evaluated || static[r.Rule])
}

// f1 formats a coordinate with one decimal.
func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
