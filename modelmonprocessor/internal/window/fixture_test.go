package window

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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

// txtar is the subset of golang.org/x/tools/txtar the fixtures need (the
// module does not depend on x/tools): a comment, then "-- name --" sections.
func parseTxtar(data string) (comment string, sections map[string]string) {
	sections = map[string]string{}
	var cur *strings.Builder
	var b strings.Builder
	cur = &b
	name := ""
	flush := func() {
		if name == "" {
			comment = cur.String()
		} else {
			sections[name] = cur.String()
		}
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) >= 6 {
			flush()
			name = strings.TrimSpace(trimmed[3 : len(trimmed)-3])
			cur = &strings.Builder{}
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return comment, sections
}

// stages returns a case directory's N.test files in numeric order.
func stages(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		p := filepath.Join(dir, strconv.Itoa(i)+".test")
		if _, err := os.Stat(p); err != nil {
			break
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no 0.test", dir)
	}
	return out
}

func normalise(s string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		lines = append(lines, strings.TrimRight(l, " \t\r"))
	}
	return strings.Join(lines, "\n")
}

func fmtValue(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

func fmtOffset(t int64) string { return time.Duration(t - base).String() }

func TestFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var w *Window
			for i, file := range stages(t, dir) {
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				comment, sec := parseTxtar(string(data))
				if i == 0 {
					w = newFromConfig(t, comment)
				}
				got := runStage(t, w, sec["in"])
				if want := normalise(sec["out"]); got != want {
					t.Errorf("%s:\n--- got ---\n%s\n--- want ---\n%s", file, got, want)
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
	return normalise(out.String())
}
