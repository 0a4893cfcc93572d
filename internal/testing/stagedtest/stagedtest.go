// Package stagedtest reads the staged fixtures of the processor and its
// internal packages (only tests import it), in the style of contrib's deltatocumulativeprocessor:
// testdata/<case>/0.test, 1.test… are txtar archives run in order against one
// piece of state, so that a case shows behaviour across batches. Each file has
// a comment (settings, read before the first stage) and "-- name --" sections.
package stagedtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Stage is one N.test file of a case.
type Stage struct {
	Path     string
	Comment  string
	Sections map[string]string
}

// Cases returns the case directories matching glob; none is a failure, so a
// fixture tree that moved cannot make a test pass vacuously.
func Cases(t testing.TB, glob string) []string {
	t.Helper()
	dirs, err := filepath.Glob(glob)
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures under %s: %v", glob, err)
	}
	return dirs
}

// Stages reads a case directory's N.test files in numeric order, from 0 to
// the first missing number.
func Stages(t testing.TB, dir string) []Stage {
	t.Helper()
	var out []Stage
	for i := 0; ; i++ {
		p := filepath.Join(dir, strconv.Itoa(i)+".test")
		data, err := os.ReadFile(p)
		if err != nil {
			break
		}
		comment, sections := Parse(string(data))
		out = append(out, Stage{Path: p, Comment: comment, Sections: sections})
	}
	if len(out) == 0 {
		t.Fatalf("%s: no 0.test", dir)
	}
	return out
}

// Parse is the subset of golang.org/x/tools/txtar the fixtures need (the
// module does not depend on x/tools): a comment, then "-- name --" sections.
func Parse(data string) (comment string, sections map[string]string) {
	sections = map[string]string{}
	cur, name := &strings.Builder{}, ""
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

// Normalise trims surrounding blank lines and trailing spaces per line, so
// that expected output can be written naturally.
func Normalise(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Join(lines, "\n")
}
