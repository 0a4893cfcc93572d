// Command driftquality measures the drift distances on synthetic feature streams
// with fixed seeds: false alarms and noise floor on stationary streams,
// detection rate and delay after a change, at several window sizes.
// `make bench-drift` runs it (through bench/drift); bench/drift/README.md
// explains the method and docs/drift.md holds the last printed tables.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
)

const (
	// perPoint is the observations in one histogram point.
	perPoint = 50
	// perTenK scales false alarms to "per 10,000 evaluations".
	perTenK = 10_000
)

var (
	windows   = []int{8, 16, 64}
	distances = []drift.Distance{drift.PSI, drift.JensenShannon, drift.Hellinger, drift.Wasserstein, drift.KS, drift.LInf}
)

// change is what happens to a stream at the change point.
type change struct {
	name  string
	shift float64 // in σ of the stream
	scale float64
}

var changes = []change{
	{"0.25σ", 0.25, 1},
	{"0.5σ", 0.5, 1},
	{"1σ", 1, 1},
	{"×1.5 scale", 0, 1.5},
}

// window is a sliding window of W histogram points with its running sum,
// and the learned reference: the first full window, frozen.
type window struct {
	st     *stream
	w      int
	points [][]float64 // ring of the last w points' counts
	next   int
	filled int
	cur    []float64
	ref    []float64
	hasRef bool
}

// newWindow returns an empty window; with pinned shares the reference is
// those instead of the first full window.
func newWindow(st *stream, w int, pinned []float64) *window {
	n := len(st.bounds) + 1
	win := &window{st: st, w: w, cur: make([]float64, n), ref: make([]float64, n)}
	if pinned != nil {
		copy(win.ref, pinned)
		win.hasRef = true
	}
	for range w {
		win.points = append(win.points, make([]float64, n))
	}
	return win
}

// add draws one point into the window; it reports whether the window is
// comparable (a reference exists and this is not the point that made it).
func (win *window) add(r *rand.Rand, shift, scale float64) bool {
	p := win.points[win.next]
	for i, c := range p {
		win.cur[i] -= c
	}
	win.st.point(r, p, perPoint, shift*win.st.sd, scale)
	for i, c := range p {
		win.cur[i] += c
	}
	win.next = (win.next + 1) % win.w
	win.filled = min(win.filled+1, win.w)
	if !win.hasRef && win.filled == win.w {
		copy(win.ref, win.cur)
		win.hasRef = true
		return false
	}
	return win.hasRef && win.filled == win.w
}

func (win *window) distances(s *drift.Scratch, out *[6]float64) {
	for k, d := range distances {
		r, err := drift.Compute(d, win.st.bounds, win.cur, win.ref, s)
		if err != nil {
			panic(fmt.Sprintf("%s on %s: %v", d, win.st.name, err))
		}
		out[k] = r.Value
	}
}

// stationary runs seeds streams of evals evaluations each and returns, per
// distance, the alarms (rising edges above the default threshold) and
// every value seen.
func stationary(st *stream, w, seeds, evals int, scenario uint64, pinned []float64) (alarms [6]int, values [6][]float64) {
	var s drift.Scratch
	var d [6]float64
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), scenario))
		win := newWindow(st, w, pinned)
		var above [6]bool
		for n := 0; n < evals; {
			if !win.add(r, 0, 1) {
				continue
			}
			n++
			win.distances(&s, &d)
			for k, v := range d {
				values[k] = append(values[k], v)
				hi := v > distances[k].DefaultThreshold()
				if hi && !above[k] {
					alarms[k]++
				}
				above[k] = hi
			}
		}
	}
	return alarms, values
}

