// Command microreport turns the output of several runs of the modelmon
// processor's micro benchmarks (one file per run) into Markdown tables.
// Ratios are taken within a run (the processor against the floors measured
// in the same run) and the median over runs is reported.
//
//	go run ./bench/microreport bench/out/micro-*.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// result is one benchmark line: its metrics by unit.
type result map[string]float64

// run is one file: benchmark name (without the -GOMAXPROCS suffix) → result.
type run map[string]result

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(path string) (run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := run{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(fields[0], "")
		if strings.HasPrefix(name, "BenchmarkParallel/") {
			// Run at several -cpu values: keep them apart.
			procs := "1"
			if m := procSuffix.FindString(fields[0]); m != "" {
				procs = m[1:]
			}
			name += "@" + procs
		}
		res := result{}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			res[fields[i+1]] = v
		}
		r[name] = res
	}
	return r, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// collect returns, over the runs, f(run) wherever ok.
func collect(runs []run, f func(run) (float64, bool)) []float64 {
	var out []float64
	for _, r := range runs {
		if v, ok := f(r); ok {
			out = append(out, v)
		}
	}
	return out
}

func metric(name, unit string) func(run) (float64, bool) {
	return func(r run) (float64, bool) {
		res, ok := r[name]
		if !ok {
			return 0, false
		}
		v, ok := res[unit]
		return v, ok
	}
}

func ratio(num, den func(run) (float64, bool)) func(run) (float64, bool) {
	return func(r run) (float64, bool) {
		a, ok1 := num(r)
		b, ok2 := den(r)
		if !ok1 || !ok2 || b == 0 {
			return 0, false
		}
		return a / b, true
	}
}

