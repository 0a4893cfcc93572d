package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// scrapeConfig scrapes the four servers' endpoints every second into one
// modelmon per preset, each with short windows; the events of all four go
// to the test's log sink.
const scrapeConfig = `
  prometheus:
    config:
      scrape_configs:
{{- range .Jobs}}
        - job_name: {{.Job}}
          scrape_interval: 1s
          scrape_timeout: 1s
          metrics_path: {{.Path}}
          static_configs:
            - targets: ["{{$.Target}}"]
{{- end}}
processors:
{{- range .Presets}}
  modelmon/{{.}}:
    presets: [{{.}}]
    window:
      duration: 20s
    evaluation_interval: 1s
{{- end}}
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
{{- range .Presets}}
    metrics/{{.}}:
      receivers: [prometheus]
      processors: [modelmon/{{.}}]
      exporters: [debug]
    logs/{{.}}:
      receivers: [nop]
      processors: [modelmon/{{.}}]
      exporters: [otlp_http/events]
{{- end}}
`

type scrapeJob struct{ Job, Path string }

// TestPresetsScrapeInferenceServers scrapes vLLM, Triton, KServe and TGI
// exposition files with the distro's prometheus receiver: nothing fires
// while they are healthy; once one model per server degrades, exactly the
// preset rules that should fire do, keyed by the server's model identity.
func TestPresetsScrapeInferenceServers(t *testing.T) {
	srv := newScrapeServer(t)
	jobs := []scrapeJob{
		{"vllm", "/vllm/metrics"},
		{"triton", "/triton/metrics"},
		{"kserve", "/kserve/metrics"},
		{"llama-3-8b-tgi", "/tgi/llama/metrics"},
		{"mistral-7b-tgi", "/tgi/mistral/metrics"},
	}
	for _, j := range jobs {
		server := strings.Split(j.Path, "/")[1]
		srv.addTarget(t, j.Path, server)
	}
	u, err := url.Parse(srv.srv.URL)
	require.NoError(t, err)
	sink := newLogSink(t)
	c := newCollector(t, scrapeConfig, map[string]any{
		"SinkURL": sink.srv.URL, "Target": u.Host, "Jobs": jobs,
		"Presets": []string{"vllm", "triton", "kserve", "tgi"},
	})
	c.start()

	// Healthy: several scrapes of increments, nothing fires.
	require.Eventually(t, func() bool {
		for _, j := range jobs {
			if srv.scrapes(j.Path) < 5 {
				return false
			}
		}
		return true
	}, 60*time.Second, 100*time.Millisecond, "targets not scraped")
	all, invalid := sink.all()
	require.Empty(t, invalid)
	require.Empty(t, all, "healthy servers raise no alert")

	for _, j := range jobs[:4] {
		srv.setPhase(j.Path, "degraded")
	}
	type want struct{ rule, key, value string }
	wants := []want{
		{"time_to_first_token_p95_high", "model_name", "meta-llama/Llama-3.1-8B-Instruct"},
		{"error_rate_high", "model_name", "meta-llama/Llama-3.1-8B-Instruct"},
		{"request_duration_mean_high", "model", "resnet50"},
		{"error_rate_high", "model", "resnet50"},
		{"request_duration_p95_high", "model_name", "sklearn-iris"},
		{"request_duration_p95_high", "service.name", "llama-3-8b-tgi"},
		{"time_per_output_token_p95_high", "service.name", "llama-3-8b-tgi"},
		{"error_rate_high", "service.name", "llama-3-8b-tgi"},
	}
	for _, w := range wants {
		require.Eventually(t, func() bool {
			return len(sink.find(func(v modelevent.Violation) bool {
				return v.Rule == w.rule && v.State == modelevent.StateFiring && v.ModelKeyValue(w.key) == w.value
			})) > 0
		}, 60*time.Second, 100*time.Millisecond, "no firing %s for %s=%s", w.rule, w.key, w.value)
	}

	all, invalid = sink.all()
	require.Empty(t, invalid)
	for _, ev := range all {
		v := ev.V
		t.Logf("%s %s %v observed %.3f over %d", v.State, v.Rule, v.ModelKey, v.Observed, v.WindowSamples)
		assert.NotContains(t, []string{"Qwen/Qwen2.5-7B-Instruct", "densenet_onnx", "xgboost-higgs", "mistral-7b-tgi"},
			v.ModelKey[0].Value, "a healthy model fired %s", v.Rule)
		switch {
		case v.Rule == "error_rate_high" && v.ModelKeyValue("model_name") != "":
			assert.InDelta(t, 0.25, v.Observed, 0.2, "vLLM: 3 aborts in 12 requests per scrape, diluted by healthy scrapes")
		case v.Rule == "request_duration_mean_high":
			assert.InDelta(t, 850, v.Observed, 400, "Triton: microseconds over successes, in ms")
			assert.Equal(t, "1", v.ModelKeyValue("version"))
		case v.Rule == "error_rate_high" && v.ModelKeyValue("model") == "resnet50":
			assert.Greater(t, v.Observed, 0.05)
			assert.LessOrEqual(t, v.Observed, 0.1+1e-9, "10 failures in 100 requests per scrape at most")
		case v.Rule == "time_to_first_token_p95_high":
			assert.Greater(t, v.Observed, 2000.0, "seconds compared in ms")
			assert.Less(t, v.Observed, 5000.0)
		}
	}
}