// detection learns the reference from the first w points, feeds w more
// stable points (so the window no longer overlaps the reference), then
// changes the stream. It returns per distance the delays in points (first
// changed point = 1) of the seeds that alarmed within the horizon of 2w
// changed points, and how many seeds were already above the threshold at
// the last point before the change (a false alarm still firing: the change
// then brings no new event, and the delay says little).
func detection(st *stream, w, seeds int, ch change, scenario uint64) (delays [6][]int, firing [6]int) {
	var s drift.Scratch
	var d [6]float64
	horizon := 2 * w
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), scenario))
		win := newWindow(st, w, nil)
		for range 2 * w {
			win.add(r, 0, 1)
		}
		win.distances(&s, &d)
		for k, v := range d {
			if v > distances[k].DefaultThreshold() {
				firing[k]++
			}
		}
		var done [6]bool
		for i := 1; i <= horizon; i++ {
			win.add(r, ch.shift, ch.scale)
			win.distances(&s, &d)
			for k, v := range d {
				if !done[k] && v > distances[k].DefaultThreshold() {
					done[k] = true
					delays[k] = append(delays[k], i)
				}
			}
		}
	}
	return delays, firing
}

// result is the outcome of one detection scenario.
type result struct {
	delays [6][]int
	firing [6]int
}

func detect(st *stream, w, seeds int, ch change, scenario uint64) result {
	d, f := detection(st, w, seeds, ch, scenario)
	return result{d, f}
}

func main() {
	seeds := flag.Int("seeds", 100, "seeds per scenario")
	evals := flag.Int("evals", 2000, "evaluations per seed on a stationary stream")
	flag.Parse()
	if *seeds < 1 || *evals < 1 {
		fmt.Fprintln(os.Stderr, "-seeds and -evals must be positive")
		os.Exit(2)
	}
	start := time.Now()
	sts := streams()
	fmt.Printf("points of %d observations, 16 buckets; learned reference = the first full window; %d seeds × %d evaluations per stationary cell; detection: %d seeds, change after 2 windows, horizon 2 windows\n\n",
		perPoint, *seeds, *evals, *seeds)

	type cell struct {
		fa   [4][6]float64 // per stream
		p50  [6]float64
		p999 [6]float64
		// pinned reference: the worst FA over the streams, pooled noise
		pinnedFA, pinnedP50, pinnedP999 [6]float64
		det                             [4]result // per change, normal stream
		other                           [4]result // per stream, 1σ shift
	}
	cells := make(map[int]*cell)
	for wi, w := range windows {
		c := &cell{}
		var pooled [6][]float64
		for si := range sts {
			alarms, values := stationary(&sts[si], w, *seeds, *evals, uint64(100*wi+si), nil)
			for k := range distances {
				c.fa[si][k] = float64(alarms[k]) * perTenK / float64(*seeds**evals)
				pooled[k] = append(pooled[k], values[k]...)
			}
		}
		for k := range distances {
			slices.Sort(pooled[k])
			c.p50[k] = quantile(pooled[k], 0.5)
			c.p999[k] = quantile(pooled[k], 0.999)
		}
		var pooledPinned [6][]float64
		for si := range sts {
			alarms, values := stationary(&sts[si], w, *seeds, *evals, uint64(500+100*wi+si), exactShares(&sts[si]))
			for k := range distances {
				c.pinnedFA[k] = max(c.pinnedFA[k], float64(alarms[k])*perTenK/float64(*seeds**evals))
				pooledPinned[k] = append(pooledPinned[k], values[k]...)
			}
		}
		for k := range distances {
			slices.Sort(pooledPinned[k])
			c.pinnedP50[k] = quantile(pooledPinned[k], 0.5)
			c.pinnedP999[k] = quantile(pooledPinned[k], 0.999)
		}
		for ci, ch := range changes {
			c.det[ci] = detect(&sts[0], w, *seeds, ch, uint64(1000+100*wi+ci))
		}
		for si := range sts {
			c.other[si] = detect(&sts[si], w, *seeds, changes[2], uint64(2000+100*wi+si))
		}
		cells[w] = c
	}

	fmt.Println("### False alarms and noise floor (stationary streams, default threshold)")
	fmt.Println()
	fmt.Println("| distance | threshold | window | FA/10k normal | FA/10k lognormal | FA/10k bimodal | FA/10k discrete | noise p50 | noise p99.9 |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for k, d := range distances {
		for _, w := range windows {
			c := cells[w]
			fmt.Printf("| %s | %g | %d×%d | %s | %s | %s | %s | %.3f | %.3f |\n", d, d.DefaultThreshold(), w, perPoint,
				fa(c.fa[0][k]), fa(c.fa[1][k]), fa(c.fa[2][k]), fa(c.fa[3][k]), c.p50[k], c.p999[k])
		}
	}
	fmt.Println()
	fmt.Println("### The same with a pinned reference (each stream's exact shares): worst FA/10k over the four streams, noise pooled")
	fmt.Println()
	fmt.Println("| distance | threshold | window | FA/10k worst | noise p50 | noise p99.9 |")
	fmt.Println("|---|---|---|---|---|---|")
	for k, d := range distances {
		for _, w := range windows {
			c := cells[w]
			fmt.Printf("| %s | %g | %d×%d | %s | %.3f | %.3f |\n", d, d.DefaultThreshold(), w, perPoint, fa(c.pinnedFA[k]), c.pinnedP50[k], c.pinnedP999[k])
		}
	}
	fmt.Println()
	fmt.Println("### Detection on the normal stream: detected within 2 windows / median delay in points")
	fmt.Println()
	fmt.Print("| distance | window |")
	for _, ch := range changes {
		fmt.Printf(" %s |", ch.name)
	}
	fmt.Println()
	fmt.Println("|---|---|---|---|---|---|")
	for k, d := range distances {
		for _, w := range windows {
			fmt.Printf("| %s | %d×%d |", d, w, perPoint)
			for ci := range changes {
				fmt.Printf(" %s |", det(cells[w].det[ci], k, *seeds))
			}
			fmt.Println()
		}
	}
	fmt.Println()
	fmt.Println("### Detection of a 1σ mean shift per stream: detected / median delay in points")
	fmt.Println()
	fmt.Print("| distance | window |")
	for _, st := range sts {
		fmt.Printf(" %s |", st.name)
	}
	fmt.Println()
	fmt.Println("|---|---|---|---|---|---|")
	for k, d := range distances {
		for _, w := range windows {
			fmt.Printf("| %s | %d×%d |", d, w, perPoint)
			for si := range sts {
				fmt.Printf(" %s |", det(cells[w].other[si], k, *seeds))
			}
			fmt.Println()
		}
	}
	fmt.Fprintf(os.Stderr, "\n%s\n", time.Since(start).Round(time.Second))
}

