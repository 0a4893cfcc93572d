package modelmonprocessor

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// tritonScrapes are 40 scrapes, 15 s apart, of Triton's duration and
// success counters for two models; one model slows from 10 ms to 30 ms per
// request for scrapes 12–24.
func tritonScrapes() []pmetric.Metrics {
	var out []pmetric.Metrics
	dur := map[string]float64{"bert": 0, "resnet": 0}
	success := map[string]float64{"bert": 0, "resnet": 0}
	for i := range 40 {
		ts := t0.Add(time.Duration(i) * 15 * time.Second)
		md := pmetric.NewMetrics()
		for _, name := range []string{"nv_inference_request_duration_us", "nv_inference_request_success"} {
			series := map[string]map[string]float64{}
			for m := range dur {
				v := success[m]
				if name == "nv_inference_request_duration_us" {
					v = dur[m]
				}
				series[m] = map[string]float64{"": v}
			}
			counterBatch(ts, name, series, "", "model").ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		}
		out = append(out, md)
		for m := range dur {
			perReq := 10.0
			if m == "bert" && i >= 12 && i < 24 {
				perReq = 30
			}
			success[m] += 100
			dur[m] += 100 * perReq * 1000
		}
	}
	return out
}

// TestRateBatchInvariance: scrapes of counters sent one per request, or
// many per request as a backlog, give the same events at the same times.
func TestRateBatchInvariance(t *testing.T) {
	run := func(perRequest int) []string {
		e, sink := presetEngine(t, `
presets: [triton]
window: {size: 4, duration: 1m}
rules: [{name: slow, signal: request_duration, above: 20}]
`)
		scrapes := tritonScrapes()
		for i := 0; i < len(scrapes); i += perRequest {
			md := pmetric.NewMetrics()
			for _, s := range scrapes[i:min(i+perRequest, len(scrapes))] {
				s.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
			}
			arrival := t0.Add(time.Duration(min(i+perRequest, len(scrapes))-1) * 15 * time.Second)
			e.clock = func() time.Time { return arrival }
			_, err := e.processMetrics(context.Background(), md)
			require.NoError(t, err)
		}
		var got []string
		for _, v := range violations(sink) {
			got = append(got, eventKey(v))
		}
		slices.Sort(got)
		return got
	}
	want := run(1)
	require.Len(t, want, 2, "bert fires and resolves: %v", want)
	for _, n := range []int{7, 40} {
		require.Equal(t, want, run(n), "%d scrapes per request", n)
	}
}
