package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// scrapeServer serves Prometheus exposition files as an inference server's
// /metrics would. The files under testdata/prometheus/<server>/ hold what
// one scrape interval adds (healthy.txt, degraded.txt): the server adds it
// to its running totals at each scrape, so that counters and histograms
// grow as on a live server; gauges are served as written.
type scrapeServer struct {
	srv *httptest.Server

	mu      sync.Mutex
	targets map[string]*scrapeTarget
}

// scrapeTarget is one /metrics endpoint: the phase it serves and its totals.
type scrapeTarget struct {
	files   map[string][]byte // phase → file
	phase   string
	totals  map[string]float64
	order   []string
	scrapes int
}

func newScrapeServer(t *testing.T) *scrapeServer {
	s := &scrapeServer{targets: map[string]*scrapeTarget{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// addTarget serves testdata/prometheus/<server>/<phase>.txt at path,
// starting with the healthy phase.
func (s *scrapeServer) addTarget(t *testing.T, path, server string) {
	tg := &scrapeTarget{files: map[string][]byte{}, phase: "healthy", totals: map[string]float64{}}
	for _, phase := range []string{"healthy", "degraded"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "prometheus", server, phase+".txt"))
		require.NoError(t, err)
		tg.files[phase] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets[path] = tg
}

func (s *scrapeServer) setPhase(path, phase string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets[path].phase = phase
}

func (s *scrapeServer) scrapes(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.targets[path].scrapes
}

func (s *scrapeServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tg, ok := s.targets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	tg.scrapes++
	var out bytes.Buffer
	types := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(tg.files[tg.phase]))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			if f := strings.Fields(line); len(f) == 4 && f[1] == "TYPE" {
				types[f[2]] = f[3]
			}
			out.WriteString(line + "\n")
			continue
		}
		cut := strings.LastIndexByte(line, ' ')
		if cut < 0 {
			continue
		}
		series, text := line[:cut], line[cut+1:]
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			http.Error(w, "bad sample "+line, http.StatusInternalServerError)
			return
		}
		if _, seen := tg.totals[series]; !seen {
			tg.order = append(tg.order, series)
		}
		if types[family(series, types)] == "gauge" {
			tg.totals[series] = v
		} else {
			tg.totals[series] += v
		}
		out.WriteString(series + " " + strconv.FormatFloat(tg.totals[series], 'g', -1, 64) + "\n")
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write(out.Bytes())
}

// family is the metric family a sample belongs to: its name, or its name
// without a histogram suffix.
func family(series string, types map[string]string) string {
	name := series
	if i := strings.IndexByte(name, '{'); i >= 0 {
		name = name[:i]
	}
	if _, ok := types[name]; ok {
		return name
	}
	for _, sfx := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, sfx); ok {
			return base
		}
	}
	return name
}
