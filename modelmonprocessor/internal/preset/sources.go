package preset

// Thresholds shared by the LLM presets (README: "Presets"): a time to first
// token p95 above 2 s is when a chat feels stalled; a time per output token
// above 100 ms is slower than people read (10 tokens/s); a request p95
// above 30 s hits common client and gateway timeouts; more than 5% failed
// requests is an incident, judged over at least 20 requests so that one
// early failure does not page.
const (
	ttftP95Ms        = 2000
	tpotP95Ms        = 100
	requestP95Ms     = 30000
	errorRateMax     = 0.05
	errorRateMinReqs = 20
)

func llmRules(ttft bool) []Rule {
	rules := []Rule{
		{Name: "request_duration_p95_high", Signal: RequestDuration, Aggregation: "p95", Above: requestP95Ms, Kind: "latency", Actions: alertOnly},
		{Name: "time_per_output_token_p95_high", Signal: TimePerOutputToken, Aggregation: "p95", Above: tpotP95Ms, Kind: "latency", Actions: alertOnly},
		{Name: "error_rate_high", Signal: ErrorRateSignal, Above: errorRateMax, MinSamples: errorRateMinReqs, Kind: "degradation", Actions: alertOnly,
			Summary: "share of failed requests {{ printf \"%.3f\" .Observed }} for {{ .Model }}"},
	}
	if ttft {
		rules = append([]Rule{{Name: "time_to_first_token_p95_high", Signal: TimeToFirstToken, Aggregation: "p95", Above: ttftP95Ms, Kind: "latency", Actions: alertOnly}}, rules...)
	}
	return rules
}

// genai: the OpenTelemetry GenAI semantic conventions. Failed requests
// carry no response model, so the key is the request model (and the
// provider, under its current and its older attribute name).
func genai() Preset {
	failure := &ErrorRate{Signal: ErrorRateSignal, Attribute: "error.type"}
	return Preset{
		Name:     "genai",
		ModelKey: []string{"gen_ai.request.model", "gen_ai.provider.name", "gen_ai.system"},
		Signals: []Signal{
			{Metric: "gen_ai.server.request.duration", Signal: RequestDuration, Unit: "s", ErrorRate: failure},
			{Metric: "gen_ai.client.operation.duration", Signal: RequestDuration, Unit: "s", ErrorRate: failure},
			{Metric: "gen_ai.server.time_to_first_token", Signal: TimeToFirstToken, Unit: "s"},
			{Metric: "gen_ai.server.time_per_output_token", Signal: TimePerOutputToken, Unit: "s"},
			{Metric: "gen_ai.client.token.usage", Signal: TokenUsage},
		},
		Rules: llmRules(true),
	}
}

// vllm: vLLM's /metrics (names keep their colon once scraped). A request
// that ends with finished_reason abort (or error, in newer releases) failed.
func vllm() Preset {
	return Preset{
		Name:     "vllm",
		ModelKey: []string{"model_name"},
		Signals: []Signal{
			{Metric: "vllm:e2e_request_latency_seconds", Signal: RequestDuration, Unit: "s"},
			{Metric: "vllm:time_to_first_token_seconds", Signal: TimeToFirstToken, Unit: "s"},
			{Metric: "vllm:time_per_output_token_seconds", Signal: TimePerOutputToken, Unit: "s"},
			{Metric: "vllm:request_queue_time_seconds", Signal: QueueDuration, Unit: "s"},
			{Metric: "vllm:request_success_total", ErrorRate: &ErrorRate{Signal: ErrorRateSignal, Attribute: "finished_reason", Values: []string{"abort", "error"}}},
		},
		Rules: llmRules(true),
	}
}

// tgi: Hugging Face Text Generation Inference serves one model per server,
// and its metrics carry no model label: the model is the scrape target
// (the prometheus receiver sets service.name from the job and
// service.instance.id from the instance).
func tgi() Preset {
	return Preset{
		Name:     "tgi",
		ModelKey: []string{"service.name", "service.instance.id"},
		Signals: []Signal{
			{Metric: "tgi_request_duration", Signal: RequestDuration, Unit: "s"},
			{Metric: "tgi_request_mean_time_per_token_duration", Signal: TimePerOutputToken, Unit: "s"},
			{Metric: "tgi_request_queue_duration", Signal: QueueDuration, Unit: "s"},
			{Metric: "tgi_request_failure", Ratio: &Ratio{Signal: ErrorRateSignal, Per: []string{"tgi_request_count"}}},
		},
		Rules: llmRules(false),
	}
}

// Triton's thresholds: it mostly serves classic models (vision, ranking,
// tabular), whose requests take milliseconds; a mean above 500 ms per
// request, or 100 ms waiting in the queue, means the server is saturated.
const (
	tritonLatencyMs = 500
	tritonQueueMs   = 100
)

// triton: NVIDIA Triton's per-model counters. Latency is only available
// as cumulative microsecond totals, so the mean per request over the window
// is their increase over the increase of successful requests.
func triton() Preset {
	return Preset{
		Name:     "triton",
		ModelKey: []string{"model", "version"},
		Signals: []Signal{
			{Metric: "nv_inference_request_duration_us", Unit: "us", Ratio: &Ratio{Signal: RequestDuration, Per: []string{"nv_inference_request_success"}}},
			{Metric: "nv_inference_queue_duration_us", Unit: "us", Ratio: &Ratio{Signal: QueueDuration, Per: []string{"nv_inference_request_success"}}},
			{Metric: "nv_inference_request_failure", Ratio: &Ratio{Signal: ErrorRateSignal, Per: []string{"nv_inference_request_success", "nv_inference_request_failure"}}},
		},
		Rules: []Rule{
			{Name: "request_duration_mean_high", Signal: RequestDuration, Above: tritonLatencyMs, MinSamples: errorRateMinReqs, Kind: "latency", Actions: alertOnly},
			{Name: "queue_duration_mean_high", Signal: QueueDuration, Above: tritonQueueMs, MinSamples: errorRateMinReqs, Kind: "latency", Actions: alertOnly},
			{Name: "error_rate_high", Signal: ErrorRateSignal, Above: errorRateMax, MinSamples: errorRateMinReqs, Kind: "degradation", Actions: alertOnly},
		},
	}
}

// kserveP95Ms: a KServe predictor (scikit-learn, XGBoost, custom Python)
// answering slower than 500 ms at p95 is degraded for online use.
const kserveP95Ms = 500

// kserve: the KServe Python model server's step histograms. It exports no
// failure counter, so the preset has no error rate.
func kserve() Preset {
	return Preset{
		Name:     "kserve",
		ModelKey: []string{"model_name"},
		Signals: []Signal{
			{Metric: "request_predict_seconds", Signal: RequestDuration, Unit: "s"},
			{Metric: "request_preprocess_seconds", Signal: "preprocess_duration", Unit: "s"},
			{Metric: "request_postprocess_seconds", Signal: "postprocess_duration", Unit: "s"},
			{Metric: "request_explain_seconds", Signal: "explain_duration", Unit: "s"},
		},
		Rules: []Rule{
			{Name: "request_duration_p95_high", Signal: RequestDuration, Aggregation: "p95", Above: kserveP95Ms, Kind: "latency", Actions: alertOnly},
		},
	}
}
