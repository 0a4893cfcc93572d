// Package statuspage measures the status page against a real modelmon
// processor, wired as the distribution wires them: the processor finds the
// modelmon_status extension among the host's extensions and registers.
//
//	go test -run '^$' -bench . -count 5 ./bench/statuspage
package statuspage

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor"
	"github.com/visutility/otelcol-modelmon/modelmonstatusextension"
)

const (
	models   = 10_000
	perBatch = 1_000
	// Every tenth model is degrading: its accuracy is under the default
	// rule's 0.94, so the alerts page has a thousand firing alerts.
	sickEvery = 10
)

type host struct {
	exts map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.exts }

// fleet is a running processor with 10k models and the extension serving
// them on a loopback port.
type fleet struct {
	proc    processor.Metrics
	base    string
	batches []pmetric.Metrics
	points  int
}

func newFleet(b *testing.B) *fleet {
	b.Helper()
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	ef := modelmonstatusextension.NewFactory()
	ecfg := ef.CreateDefaultConfig()
	if err := setEndpoint(ecfg, addr); err != nil {
		b.Fatal(err)
	}
	ext, err := ef.Create(ctx, extensiontest.NewNopSettings(ef.Type()), ecfg)
	if err != nil {
		b.Fatal(err)
	}
	h := host{exts: map[component.ID]component.Component{component.NewID(ef.Type()): ext}}
	if err := ext.Start(ctx, h); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ext.Shutdown(ctx) })

	pf := modelmonprocessor.NewFactory()
	pcfg := pf.CreateDefaultConfig().(*modelmonprocessor.Config)
	pcfg.MaxModels = models
	set := processortest.NewNopSettings(pf.Type())
	set.ID = component.NewIDWithName(pf.Type(), b.Name())
	proc, err := pf.CreateMetrics(ctx, set, pcfg, consumertest.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	if err := proc.Start(ctx, h); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = proc.Shutdown(ctx) })

	f := &fleet{proc: proc, base: "http://" + addr}
	start := time.Now().Add(-time.Minute)
	for i := 0; i < models; i += perBatch {
		md := batch(i, perBatch, start)
		f.points = md.DataPointCount()
		f.batches = append(f.batches, md)
	}
	// Two rounds: every model has a window and a verdict.
	for r := range 2 {
		for i := 0; i < models; i += perBatch {
			if err := proc.ConsumeMetrics(ctx, batch(i, perBatch, start.Add(time.Duration(r)*time.Second))); err != nil {
				b.Fatal(err)
			}
		}
	}
	return f
}

// batch carries accuracy, f1 score, drift score and latency gauges for
// models first..first+n, ten per service.
func batch(first, n int, at time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ts := pcommon.NewTimestampFromTime(at)
	for base := first; base < first+n; base += 10 {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "inference-"+strconv.Itoa(base/10))
		sm := rm.ScopeMetrics().AppendEmpty()
		for _, s := range []struct {
			name string
			v    func(i int) float64
		}{
			{"model.accuracy", func(i int) float64 {
				if i%sickEvery == 0 {
					return 0.81
				}
				return 0.97
			}},
			{"model.f1_score", func(int) float64 { return 0.95 }},
			{"model.drift_score", func(int) float64 { return 0.01 }},
			{"model.latency", func(int) float64 { return 40 }},
		} {
			m := sm.Metrics().AppendEmpty()
			m.SetName(s.name)
			dps := m.SetEmptyGauge().DataPoints()
			for i := base; i < base+10; i++ {
				dp := dps.AppendEmpty()
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(s.v(i))
				dp.Attributes().PutStr("model.name", "model-"+strconv.Itoa(i))
				dp.Attributes().PutStr("model.version", "v1")
			}
		}
	}
	return md
}

// get fetches a page and returns its size.
func get(c *http.Client, url string) (int64, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return io.Copy(io.Discard, resp.Body)
}

// BenchmarkPage is the cost of one request for each page over a fleet of
// 10k models (a thousand of them firing), the default page size of 100.
func BenchmarkPage(b *testing.B) {
	f := newFleet(b)
	c := &http.Client{}
	for _, p := range []struct{ name, path string }{
		{"fleet", "/"},
		{"fleet_sorted_by_name", "/?sort=name"},
		{"fleet_1000_rows", "/?limit=1000"},
		{"alerts", "/alerts"},
		{"model", "/models/model-42:v1"},
		{"api_alerts", "/api/v1/alerts"},
		{"api_models", "/api/v1/models"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var size int64
			for b.Loop() {
				n, err := get(c, f.base+p.path)
				if err != nil {
					b.Fatal(err)
				}
				size = n
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// BenchmarkMetricsWhilePolled is the metrics path's cost per data point
// with nobody reading the page (idle), with a client fetching the fleet
// page of 10k models once a second (polled_1s, a dashboard's refresh) and
// back to back (polled, the worst case: the poller takes a core of its
// own): three rounds in alternating order within one run, so that the
// machine's load drifts over all alike. p99-ms/batch is the 99th percentile of one batch's time (1000
// models, 4000 points): a page holding the processor's lock shows there.
func BenchmarkMetricsWhilePolled(b *testing.B) {
	f := newFleet(b)
	ctx := context.Background()
	for range 3 {
		for _, mode := range []string{"idle", "polled_1s", "polled"} {
			b.Run(mode, func(b *testing.B) {
				var stop atomic.Bool
				var wg sync.WaitGroup
				var pages atomic.Int64
				if mode != "idle" {
					wg.Add(1)
					go func() {
						defer wg.Done()
						c := &http.Client{}
						for !stop.Load() {
							t := time.Now()
							if _, err := get(c, f.base+"/"); err == nil {
								pages.Add(1)
							}
							if mode == "polled_1s" {
								for time.Since(t) < time.Second && !stop.Load() {
									time.Sleep(10 * time.Millisecond)
								}
							}
						}
					}()
				}
				var took []time.Duration
				i := 0
				for b.Loop() {
					t := time.Now()
					if err := f.proc.ConsumeMetrics(ctx, f.batches[i%len(f.batches)]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t))
					i++
				}
				stop.Store(true)
				wg.Wait()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.points), "ns/point")
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms/batch")
				if mode != "idle" {
					b.ReportMetric(float64(pages.Load())/b.Elapsed().Seconds(), "pages/s")
				}
			})
		}
	}
}
