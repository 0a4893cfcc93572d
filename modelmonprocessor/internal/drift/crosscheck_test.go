package drift

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// sciPython finds a python3 that imports scipy: the one on PATH, else the
// Debian interpreter python3-scipy installs into (a PATH may put another
// python3, e.g. a version manager's, first).
func sciPython() (string, error) {
	var err error
	for _, name := range []string{"python3", "/usr/bin/python3"} {
		var py string
		if py, err = exec.LookPath(name); err != nil {
			continue
		}
		if err = exec.Command(py, "-c", "import scipy, numpy").Run(); err == nil {
			return py, nil
		}
	}
	return "", err
}

type crossCase struct {
	Bounds []float64 `json:"bounds"`
	Cur    []float64 `json:"cur"`
	Ref    []float64 `json:"ref"`
}

// randomCase draws count vectors of the kinds drift meets: sparse ones with
// empty buckets, a reference inside one bucket, mass in the edge buckets,
// uneven bucket widths.
func randomCase(r *rand.Rand) crossCase {
	n := 2 + r.IntN(40)
	bounds := make([]float64, n)
	x := r.NormFloat64() * 100
	for i := range bounds {
		x += 0.01 + r.ExpFloat64()*float64(1+r.IntN(10))
		bounds[i] = x
	}
	counts := func() []float64 {
		c := make([]float64, n+1)
		switch r.IntN(4) {
		case 0: // one bucket
			c[r.IntN(n+1)] = float64(1 + r.IntN(1000))
		case 1: // sparse
			for k := 0; k < 1+r.IntN(5); k++ {
				c[r.IntN(n+1)] += float64(1 + r.IntN(50))
			}
		default:
			for i := range c {
				if r.IntN(4) > 0 {
					c[i] = float64(r.IntN(200))
				}
			}
			c[r.IntN(n+1)]++
		}
		return c
	}
	return crossCase{Bounds: bounds, Cur: counts(), Ref: counts()}
}

// TestCrossCheckSciPy computes every distance on the same random counts in
// Go and with SciPy/NumPy (testdata/crosscheck.py) and requires agreement to
// 1e-9 (relative above 1).
func TestCrossCheckSciPy(t *testing.T) {
	py, err := sciPython()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 with scipy is required in CI (scripts/install-deps.sh installs python3-scipy): %v", err)
		}
		t.Skipf("python3 with scipy not available (scripts/install-deps.sh installs python3-scipy): %v", err)
	}
	r := rand.New(rand.NewPCG(13, 1))
	cases := make([]crossCase, 2000)
	for i := range cases {
		cases[i] = randomCase(r)
	}
	in, err := json.Marshal(cases)
	require.NoError(t, err)
	cmd := exec.Command(py, "testdata/crosscheck.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var want []map[string]float64
	require.NoError(t, json.Unmarshal(out, &want))
	require.Len(t, want, len(cases))

	var s Scratch
	checked := map[string]int{}
	for i, c := range cases {
		for _, name := range Names() {
			w, ok := want[i][name]
			if !ok {
				continue // wasserstein with one bound
			}
			d, _ := Parse(name)
			got, err := Compute(d, c.Bounds, c.Cur, c.Ref, &s)
			require.NoError(t, err, "case %d %s", i, name)
			require.LessOrEqual(t, math.Abs(got.Value-w), 1e-9*max(1, math.Abs(w)),
				"case %d %s: go %v scipy %v\n%+v", i, name, got.Value, w, c)
			checked[name]++
		}
	}
	for _, name := range Names() {
		require.Equal(t, len(cases), checked[name], name)
	}
}
