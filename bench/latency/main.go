// Command latency measures detection latency: the time from the first
// degraded data point sent to the notification received at a webhook sink.
//
// It plays one inference service that exports model.accuracy over OTLP/HTTP
// once per interval: healthy (0.97) for a warm-up, then degraded (0.80). The
// sink listens on one address; each system under test posts to its own
// path (/modelmon for the collector's alert_webhook, /<name> for each
// Alertmanager). Every run uses a new model name, so each run's alert is a
// new alert (and a new Alertmanager group) in systems that keep running, and
// starts after a random pause, so that the degradation falls at a random
// phase of the periodic scrapes and evaluations.
//
//	go run ./bench/latency -otlp http://127.0.0.1:14718/v1/metrics \
//	    -sink 127.0.0.1:14780 -targets modelmon,am-default,am-tight -runs 5
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// maxBody bounds what the sink reads of one notification.
const maxBody = 1 << 20

func main() {
	otlpURL := flag.String("otlp", "http://127.0.0.1:14718/v1/metrics", "OTLP/HTTP metrics URL of the collector")
	sinkAddr := flag.String("sink", "127.0.0.1:14780", "address the webhook sink listens on")
	targets := flag.String("targets", "modelmon", "comma-separated sink paths, one per system under test")
	runs := flag.Int("runs", 5, "number of runs")
	healthy := flag.Duration("healthy", 15*time.Second, "healthy warm-up before the degradation")
	interval := flag.Duration("interval", time.Second, "export interval of the simulated service")
	timeout := flag.Duration("timeout", 4*time.Minute, "give up on a system after this long in a run")
	jitter := flag.Duration("jitter", time.Minute, "random pause before each run, up to this long, so that "+
		"runs do not lock onto the phase of a periodic scrape or evaluation")
	flag.Parse()

	names := strings.Split(*targets, ",")
	s := newSink(names)
	srv := &http.Server{Addr: *sinkAddr, Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "sink:", err)
			os.Exit(1)
		}
	}()
	defer srv.Close()

	results := map[string][]time.Duration{}
	missed := map[string]int{}
	for i := 1; i <= *runs; i++ {
		if *jitter > 0 {
			time.Sleep(rand.N(*jitter))
		}
		model := fmt.Sprintf("bench-%d-run%d", time.Now().Unix(), i)
		lat := runOnce(*otlpURL, s, model, names, *healthy, *interval, *timeout)
		for _, n := range names {
			d, ok := lat[n]
			if !ok {
				missed[n]++
				fmt.Printf("run %d %s: no notification within %s\n", i, n, *timeout)
				continue
			}
			results[n] = append(results[n], d)
			fmt.Printf("run %d %s: %.3f s\n", i, n, d.Seconds())
		}
	}
	report(names, results, missed)
}

// runOnce sends the scenario for model until every target has notified or
// the timeout passed, and returns each target's latency.
func runOnce(url string, s *sink, model string, targets []string, healthy, interval, timeout time.Duration) map[string]time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	degradeAt := time.Now().Add(healthy)
	var (
		mu sync.Mutex
		t0 time.Time
	)
	go func() {
		tk := time.NewTicker(interval)
		defer tk.Stop()
		for {
			now := time.Now()
			v := 0.97
			if !now.Before(degradeAt) {
				v = 0.80
				mu.Lock()
				if t0.IsZero() {
					t0 = now
				}
				mu.Unlock()
			}
			if err := send(ctx, client, url, model, v, now); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "send:", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
			}
		}
	}()
	deadline := time.After(healthy + timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-deadline:
		case <-tick.C:
			if len(s.arrivals(model)) < len(targets) {
				continue
			}
		}
		break
	}
	mu.Lock()
	start := t0
	mu.Unlock()
	out := map[string]time.Duration{}
	for n, at := range s.arrivals(model) {
		if !start.IsZero() && at.After(start) {
			out[n] = at.Sub(start)
		}
	}
	return out
}

// send posts one OTLP/HTTP protobuf request with the model's accuracy.
func send(ctx context.Context, c *http.Client, url, model string, v float64, now time.Time) error {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "latency-bench")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.accuracy")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(now))
	dp.SetDoubleValue(v)
	dp.Attributes().PutStr("model.name", model)
	dp.Attributes().PutStr("model.version", "v1")
	var enc pmetric.ProtoMarshaler
	body, err := enc.MarshalMetrics(md)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("collector answered %s", resp.Status)
	}
	return nil
}

// sink records, per target path and model, when the first firing
// notification naming the model arrived.
type sink struct {
	targets []string
	mu      sync.Mutex
	// bodies keeps the firing notifications per target, to match models later.
	bodies map[string][]arrival
}

type arrival struct {
	at   time.Time
	body string
}

func newSink(targets []string) *sink {
	return &sink{targets: targets, bodies: map[string][]arrival{}}
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := strings.Trim(r.URL.Path, "/")
	if !slices.Contains(s.targets, target) {
		http.NotFound(w, r)
		return
	}
	// Both Alertmanager's webhook and alert_webhook's json format carry
	// "status":"firing" for a notification with firing alerts.
	if bytes.Contains(body, []byte(`"status":"firing"`)) {
		s.mu.Lock()
		s.bodies[target] = append(s.bodies[target], arrival{at, string(body)})
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

// arrivals returns, per target, the first firing notification naming model.
func (s *sink) arrivals(model string) map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Time{}
	for t, as := range s.bodies {
		for _, a := range as {
			if strings.Contains(a.body, `"`+model+`"`) {
				out[t] = a.at
				break
			}
		}
	}
	return out
}

func report(names []string, results map[string][]time.Duration, missed map[string]int) {
	fmt.Println()
	fmt.Println("| system | runs | median s | min s | max s | × modelmon (median) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	ref := median(results["modelmon"])
	for _, n := range names {
		ds := results[n]
		runs := fmt.Sprintf("%d", len(ds))
		if missed[n] > 0 {
			runs += fmt.Sprintf(" (+%d timed out)", missed[n])
		}
		if len(ds) == 0 {
			fmt.Printf("| %s | %s | – | – | – | – |\n", n, runs)
			continue
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		m := median(ds)
		x := "–"
		if ref > 0 {
			x = fmt.Sprintf("%.1f", m.Seconds()/ref.Seconds())
		}
		fmt.Printf("| %s | %s | %.3f | %.3f | %.3f | %s |\n", n, runs, m.Seconds(),
			ds[0].Seconds(), ds[len(ds)-1].Seconds(), x)
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
