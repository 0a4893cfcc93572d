package alertstate

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
// testdata/<case>/0.test, 1.test… drive one Tracker in order. Each file is a
// txtar archive; its comment may set `for:` and `keep_firing_for:` (before the
// first stage only). `-- in --` lists steps and evictions:
//
//	<time> true|false   → "<time> <cond> <transition> <state> active <time|->"
//	evict               → "evict firing=<bool> <state> active <time|->"
//
// and `-- out --` what they must print. Times are offsets from a fixed base,
// as Go durations. A step whose condition is unchanged from the previous one
// is how the engine's tick advances `for` and keep_firing_for without data.

func TestFixtures(t *testing.T) {
	for _, dir := range stagedtest.Cases(t, "testdata/*") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var tr Tracker
			var forDur, keep time.Duration
			for i, st := range stagedtest.Stages(t, dir) {
				if i == 0 {
					forDur, keep = config(t, st.Comment)
				}
				got := run(t, &tr, st.Sections["in"], forDur, keep)
				if want := stagedtest.Normalise(st.Sections["out"]); got != want {
					t.Errorf("%s:\n--- got ---\n%s\n--- want ---\n%s", st.Path, got, want)
				}
			}
		})
	}
}

func config(t *testing.T, comment string) (forDur, keep time.Duration) {
	for _, line := range strings.Split(comment, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var err error
		switch strings.TrimSpace(k) {
		case "for":
			forDur, err = time.ParseDuration(strings.TrimSpace(v))
		case "keep_firing_for":
			keep, err = time.ParseDuration(strings.TrimSpace(v))
		}
		if err != nil {
			t.Fatalf("config %q: %v", line, err)
		}
	}
	return forDur, keep
}

func active(tr *Tracker) string {
	if tr.ActiveAt().IsZero() {
		return "-"
	}
	return tr.ActiveAt().Sub(t0).String()
}

func run(t *testing.T, tr *Tracker, in string, forDur, keep time.Duration) string {
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(in))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case len(f) == 1 && f[0] == "evict":
			was := tr.ForceResolve()
			fmt.Fprintf(&out, "evict firing=%v %v active %s\n", was, tr.State(), active(tr))
		case len(f) == 2:
			d, err := time.ParseDuration(f[0])
			if err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			cond, err := strconv.ParseBool(f[1])
			if err != nil {
				t.Fatalf("%q: %v", sc.Text(), err)
			}
			tran := tr.Step(cond, t0.Add(d), forDur, keep)
			fmt.Fprintf(&out, "%s %v %v %v active %s\n", f[0], cond, tran, tr.State(), active(tr))
		default:
			t.Fatalf("unknown step %q", sc.Text())
		}
	}
	return stagedtest.Normalise(out.String())
}
