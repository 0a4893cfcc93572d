package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// fleetConfig is the fleet's command line.
type fleetConfig struct {
	Endpoint string
	Protocol string
	Models   int
	Rate     float64
	Scenario string
	Duration time.Duration
	Phase    time.Duration
	Seed     uint64
	Live     string
	// LLM adds an LLM gateway exporting GenAI semantic-convention metrics.
	LLM bool
}

// maxModels bounds -models; all models share one connection, so the bound is
// about memory and goroutines (one per model), not sockets.
const maxModels = 10000

func parseFleetFlags(args []string, stderr io.Writer) (fleetConfig, error) {
	var c fleetConfig
	fs := flag.NewFlagSet("modelmon-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Endpoint, "endpoint", "", "collector OTLP endpoint host:port (default localhost:4317 for grpc, localhost:4318 for http)")
	fs.StringVar(&c.Protocol, "protocol", "grpc", "OTLP protocol: grpc or http")
	fs.IntVar(&c.Models, "models", 6, "number of simulated models")
	fs.Float64Var(&c.Rate, "rate", 2, "exports per second per model")
	fs.StringVar(&c.Scenario, "scenario", "mixed", "scenario: mixed (one of each, round-robin), "+strings.Join(scenarioNames(), ", "))
	fs.DurationVar(&c.Duration, "duration", 0, "stop after this long (0: until Ctrl-C)")
	fs.DurationVar(&c.Phase, "phase", 20*time.Second, "time unit of the scenario scripts")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed of the measurement noise")
	fs.BoolVar(&c.LLM, "llm", false, "also run an LLM gateway with GenAI semantic-convention metrics (the genai preset's input): one model's time to first token and error rate degrade after one phase")
	fs.StringVar(&c.Live, "live", "auto", "status display: auto, redraw (one live line per model), lines (a block every 10s), off")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: modelmon-demo [fleet] [flags] | sink [flags] | jobs [flags]")
		fmt.Fprintln(stderr, "\nScenarios:")
		fmt.Fprintln(stderr, "  mixed      one model per scenario, round-robin")
		for _, n := range scenarioNames() {
			fmt.Fprintf(stderr, "  %-10s %s\n", n, scenarios[n].Doc)
		}
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var errs []error
	switch c.Protocol {
	case "grpc", "http":
	default:
		errs = append(errs, fmt.Errorf("-protocol %q: want grpc or http", c.Protocol))
	}
	if c.Models < 1 || c.Models > maxModels {
		errs = append(errs, fmt.Errorf("-models %d: want 1..%d", c.Models, maxModels))
	}
	if !(c.Rate > 0 && c.Rate <= 100) {
		errs = append(errs, fmt.Errorf("-rate %g: want more than 0 and at most 100 per second", c.Rate))
	}
	if c.Duration < 0 || c.Phase <= 0 {
		errs = append(errs, errors.New("-duration must not be negative and -phase must be positive"))
	}
	if _, err := scenarioFor(c.Scenario, 0); err != nil {
		errs = append(errs, err)
	}
	switch c.Live {
	case "auto", "redraw", "lines", "off":
	default:
		errs = append(errs, fmt.Errorf("-live %q: want auto, redraw, lines or off", c.Live))
	}
	if c.Endpoint == "" {
		c.Endpoint = map[string]string{"grpc": "localhost:4317", "http": "localhost:4318"}[c.Protocol]
	}
	return c, errors.Join(errs...)
}

// modelIdentity names the simulated models; beyond the list, names get a number.
var modelIdentity = []struct{ name, version, service string }{
	{"fraud-model", "v7", "fraud-api"},
	{"churn-model", "v3", "churn-api"},
	{"ranker", "v12", "search-api"},
	{"credit-risk", "v5", "credit-api"},
	{"recommender", "v21", "reco-api"},
	{"spam-filter", "v9", "mail-api"},
	{"eta-predictor", "v4", "eta-api"},
	{"image-tagger", "v2", "vision-api"},
}

func identity(i int) (name, version, service string) {
	id := modelIdentity[i%len(modelIdentity)]
	if i < len(modelIdentity) {
		return id.name, id.version, id.service
	}
	n := fmt.Sprintf("-%d", i/len(modelIdentity)+1)
	return id.name + n, id.version, id.service + n
}

// runFleet exports every model until the context ends or -duration passes.
func runFleet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFleetFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	// The SDK reports export errors through the global handler; they belong in
	// the status lines, not scattered over the terminal.
	errs := &lastError{}
	otel.SetErrorHandler(errs)

	conn, err := newTransport(cfg)
	if err != nil {
		return err
	}
	defer conn.close()
	models := make([]*simModel, cfg.Models)
	for i := range models {
		sc, _ := scenarioFor(cfg.Scenario, i)
		name, version, service := identity(i)
		m := &simModel{name: name, baseVersion: version, service: service, scenario: sc,
			rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
		if err := m.setup(ctx, cfg, conn); err != nil {
			return fmt.Errorf("model %s: %w", name, err)
		}
		models[i] = m
	}
	fmt.Fprintf(stdout, "modelmon-demo: %d models → %s (%s), %g exports/s each, scenario %s; Ctrl-C stops\n",
		cfg.Models, cfg.Endpoint, cfg.Protocol, cfg.Rate, cfg.Scenario)

	var llm *llmService
	if cfg.LLM {
		if llm, err = newLLMService(ctx, cfg, conn); err != nil {
			return fmt.Errorf("llm gateway: %w", err)
		}
		fmt.Fprintln(stdout, "modelmon-demo: "+llm.describe())
	}

	start := time.Now()
	var wg sync.WaitGroup
	if llm != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			llm.run(ctx, start, cfg)
		}()
	}
	for _, m := range models {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.run(ctx, start, cfg)
		}()
	}
	display := newDisplay(stdout, cfg.Live, models, errs)
	display.run(ctx, start)
	wg.Wait()

	// Flush what was recorded last; a collector that is gone must not hang the exit.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, m := range models {
		_ = m.provider.Shutdown(sctx)
	}
	if llm != nil {
		_ = llm.provider.Shutdown(sctx)
	}
	display.final(start)
	return nil
}

