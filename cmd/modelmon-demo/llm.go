package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

// llmSample is what one LLM serves during one export interval.
type llmSample struct {
	TTFT      float64 // median time to first token, seconds
	PerToken  float64 // median time per output token, seconds
	ErrorRate float64 // share of requests that fail
}

// llmScenario is the GenAI scenario: a chat model whose time to first token
// and error rate degrade after one phase (a saturated GPU pool), beside one
// that stays healthy. Both are inside the genai preset's defaults while
// healthy (TTFT p95 ≤ 2 s, error share ≤ 5 %).
func llmScenario(model string, elapsed, phase time.Duration) llmSample {
	s := llmSample{TTFT: 0.35, PerToken: 0.03, ErrorRate: 0.01}
	if model == llmModels[0].model && elapsed >= phase {
		s = llmSample{TTFT: 3.2, PerToken: 0.06, ErrorRate: 0.15}
	}
	return s
}

// llmModels are the simulated LLMs: the first degrades.
var llmModels = []struct{ model, provider string }{
	{"gpt-4o-mini", "openai"},
	{"llama-3.1-8b-instruct", "vllm"},
}

// llmService is an LLM gateway instrumented per the OpenTelemetry GenAI
// semantic conventions: server histograms in seconds (cumulative, as most
// SDKs export them), the request model and provider on every point, and
// error.type (without a response model) on failed requests.
type llmService struct {
	provider *sdkmetric.MeterProvider
	exporter *countingExporter
	duration metric.Float64Histogram
	ttft     metric.Float64Histogram
	perToken metric.Float64Histogram
	rng      *rand.Rand
}

func newLLMService(ctx context.Context, cfg fleetConfig, conn *transport) (*llmService, error) {
	var exp sdkmetric.Exporter
	var err error
	if cfg.Protocol == "grpc" {
		exp, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithGRPCConn(conn.grpc))
	} else {
		exp, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithEndpoint(cfg.Endpoint),
			otlpmetrichttp.WithHTTPClient(conn.http))
	}
	if err != nil {
		return nil, err
	}
	l := &llmService{exporter: &countingExporter{Exporter: exp}, rng: rand.New(rand.NewPCG(cfg.Seed, math.MaxUint32))}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	l.provider = sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(resource.NewSchemaless(semconv.ServiceName("llm-gateway"))),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(l.exporter, sdkmetric.WithInterval(interval))))
	meter := l.provider.Meter("github.com/visutility/otelcol-modelmon/cmd/modelmon-demo/llm")
	// Bucket boundaries as the semantic conventions advise.
	if l.duration, err = meter.Float64Histogram("gen_ai.server.request.duration", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)); err != nil {
		return nil, err
	}
	if l.ttft, err = meter.Float64Histogram("gen_ai.server.time_to_first_token", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)); err != nil {
		return nil, err
	}
	if l.perToken, err = meter.Float64Histogram("gen_ai.server.time_per_output_token", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5)); err != nil {
		return nil, err
	}
	return l, nil
}

// run records 20 chat requests per model per export interval until ctx ends.
func (l *llmService) run(ctx context.Context, start time.Time, cfg fleetConfig) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.Rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for _, m := range llmModels {
				l.serve(ctx, m.model, m.provider, llmScenario(m.model, now.Sub(start), cfg.Phase))
			}
		}
	}
}

func (l *llmService) serve(ctx context.Context, model, provider string, s llmSample) {
	base := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", provider),
		attribute.String("gen_ai.request.model", model),
	}
	failed := metric.WithAttributes(append(base, attribute.String("error.type", "timeout"))...)
	ok := metric.WithAttributes(append(base, attribute.String("gen_ai.response.model", model))...)
	for i := 0; i < 20; i++ {
		if l.rng.Float64() < s.ErrorRate {
			l.duration.Record(ctx, 30, failed)
			continue
		}
		ttft := s.TTFT * math.Exp(l.rng.NormFloat64()*0.35)
		perToken := s.PerToken * math.Exp(l.rng.NormFloat64()*0.2)
		l.ttft.Record(ctx, ttft, ok)
		l.perToken.Record(ctx, perToken, ok)
		l.duration.Record(ctx, ttft+200*perToken, ok)
	}
}

// describe is the LLM service's line in the fleet's banner.
func (l *llmService) describe() string {
	return fmt.Sprintf("LLM gateway (GenAI semantic conventions): %s degrades (time to first token, errors) after one phase, %s stays healthy",
		llmModels[0].model, llmModels[1].model)
}