func names(runs []run, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range runs {
		for n := range r {
			if strings.HasPrefix(n, prefix) && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func main() {
	var runs []run
	for _, p := range os.Args[1:] {
		r, err := parse(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		fmt.Fprintln(os.Stderr, "usage: microreport RUN.txt...")
		os.Exit(2)
	}
	fmt.Printf("Medians over %d runs; ratios are taken within each run.\n\n", len(runs))
	perPoint(runs)
	health(runs)
	healthBuild(runs)
	curve(runs)
	memory(runs)
	tick(runs)
	parallel(runs)
}

// parallel reports BenchmarkParallel's scaling: throughput at 2 CPUs over
// throughput at 1, per run, for the processor and for OTLP decoding of the
// same batches (the machine's own ceiling), and per-point cost at 1 CPU.
func parallel(runs []run) {
	const pre = "BenchmarkParallel/"
	scale := func(c string) func(run) (float64, bool) {
		return ratio(metric(pre+c+"@1", "ns/point"), metric(pre+c+"@2", "ns/point"))
	}
	mm, dec := collect(runs, scale("modelmon")), collect(runs, scale("decode"))
	if len(mm) == 0 {
		return
	}
	eff := collect(runs, func(r run) (float64, bool) {
		a, ok1 := scale("modelmon")(r)
		b, ok2 := scale("decode")(r)
		return a / b, ok1 && ok2 && b > 0
	})
	fmt.Println("| | modelmon | OTLP decode (ceiling) | modelmon ÷ decode |")
	fmt.Println("|---|---:|---:|---:|")
	fmt.Printf("| throughput, 2 CPUs ÷ 1 (median of %d) | %.2f× | %.2f× | %.2f |\n", len(mm), median(mm), median(dec), median(eff))
	fmt.Printf("| runs | %s | %s | |\n", list(mm), list(dec))
	if mh := collect(runs, scale("modelmon_health")); len(mh) > 0 {
		fmt.Printf("| with health points in every batch: throughput, 2 CPUs ÷ 1 | %.2f× (%s) | | |\n", median(mh), list(mh))
	}
	fmt.Printf("| ns/point at 1 CPU | %.1f | %.1f | |\n", median(collect(runs, metric(pre+"modelmon@1", "ns/point"))),
		median(collect(runs, metric(pre+"decode@1", "ns/point"))))
	fmt.Printf("| CPU ns/point at 1 / 2 CPUs | %.1f / %.1f | %.1f / %.1f | |\n\n",
		median(collect(runs, metric(pre+"modelmon@1", "cpu-ns/point"))), median(collect(runs, metric(pre+"modelmon@2", "cpu-ns/point"))),
		median(collect(runs, metric(pre+"decode@1", "cpu-ns/point"))), median(collect(runs, metric(pre+"decode@2", "cpu-ns/point"))))
}

// list renders values as "a, b, c" with two decimals.
func list(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
}

func perPoint(runs []run) {
	const pre = "BenchmarkPerPoint/"
	fmt.Println("| payload | case | ns/point | × floor A | × floor B | CPU ns/point | CPU × floor B | allocs/batch | allocs/point | B/batch |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range names(runs, pre) {
		payload, c, _ := strings.Cut(strings.TrimPrefix(n, pre), "/")
		ns := metric(n, "ns/point")
		a := ratio(ns, metric(pre+payload+"/floor_a", "ns/point"))
		b := ratio(ns, metric(pre+payload+"/floor_b", "ns/point"))
		cpu := metric(n, "cpu-ns/point")
		cpuB := ratio(cpu, metric(pre+payload+"/floor_b", "cpu-ns/point"))
		allocs := median(collect(runs, metric(n, "allocs/op")))
		points := median(collect(runs, metric(n, "points/op")))
		fmt.Printf("| %s | %s | %.1f | %.2f | %.3f | %s | %s | %.0f | %.3f | %.0f |\n", payload, c,
			median(collect(runs, ns)), median(collect(runs, a)), median(collect(runs, b)),
			orDash(collect(runs, cpu), "%.1f"), orDash(collect(runs, cpuB), "%.3f"),
			allocs, allocs/points, median(collect(runs, metric(n, "B/op"))))
	}
	fmt.Println()
}

// orDash formats the median of xs, or a dash when there is none (runs
// without CPU time).
func orDash(xs []float64, format string) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf(format, median(xs))
}

// health compares, per payload, what the health metrics add to a case
// (the case minus its _nohealth twin, same run) with floor H, the cost of
// building the same health metrics with pdata alone: once in wall time and
// once in process CPU time where the runs have it.
func health(runs []run) {
	for _, unit := range []string{"ns/point", "cpu-ns/point"} {
		healthTable(runs, unit)
	}
}

func healthTable(runs []run, unit string) {
	const pre = "BenchmarkPerPoint/"
	var rows []string
	for _, n := range names(runs, pre) {
		payload, c, _ := strings.Cut(strings.TrimPrefix(n, pre), "/")
		off := pre + payload + "/" + noHealthTwin(c)
		floorH := pre + payload + "/floor_h"
		// floor H builds every model's health points in every batch; a
		// case with health_metrics_interval emits fewer, not counted here.
		points := fmt.Sprintf("%.0f", median(collect(runs, metric(floorH, "health-points/op"))))
		if strings.Contains(c, "_health_") {
			points = "–"
		}
		if strings.HasSuffix(c, "_nohealth") || !hasMetric(runs, off, unit) || !hasMetric(runs, floorH, unit) {
			continue
		}
		ns := func(name string) func(run) (float64, bool) { return metric(name, unit) }
		added := func(r run) (float64, bool) {
			on, ok1 := ns(n)(r)
			no, ok2 := ns(off)(r)
			return on - no, ok1 && ok2
		}
		allocs := func(name string) float64 { return median(collect(runs, metric(name, "allocs/op"))) }
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %.3f | %.3f | %.1f | %.3f | %.2f | %.0f | %.0f |",
			payload, c, points,
			median(collect(runs, ratio(ns(n), ns(pre+payload+"/floor_b")))),
			median(collect(runs, ratio(ns(floorH), ns(pre+payload+"/floor_b")))),
			median(collect(runs, added)),
			median(collect(runs, ratio(added, ns(pre+payload+"/floor_b")))),
			median(collect(runs, ratio(added, ns(floorH)))),
			allocs(n)-allocs(off), allocs(floorH)))
	}
	if len(rows) == 0 {
		return
	}
	fmt.Printf("Health metrics (%s): what they add to a case, the case minus its _nohealth twin in the\n", unit)
	fmt.Println("same run, against floor H (the same health points built with pdata alone), per input point.")
	fmt.Println("A case named _health_<interval> sets health_metrics_interval and is set against the same")
	fmt.Println("_nohealth twin; its health points per batch are not counted (–).")
	fmt.Println()
	fmt.Println("| payload | case | health points/batch | case × floor B | floor H × floor B | added per point | added × floor B | added × floor H | added allocs/batch | floor H allocs/batch |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Println(r)
	}
	fmt.Println()
}

// healthBuild reports BenchmarkHealthBuild: ways of building the same
// health points with pdata, each against the floor's way in the same run.
func healthBuild(runs []run) {
	const pre = "BenchmarkHealthBuild/"
	ns := names(runs, pre)
	if len(ns) == 0 {
		return
	}
	fmt.Println("| payload | way of building | ns/health point | × floor's way | CPU ns/health point | CPU × floor's way | allocs/batch | allocs/health point | B/batch |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, n := range ns {
		payload, v, _ := strings.Cut(strings.TrimPrefix(n, pre), "/")
		floor := pre + payload + "/floor"
		per := metric(n, "ns/health-point")
		cpu := metric(n, "cpu-ns/health-point")
		allocs := median(collect(runs, metric(n, "allocs/op")))
		fmt.Printf("| %s | %s | %.1f | %.2f | %s | %s | %.0f | %.2f | %.0f |\n", payload, v, median(collect(runs, per)),
			median(collect(runs, ratio(per, metric(floor, "ns/health-point")))),
			orDash(collect(runs, cpu), "%.1f"),
			orDash(collect(runs, ratio(cpu, metric(floor, "cpu-ns/health-point"))), "%.2f"),
			allocs, allocs/median(collect(runs, metric(n, "health-points/op"))),
			median(collect(runs, metric(n, "B/op"))))
	}
	fmt.Println()
}

// noHealthTwin names the case that differs from c only in having health
// metrics off: matched → matched_nohealth, and a case with an interval,
// matched_health_10s, → matched_nohealth as well.
func noHealthTwin(c string) string {
	base, _, _ := strings.Cut(c, "_health_")
	return base + "_nohealth"
}

func hasMetric(runs []run, name, unit string) bool {
	return len(collect(runs, metric(name, unit))) > 0
}

func curve(runs []run) {
	const pre = "BenchmarkModels/"
	ns := names(runs, pre)
	if len(ns) == 0 {
		return
	}
	fmt.Println("| models | health metrics | ns/point | × 1,000 models | allocs/point |")
	fmt.Println("|---:|---|---:|---:|---:|")
	for _, n := range ns {
		models, health, _ := strings.Cut(strings.TrimPrefix(n, pre), "/")
		ref := pre + "models=1000/" + health
		v := metric(n, "ns/point")
		allocs := median(collect(runs, metric(n, "allocs/op")))
		points := median(collect(runs, metric(n, "points/op")))
		fmt.Printf("| %s | %s | %.1f | %.2f | %.3f |\n", strings.TrimPrefix(models, "models="),
			strings.TrimPrefix(health, "health="), median(collect(runs, v)),
			median(collect(runs, ratio(v, metric(ref, "ns/point")))), allocs/points)
	}
	fmt.Println()
}

func memory(runs []run) {
	const pre = "BenchmarkMemoryPerModelSignal/"
	ns := names(runs, pre)
	if len(ns) == 0 {
		return
	}
	fmt.Println("| latency as | samples per signal | B per model-signal | × 1 KiB goal |")
	fmt.Println("|---|---:|---:|---:|")
	for _, n := range ns {
		lat, fill, _ := strings.Cut(strings.TrimPrefix(n, pre), "/")
		v := median(collect(runs, metric(n, "B/model-signal")))
		fmt.Printf("| %s | %s | %.0f | %.2f |\n", strings.TrimPrefix(lat, "latency="),
			strings.TrimPrefix(fill, "fill="), v, v/1024)
	}
	fmt.Println()
}

func tick(runs []run) {
	const n = "BenchmarkEvaluationTick"
	v := collect(runs, metric(n, "ms/tick"))
	if len(v) == 0 {
		return
	}
	fmt.Println("| models | ms per tick | % of a core at evaluation_interval 10s | allocs per tick |")
	fmt.Println("|---:|---:|---:|---:|")
	fmt.Printf("| 100,000 | %.1f | %.2f | %.0f |\n\n", median(v),
		median(collect(runs, metric(n, "%core"))), median(collect(runs, metric(n, "allocs/op"))))
}
