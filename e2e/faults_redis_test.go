package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redisRestartConfig: one job per firing (no coalescing, no cooldown), to a
// Redis stream, retried without a deadline.
const redisRestartConfig = `
processors:
  modelmon:
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
exporters:
  debug:
    verbosity: basic
  retrain_queue:
    backend: redis
    coalesce_window: 0s
    cooldown: 0s
    max_jobs_per_hour: 1000
    redis:
      address: 127.0.0.1:{{.RedisPort}}
      stream: modelmon:retrain
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
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
      exporters: [retrain_queue]
`

// TestRedisRestartMidStream: two models degrade while Redis is up, Redis is
// stopped, three more degrade, Redis comes back on the same port with its
// append-only file: every model has exactly one job, none lost, none twice.
func TestRedisRestartMidStream(t *testing.T) {
	port := freePort(t)
	rds := newDurableRedis(t, port)
	rds.startRedis(t)
	c := newCollector(t, redisRestartConfig, map[string]any{"RedisPort": port})
	c.start()
	var models []*fleetModel
	for _, n := range []string{"r1", "r2", "r3", "r4", "r5"} {
		models = append(models, &fleetModel{Name: n, Version: "v1", Service: n + "-api", GRPC: n == "r2"})
	}
	startFleet(t, c, 200*time.Millisecond, models...)
	jobs := func() []retrainJob { return rds.streamJobs(t, "modelmon:retrain") }

	setAll(0.80, models[:2]...)
	require.Eventually(t, func() bool { return len(jobs()) >= 2 },
		60*time.Second, 100*time.Millisecond, "jobs before the restart never arrived")

	rds.stop()
	setAll(0.80, models[2:]...)
	waitMetric(t, c, 5, "otelcol_processor_modelmon_events", `state="firing"`)
	require.Eventually(t, func() bool { return retrying(c.logText(), "retrain_queue") || writeFailed(c.logText()) },
		30*time.Second, 100*time.Millisecond, "retrain_queue never retried against the stopped Redis")
	// The outage itself: Redis stays down a while with jobs pending.
	time.Sleep(outage(t) / 2)

	rds.startRedis(t)
	require.Eventually(t, func() bool { return len(jobs()) >= 5 },
		90*time.Second, 100*time.Millisecond, "jobs made while Redis was down never arrived")
	require.Eventually(t, func() bool {
		q, _ := c.metric("otelcol_exporter_queue_size", `exporter="retrain_queue"`)
		return q == 0
	}, 60*time.Second, 100*time.Millisecond, "queue did not drain")

	got := jobs()
	ids := map[string]bool{}
	for _, j := range got {
		assert.False(t, ids[j.JobID], "job %s enqueued twice", j.JobID)
		ids[j.JobID] = true
	}
	for _, m := range models {
		assert.Len(t, jobsFor(got, m.Name), 1, "one job for %s", m.Name)
	}
}
