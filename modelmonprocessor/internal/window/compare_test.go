package window

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests below replay streams through Window and through refWindow, a
// plain ring of (time, value) samples with a sorted copy, and require every
// sample, aggregate, length and span to be the same bit for bit after every
// operation: a rule on a Window compares exactly what it would compare on
// the plain one.

// pair is one Window and the reference it must match.
type pair struct {
	w   *Window
	ref *refWindow
}

func newPair(size int, maxAge time.Duration) pair {
	return pair{New(size, maxAge), newRef(size, maxAge)}
}

func (p pair) add(t *testing.T, ts int64, v float64, what string) {
	t.Helper()
	if got, want := p.w.Add(ts, v), p.ref.Add(ts, v); got != want {
		t.Fatalf("%s: Add(%d, %v) = %v, reference %v", what, ts, v, got, want)
	}
	p.check(t, what)
}

func (p pair) expire(t *testing.T, now int64, what string) {
	t.Helper()
	p.w.Expire(now)
	p.ref.Expire(now)
	p.check(t, what)
}

// sameBits is bit equality, with two exceptions no comparison can see: any
// NaN equals any NaN (the payload of a NaN result depends on the order the
// compiler gives an instruction's operands, which differs between builds,
// e.g. with -race), and for percentiles a reference whose sorted copy
// drifted in the sign of a zero (it removed an equal zero of the other
// sign; the index removes the sample's own) may give the other zero.
func sameBits(got, want float64, zeroSign bool) bool {
	if math.Float64bits(got) == math.Float64bits(want) || (math.IsNaN(got) && math.IsNaN(want)) {
		return true
	}
	return zeroSign && got == 0 && want == 0
}

func (p pair) check(t *testing.T, what string) {
	t.Helper()
	w, ref := p.w, p.ref
	if w.Len() != ref.Len() || w.Start() != ref.Start() || w.End() != ref.End() {
		t.Fatalf("%s: len %d start %d end %d, reference %d %d %d", what, w.Len(), w.Start(), w.End(), ref.Len(), ref.Start(), ref.End())
	}
	for i := 0; i < w.Len(); i++ {
		got, want := w.sampleAt(i), *ref.r.at(i)
		if got.t != want.t || math.Float64bits(got.v) != math.Float64bits(want.v) {
			t.Fatalf("%s: sample %d = %v, reference %v", what, i, got, want)
		}
	}
	for a := range numAggregations {
		got, gotOK := w.Aggregate(a)
		want, wantOK := ref.Aggregate(a)
		_, pct := a.Quantile()
		if gotOK != wantOK || !sameBits(got, want, pct) {
			t.Fatalf("%s: %v = %v (%x) %v, reference %v (%x) %v", what, a, got, math.Float64bits(got), gotOK, want, math.Float64bits(want), wantOK)
		}
	}
}

// detectorNoise are the stationary streams of the detection-quality bench
// (bench/detectors): unit-variance noise around an accuracy-like level.
var detectorNoise = map[string]func(r *rand.Rand) func() float64{
	"gaussian": func(r *rand.Rand) func() float64 { return r.NormFloat64 },
	"student-t": func(r *rand.Rand) func() float64 {
		return func() float64 {
			z, chi2 := r.NormFloat64(), 0.0
			for range 3 {
				v := r.NormFloat64()
				chi2 += v * v
			}
			return z / math.Sqrt(chi2/3) / math.Sqrt(3)
		}
	},
	"sine": func(r *rand.Rand) func() float64 {
		i, phase := 0, 2*math.Pi*r.Float64()
		return func() float64 {
			i++
			return r.NormFloat64() + 0.5*math.Sin(2*math.Pi*float64(i)/2000+phase)
		}
	},
	"ar1": func(r *rand.Rand) func() float64 {
		x := r.NormFloat64()
		return func() float64 {
			x = 0.5*x + math.Sqrt(1-0.25)*r.NormFloat64()
			return x
		}
	},
}

