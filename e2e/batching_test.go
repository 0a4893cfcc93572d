package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// batchingConfig: a static rule with `for`, a Page-Hinkley detector on every
// point and a CUSUM detector on the window mean, so that the lifecycle, the
// detectors' learning and their evaluation step are all exercised.
const batchingConfig = `
processors:
  modelmon:
    window:
      size: 20
      duration: 1m
    evaluation_interval: 3s
    rules:
      - name: acc_mean
        signal: accuracy
        aggregation: mean
        below: 0.935
        for: 15s
        min_samples: 5
      - name: acc_ph
        signal: accuracy
        strategy: page_hinkley
      - name: acc_cusum
        signal: accuracy
        strategy: cusum
        aggregation: mean
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
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [otlp_http/events]
`

// accuracyStream is 300 points a second apart of three models, each with a
// 3σ drop that starts and ends at its own time, stamped an hour ago.
func accuracyStream(base time.Time) []accuracyPoint {
	rng := rand.New(rand.NewPCG(7, 7))
	var out []accuracyPoint
	for i := range 300 {
		for m := range 3 {
			v := 0.95 + 0.01*rng.NormFloat64()
			if i >= 100+20*m && i < 200+10*m {
				v -= 0.03
			}
			out = append(out, accuracyPoint{fmt.Sprintf("batch-m%d", m), base.Add(time.Duration(i) * time.Second), v})
		}
	}
	return out
}

// TestBatchingSameEvents: the same points sent to the built distro one per
// request and a hundred per request (a backlog replayed an hour late) give
// the same events with the same times, started_at and observed values.
func TestBatchingSameEvents(t *testing.T) {
	points := accuracyStream(time.Now().Add(-time.Hour).Truncate(time.Second))
	run := func(perRequest int) []string {
		sink := newLogSink(t)
		c := newCollector(t, batchingConfig, map[string]any{"SinkURL": sink.srv.URL})
		c.start()
		for i := 0; i < len(points); i += perRequest {
			postAccuracies(t, c, points[i:min(i+perRequest, len(points))])
		}
		var got []string
		// Every point has been evaluated when its request is answered; wait
		// until every event the processor made has reached the sink.
		require.Eventually(t, func() bool {
			made, _ := c.metric("otelcol_processor_modelmon_events")
			evs, invalid := sink.all()
			require.Empty(t, invalid)
			if made == 0 || float64(len(evs)) != made {
				return false
			}
			got = got[:0]
			for _, e := range evs {
				v := e.V
				got = append(got, fmt.Sprintf("%s %s %s %s started=%s observed=%.9g samples=%d",
					v.Time.Format(time.RFC3339Nano), v.ModelID(), v.Rule, v.State,
					v.StartedAt.Format(time.RFC3339Nano), v.Observed, v.WindowSamples))
			}
			return true
		}, 30*time.Second, 100*time.Millisecond, "events never all reached the sink:\n%s", c.logText())
		// Each model's drop fires and resolves acc_mean.
		require.Len(t, sink.find(ruleState("acc_mean", "resolved")), 3)
		slices.Sort(got)
		return got
	}
	one := run(1)
	hundred := run(100)
	require.NotEmpty(t, one)
	require.Equal(t, one, hundred)
}