// simModel is one simulated inference service with its own SDK pipeline (its
// resource carries its own service.name).
type simModel struct {
	name, baseVersion, service string
	scenario                   scenario
	rng                        *rand.Rand

	provider *sdkmetric.MeterProvider
	exporter *countingExporter
	latency  metric.Float64Histogram

	mu      sync.Mutex
	current sample
}

func (m *simModel) setup(ctx context.Context, cfg fleetConfig, conn *transport) error {
	// Delta histograms: each export carries the latencies since the last one.
	temporality := func(k sdkmetric.InstrumentKind) metricdata.Temporality {
		if k == sdkmetric.InstrumentKindHistogram {
			return metricdata.DeltaTemporality
		}
		return metricdata.CumulativeTemporality
	}
	var exp sdkmetric.Exporter
	var err error
	if cfg.Protocol == "grpc" {
		exp, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithGRPCConn(conn.grpc),
			otlpmetricgrpc.WithTemporalitySelector(temporality))
	} else {
		exp, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithEndpoint(cfg.Endpoint),
			otlpmetrichttp.WithHTTPClient(conn.http), otlpmetrichttp.WithTemporalitySelector(temporality))
	}
	if err != nil {
		return err
	}
	m.exporter = &countingExporter{Exporter: exp}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	m.provider = sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceName(m.service))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(m.exporter, sdkmetric.WithInterval(interval))))
	m.current = jitter(m.scenario.At(0, cfg.Phase, m.baseVersion), m.rng)
	return m.instruments()
}

