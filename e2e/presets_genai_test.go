package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// genaiConfig is examples/genai with the test's ports, sink and short windows.
const genaiConfig = `
processors:
  modelmon/genai:
    presets: [genai]
    window:
      duration: 30s
    evaluation_interval: 1s
exporters:
  debug:
    verbosity: basic
  otlp_http/events:
    endpoint: {{.SinkURL}}
    compression: none
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon/genai]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon/genai]
      exporters: [otlp_http/events]
`

// llmService is an LLM server instrumented as the GenAI semantic
// conventions say: server histograms in seconds with the advised buckets,
// request model and provider on every point, error.type on failed requests
// (which have no response model).
type llmService struct {
	mp       *sdkmetric.MeterProvider
	duration metric.Float64Histogram
	ttft     metric.Float64Histogram
}

func newLLMService(t *testing.T, endpoint string) *llmService {
	ctx := context.Background()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithEndpoint(endpoint))
	require.NoError(t, err)
	res := resource.NewSchemaless(attribute.String("service.name", "chat-gateway"))
	// Exports happen when the test flushes: one flush is one export interval.
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m := mp.Meter("llm-server")
	duration, err := m.Float64Histogram("gen_ai.server.request.duration", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92))
	require.NoError(t, err)
	ttft, err := m.Float64Histogram("gen_ai.server.time_to_first_token", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0))
	require.NoError(t, err)
	return &llmService{mp: mp, duration: duration, ttft: ttft}
}

// serve records n chat requests of a model: failed ones of every
// failEvery-th (0: none), the others with the given time to first token.
func (s *llmService) serve(model, providerAttr, provider string, n, failEvery int, ttft float64) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String(providerAttr, provider),
			attribute.String("gen_ai.request.model", model),
			attribute.String("server.address", "llm.internal"),
		}
		if failEvery > 0 && i%failEvery == 0 {
			s.duration.Record(ctx, 30, metric.WithAttributes(append(attrs, attribute.String("error.type", "timeout"))...))
			continue
		}
		s.ttft.Record(ctx, ttft, metric.WithAttributes(append(attrs, attribute.String("gen_ai.response.model", model+"-0613"))...))
		s.duration.Record(ctx, ttft+1.5, metric.WithAttributes(append(attrs, attribute.String("gen_ai.response.model", model+"-0613"))...))
	}
}

// TestGenAIServiceAlerts sends GenAI-semconv metrics from an OTel Go SDK
// service: the model whose time to first token and error rate degrade
// fires both alerts, keyed by request model and provider; the healthy one
// (reporting its provider under the older gen_ai.system) fires nothing.
func TestGenAIServiceAlerts(t *testing.T) {
	sink := newLogSink(t)
	c := newCollector(t, genaiConfig, map[string]any{"SinkURL": sink.srv.URL})
	c.start()
	svc := newLLMService(t, "127.0.0.1:"+strconv.Itoa(c.Ports.HTTP))
	ctx := context.Background()

	for i := 0; i < 3; i++ {
		svc.serve("gpt-4o", "gen_ai.provider.name", "openai", 20, 0, 0.3)
		svc.serve("llama-3.1-8b", "gen_ai.system", "vllm", 20, 0, 0.2)
		require.NoError(t, svc.mp.ForceFlush(ctx))
	}
	firingFor := func(rule, model string) bool {
		return len(sink.find(func(v modelevent.Violation) bool {
			return v.Rule == rule && v.State == modelevent.StateFiring && v.ModelKeyValue("gen_ai.request.model") == model
		})) > 0
	}
	require.Eventually(t, func() bool {
		// gpt-4o degrades: first tokens after 3.5 s, one request in four fails.
		svc.serve("gpt-4o", "gen_ai.provider.name", "openai", 20, 4, 3.5)
		svc.serve("llama-3.1-8b", "gen_ai.system", "vllm", 20, 0, 0.2)
		if svc.mp.ForceFlush(ctx) != nil {
			return false
		}
		return firingFor("time_to_first_token_p95_high", "gpt-4o") && firingFor("error_rate_high", "gpt-4o")
	}, 60*time.Second, 200*time.Millisecond, "gpt-4o's TTFT and error rate alerts")

	all, invalid := sink.all()
	require.Empty(t, invalid)
	for _, ev := range all {
		t.Logf("%s %s %s observed %.3f over %d", ev.V.State, ev.V.Rule, ev.V.ModelKeyValue("gen_ai.request.model"), ev.V.Observed, ev.V.WindowSamples)
		assert.Equal(t, "gpt-4o", ev.V.ModelKeyValue("gen_ai.request.model"), "only the degraded model fires: %s", ev.V.Rule)
		assert.Equal(t, "openai", ev.V.ModelKeyValue("gen_ai.provider.name"))
		assert.Equal(t, "chat-gateway", ev.Resource["service.name"])
		if ev.V.Rule == "error_rate_high" {
			assert.Greater(t, ev.V.Observed, 0.05)
			assert.LessOrEqual(t, ev.V.Observed, 0.25+1e-9, "one in four at most")
			assert.GreaterOrEqual(t, ev.V.WindowSamples, int64(20), "samples are requests")
		}
	}
}