// exactShares estimates a stream's bucket shares from 2,000,000 draws of a
// fixed seed (standard error under 0.0004 per share): the "training data"
// distribution a pinned reference would hold.
func exactShares(st *stream) []float64 {
	r := rand.New(rand.NewPCG(1<<40, 1))
	counts := make([]float64, len(st.bounds)+1)
	point := make([]float64, len(counts))
	for range 2_000_000 / perPoint {
		st.point(r, point, perPoint, 0, 1)
		for i, c := range point {
			counts[i] += c
		}
	}
	return counts
}

func fa(v float64) string { return fmt.Sprintf("%.1f", v) }

// det prints "detected% / median delay" (delay "–" when nothing alarmed),
// marked "(f)" when over 5% of the seeds were already above the threshold
// before the change.
func det(r result, k, seeds int) string {
	delays := r.delays[k]
	mark := ""
	if r.firing[k]*20 > seeds {
		mark = " (f)"
	}
	if len(delays) == 0 {
		return "0% / –" + mark
	}
	slices.Sort(delays)
	return fmt.Sprintf("%.0f%% / %d%s", 100*float64(len(delays))/float64(seeds), delays[len(delays)/2], mark)
}

// quantile of sorted values (nearest rank).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(q*float64(len(sorted))), len(sorted)-1)
	return sorted[i]
}