func (m *simModel) instruments() error {
	meter := m.provider.Meter("github.com/visutility/otelcol-modelmon/cmd/modelmon-demo")
	gauges := map[string]func(sample) float64{
		"model.accuracy":    func(s sample) float64 { return s.Accuracy },
		"model.precision":   func(s sample) float64 { return s.Precision },
		"model.recall":      func(s sample) float64 { return s.Recall },
		"model.f1_score":    func(s sample) float64 { return s.F1 },
		"model.drift_score": func(s sample) float64 { return s.Drift },
	}
	var obs []metric.Observable
	values := map[metric.Float64ObservableGauge]func(sample) float64{}
	for name, f := range gauges {
		g, err := meter.Float64ObservableGauge(name, metric.WithUnit("1"))
		if err != nil {
			return err
		}
		obs = append(obs, g)
		values[g] = f
	}
	thr, err := meter.Float64ObservableGauge("model.throughput", metric.WithUnit("{prediction}/s"),
		metric.WithDescription("Predictions served per second."))
	if err != nil {
		return err
	}
	obs = append(obs, thr)
	// Only the current version is observed: after a rollout the old one goes silent.
	if _, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := m.snapshot()
		attrs := m.attrs(s.Version)
		for g, f := range values {
			o.ObserveFloat64(g, f(s), attrs)
		}
		o.ObserveFloat64(thr, s.Throughput, attrs)
		return nil
	}, obs...); err != nil {
		return err
	}
	m.latency, err = meter.Float64Histogram("model.latency", metric.WithUnit("ms"),
		metric.WithDescription("Inference latency."),
		metric.WithExplicitBucketBoundaries(5, 10, 25, 50, 75, 100, 150, 250, 500, 1000, 2500))
	return err
}

func (m *simModel) attrs(version string) metric.MeasurementOption {
	return metric.WithAttributes(attribute.String("model.name", m.name), attribute.String("model.version", version))
}

func (m *simModel) snapshot() sample {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// run advances the scenario and records latencies at the export rate.
func (m *simModel) run(ctx context.Context, start time.Time, cfg fleetConfig) {
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			s := jitter(m.scenario.At(now.Sub(start), cfg.Phase, m.baseVersion), m.rng)
			m.mu.Lock()
			m.current = s
			m.mu.Unlock()
			attrs := m.attrs(s.Version)
			for _, v := range latencies(s.LatencyMs, 20, m.rng) {
				m.latency.Record(ctx, v, attrs)
			}
		}
	}
}

// transport is the connection every model's exporter shares: one gRPC
// connection, or one HTTP client with its connection pool.
type transport struct {
	grpc *grpc.ClientConn
	http *http.Client
}

func newTransport(cfg fleetConfig) (*transport, error) {
	if cfg.Protocol == "http" {
		return &transport{http: &http.Client{Timeout: 10 * time.Second}}, nil
	}
	conn, err := grpc.NewClient(cfg.Endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("-endpoint %q: %w", cfg.Endpoint, err)
	}
	return &transport{grpc: conn}, nil
}

func (t *transport) close() {
	if t.grpc != nil {
		_ = t.grpc.Close()
	}
	if t.http != nil {
		t.http.CloseIdleConnections()
	}
}

// countingExporter counts the exports that reached the collector and those that did not.
type countingExporter struct {
	sdkmetric.Exporter
	mu         sync.Mutex
	ok, failed int
}

func (e *countingExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	err := e.Exporter.Export(ctx, rm)
	if stopping(err) {
		return err
	}
	e.mu.Lock()
	if err != nil {
		e.failed++
	} else {
		e.ok++
	}
	e.mu.Unlock()
	return err
}

func (e *countingExporter) counts() (ok, failed int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ok, e.failed
}

// stopping reports an export the SDK cancelled because the fleet is shutting
// down: neither a failure of the collector nor worth showing.
func stopping(err error) bool {
	return errors.Is(err, context.Canceled) || status.Code(err) == codes.Canceled
}

// lastError keeps the SDK's most recent error for the status display.
type lastError struct {
	mu  sync.Mutex
	err error
}

func (l *lastError) Handle(err error) {
	if stopping(err) {
		return
	}
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

func (l *lastError) get() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