// TestWindowMatchesReferenceOnDetectorStreams feeds the detector bench's
// streams (level 0.9, σ 0.01, one sample every 10 s, then a step or a decay
// in the bad direction) at several window shapes, with times on the grid,
// jittered by nanoseconds, duplicated, and with late and out-of-order
// points.
func TestWindowMatchesReferenceOnDetectorStreams(t *testing.T) {
	shapes := []struct {
		size   int
		maxAge time.Duration
	}{{128, 5 * time.Minute}, {128, time.Hour}, {5, time.Minute}, {30, 10 * time.Minute}, {300, 2 * time.Hour}}
	times := map[string]func(r *rand.Rand, i int) int64{
		"grid":     func(_ *rand.Rand, i int) int64 { return base + int64(i)*10*sec },
		"jitter":   func(r *rand.Rand, i int) int64 { return base + int64(i)*10*sec + r.Int64N(int64(5*time.Millisecond)) },
		"reorder":  func(r *rand.Rand, i int) int64 { return base + int64(i)*10*sec - int64(r.IntN(4))*15*sec },
		"repeated": func(_ *rand.Rand, i int) int64 { return base + int64(i/3)*10*sec },
	}
	for name, mk := range detectorNoise {
		for tname, at := range times {
			for _, sh := range shapes {
				what := name + "/" + tname + "/size " + strconv.Itoa(sh.size) + "/" + sh.maxAge.String()
				for seed := range uint64(3) {
					r := rand.New(rand.NewPCG(seed, uint64(len(name))))
					next := mk(r)
					p := newPair(sh.size, sh.maxAge)
					for i := range 1200 {
						shift := 0.0
						switch {
						case i >= 800:
							shift = 3 * math.Min(float64(i-800)/500, 1) // decay
						case i >= 400:
							shift = float64(1 + seed) // step
						}
						v := 0.9 + 0.01*(next()-shift)
						p.add(t, at(r, i), v, what)
						if i%97 == 0 {
							p.expire(t, at(r, i)+int64(sh.maxAge)/2, what)
						}
					}
				}
			}
		}
	}
}

// TestWindowMatchesReferenceAtRandom adds random values, special ones
// included (NaN, ±Inf, -0, repeats), at random times, with expiry and
// resets.
func TestWindowMatchesReferenceAtRandom(t *testing.T) {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e300, -1e300, 5e-324}
	for _, size := range []int{1, 2, 3, 8, 100, 128, 257, 300} {
		rng := rand.New(rand.NewPCG(11, uint64(size)))
		p := newPair(size, time.Minute)
		now := base
		for step := range 20000 {
			what := "size " + strconv.Itoa(size) + " step " + strconv.Itoa(step)
			switch rng.IntN(200) {
			case 0:
				now += int64(rng.IntN(90)) * sec
				p.expire(t, now, what)
			case 1:
				p.w.Reset()
				p.ref.Reset()
				p.check(t, what)
			default:
				now += int64(rng.IntN(3)) * sec / int64(1+rng.IntN(2))
				v := float64(rng.IntN(20))
				if rng.IntN(10) == 0 {
					v = special[rng.IntN(len(special))]
				}
				ts := now
				if rng.IntN(4) == 0 {
					ts -= int64(rng.IntN(20)) * sec
				}
				p.add(t, ts, v, what)
			}
		}
	}
}

// TestWindowMatchesReferenceOnStagedStreams replays the data points of the
// processor's staged golden tests (testdata/staged/<case>/N.test: one line
// per point, `signal value key=value… [@offset]`, at the stage's `now`
// otherwise), one window per signal and model, at the default shape and a
// small one.
func TestWindowMatchesReferenceOnStagedStreams(t *testing.T) {
	files, err := filepath.Glob("../../testdata/staged/*/*.test")
	if err != nil || len(files) == 0 {
		t.Fatalf("no staged streams found: %v", err)
	}
	points := 0
	for _, sh := range []struct {
		size   int
		maxAge time.Duration
	}{{DefaultSize, DefaultMaxAge}, {3, 20 * time.Second}} {
		for _, dir := range uniqueDirs(files) {
			windows := map[string]pair{}
			stages, _ := filepath.Glob(filepath.Join(dir, "*.test"))
			for _, file := range stages {
				for _, pt := range stagedPoints(t, file) {
					p, ok := windows[pt.key]
					if !ok {
						p = newPair(sh.size, sh.maxAge)
						windows[pt.key] = p
					}
					p.add(t, pt.t, pt.v, file+": "+pt.key)
					points++
				}
			}
		}
	}
	if points == 0 {
		t.Fatal("the staged streams held no points")
	}
}

func uniqueDirs(files []string) []string {
	var dirs []string
	seen := map[string]bool{}
	for _, f := range files {
		if d := filepath.Dir(f); !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}

type stagedPoint struct {
	key string
	t   int64
	v   float64
}

// stagedPoints reads the `-- in --` points of one stage file.
func stagedPoints(t *testing.T, file string) []stagedPoint {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []stagedPoint
	section, now := "", int64(0)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			section = strings.Trim(line, "- ")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch section {
		case "now":
			if d, err := time.ParseDuration(line); err == nil {
				now = int64(d)
			}
		case "in":
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			v, err := strconv.ParseFloat(fields[1], 64)
			if err != nil {
				continue // not a gauge point (histograms and the like)
			}
			pt := stagedPoint{key: fields[0], t: base + now, v: v}
			for _, f := range fields[2:] {
				if off, ok := strings.CutPrefix(f, "@"); ok {
					if d, err := time.ParseDuration(off); err == nil {
						pt.t = base + int64(d)
					}
					continue
				}
				pt.key += " " + f
			}
			out = append(out, pt)
		}
	}
	return out
}
