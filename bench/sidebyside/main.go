// Command sidebyside reports bench/sidebyside.sh's rounds: per payload and
// case, the CPU time per point against floor B of the same binary's run
// (median over rounds, old and new), and new ÷ old of the case's CPU time
// per point within each round (median and interquartile range).
//
//	go run ./bench/sidebyside bench/out/sidebyside
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// cpuPerPoint reads one run: benchmark name → cpu-ns/point.
func cpuPerPoint(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		for i := 2; i+1 < len(fields); i++ {
			if fields[i+1] == "cpu-ns/point" {
				if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
					out[fields[0]] = v
				}
			}
		}
	}
	return out, sc.Err()
}

// quantile of sorted xs by linear interpolation.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (s[i+1]-s[i])*(pos-float64(i))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sidebyside DIR (holding old-N.txt and new-N.txt)")
		os.Exit(2)
	}
	olds, _ := filepath.Glob(filepath.Join(os.Args[1], "old-*.txt"))
	type row struct{ oldRatio, newRatio, newOld []float64 }
	rows := map[string]*row{}
	var names []string
	rounds := 0
	for _, op := range olds {
		np := filepath.Join(filepath.Dir(op), "new-"+strings.TrimPrefix(filepath.Base(op), "old-"))
		o, err := cpuPerPoint(op)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		n, err := cpuPerPoint(np)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rounds++
		for name, ov := range o {
			nv, ok := n[name]
			i := strings.LastIndex(name, "/")
			floor := name[:i+1] + "floor_b"
			if !ok || strings.HasSuffix(name, "/floor_b") || o[floor] == 0 || n[floor] == 0 {
				continue
			}
			r := rows[name]
			if r == nil {
				r = &row{}
				rows[name] = r
				names = append(names, name)
			}
			r.oldRatio = append(r.oldRatio, ov/o[floor])
			r.newRatio = append(r.newRatio, nv/n[floor])
			r.newOld = append(r.newOld, nv/ov)
		}
	}
	slices.Sort(names)
	fmt.Printf("%d rounds\n\n", rounds)
	fmt.Println("| case | CPU × floor B, old | CPU × floor B, new | CPU per point new ÷ old, median [IQR] |")
	fmt.Println("|---|---:|---:|---|")
	for _, name := range names {
		r := rows[name]
		fmt.Printf("| %s | %.3f | %.3f | **%.2f** [%.2f–%.2f] |\n", strings.TrimPrefix(name, "BenchmarkPerPoint/"),
			quantile(r.oldRatio, 0.5), quantile(r.newRatio, 0.5),
			quantile(r.newOld, 0.5), quantile(r.newOld, 0.25), quantile(r.newOld, 0.75))
	}
}
