package window

import (
	"bufio"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/testing/stagedtest"
)

// Staged fixtures, in the style of contrib's deltatocumulativeprocessor:
// testdata/<case>/0.test, 1.test… run in order against one window, so a case
// shows behaviour across batches. Each file is a txtar archive: its comment
// may set `size:` and `max_age:` (before the first stage only), `-- in --`
// lists operations and `-- out --` what they must print:
//
//	add <time> <value>   → "add <time> <value>: ok" or ": late"
//	expire <time>        → "expire <time>: len <n>"
//
// followed by the window's state: "window len <n> start <t> end <t>" and one
// "<aggregation> <value>" line per aggregation ("-" when unavailable). Times
// are offsets from a fixed base, written as Go durations.

func fmtValue(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

func fmtOffset(t int64) string { return time.Duration(t - base).String() }

func TestFixtures(t *testing.T) {
	for _, dir := range stagedtest.Cases(t, "testdata/*") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var w *Window
			for i, st := range stagedtest.Stages(t, dir) {
				if i == 0 {
					w = newFromConfig(t, st.Comment)
				}
				got := runStage(t, w, st.Sections["in"])
				if want := stagedtest.Normalise(st.Sections["out"]); got != want {
					t.Errorf("%s:\n--- got ---\n%s\n--- want ---\n%s", st.Path, got, want)
				}
			}
		})
	}
}

func newFromConfig(t *testing.T, comment string) *Window {
	size, maxAge := 0, time.Duration(0)
	for _, line := range strings.Split(comment, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		var err error
		switch strings.TrimSpace(k) {
		case "size":
			size, err = strconv.Atoi(strings.TrimSpace(v))
		case "max_age":
			maxAge, err = time.ParseDuration(strings.TrimSpace(v))
		}
		if err != nil {
			t.Fatalf("config %q: %v", line, err)
		}
	}
	return New(size, maxAge)
}

func runStage(t *testing.T, w *Window, in string) string {
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(in))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		at := func(s string) int64 {
			d, err := time.ParseDuration(s)
			if err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			return base + int64(d)
		}
		switch {
		case f[0] == "add" && len(f) == 3:
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			res := "late"
			if w.Add(at(f[1]), v) {
				res = "ok"
			}
			fmt.Fprintf(&out, "add %s %s: %s\n", f[1], f[2], res)
		case f[0] == "expire" && len(f) == 2:
			w.Expire(at(f[1]))
			fmt.Fprintf(&out, "expire %s: len %d\n", f[1], w.Len())
		default:
			t.Fatalf("unknown operation %q", sc.Text())
		}
	}
	start, end := "-", "-"
	if w.Len() > 0 {
		start, end = fmtOffset(w.Start()), fmtOffset(w.End())
	}
	fmt.Fprintf(&out, "window len %d start %s end %s\n", w.Len(), start, end)
	for a := range numAggregations {
		fmt.Fprintf(&out, "%s %s\n", a, fmtValue(w.Aggregate(a)))
	}
	return stagedtest.Normalise(out.String())
}
