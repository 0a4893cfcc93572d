package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// killConfig keeps both exporters' sending queues and state on file_storage,
// retries without a deadline, and makes one retraining job per firing.
const killConfig = `
processors:
  modelmon:
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
exporters:
  debug:
    verbosity: basic
  alert_webhook:
    endpoint: http://127.0.0.1:{{.HookPort}}/alerts
    format: json
    signing_secret: [e2e-kill-secret-0123456789]
    storage: file_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
    sending_queue:
      enabled: true
      storage: file_storage
      num_consumers: 1
  retrain_queue:
    backend: redis
    coalesce_window: 0s
    cooldown: 0s
    max_jobs_per_hour: 1000
    storage: file_storage
    redis:
      address: 127.0.0.1:{{.RedisPort}}
      stream: modelmon:retrain
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
    sending_queue:
      enabled: true
      storage: file_storage
service:
  extensions: [health_check, file_storage]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [alert_webhook, retrain_queue]
`

// killOutcome is what reached the targets in runKillDuringOutage.
type killOutcome struct {
	hook *idRecorder
	jobs []retrainJob
}

// runKillDuringOutage: with the webhook target and Redis down, one model has
// two incidents and another one, all resolved (six notifications); the collector is killed with SIGKILL while both exporters
// retry, restarted, and the targets come up after the outage.
func runKillDuringOutage(t *testing.T) killOutcome {
	t.Helper()
	down := outage(t)
	hookPort, redisPort := freePort(t), freePort(t)
	rds := newDurableRedis(t, redisPort) // prepared, not started: Redis is down
	c := newCollector(t, killConfig, map[string]any{"HookPort": hookPort, "RedisPort": redisPort, "FileStorage": true})
	c.start()
	a := &fleetModel{Name: "fraud-model", Version: "v7", Service: "fraud-api"}
	b := &fleetModel{Name: "churn-model", Version: "v2", Service: "churn-api", GRPC: true}
	startFleet(t, c, 200*time.Millisecond, a, b)
	outageEnds := time.Now().Add(down)

	setAll(0.80, a, b)
	waitMetric(t, c, 2, "otelcol_processor_modelmon_events", `state="firing"`)
	setAll(0.97, a, b)
	waitMetric(t, c, 2, "otelcol_processor_modelmon_events", `state="resolved"`)
	a.setAccuracy(0.80)
	waitMetric(t, c, 3, "otelcol_processor_modelmon_events", `state="firing"`)
	a.setAccuracy(0.97)
	waitMetric(t, c, 3, "otelcol_processor_modelmon_events", `state="resolved"`)
	require.Eventually(t, func() bool {
		log := c.logText()
		return retrying(log, "alert_webhook") && (retrying(log, "retrain_queue") || writeFailed(log))
	}, 30*time.Second, 100*time.Millisecond, "exporters never retried against the dead targets")
	c.kill()

	c.start()
	// The rest of the outage, now with the restarted collector.
	time.Sleep(time.Until(outageEnds))
	hook := &idRecorder{webhookRecorder: &webhookRecorder{}}
	serveOn(t, hookPort, hook)
	rds.startRedis(t)

	jobs := func() []retrainJob { return rds.streamJobs(t, "modelmon:retrain") }
	if !assert.Eventually(t, func() bool { return len(jobsFor(jobs(), "fraud-model")) > 0 && len(jobsFor(jobs(), "churn-model")) > 0 },
		120*time.Second, 100*time.Millisecond, "jobs never delivered after the restart") {
		t.Fatalf("jobs in Redis: %+v; notifications: %v", jobs(), statuses(hook))
	}
	require.Eventually(t, func() bool {
		q, _ := c.metric("otelcol_exporter_queue_size")
		sent, _ := c.metric("otelcol_exporter_sent_log_records", `exporter="alert_webhook"`)
		return q == 0 && sent >= 1
	}, 120*time.Second, 100*time.Millisecond, "queues did not drain after the restart")
	return killOutcome{hook: hook, jobs: jobs()}
}

// TestKillDuringOutage: across the kill no notification is delivered twice,
// every alert ends resolved at the receiver, and every firing's retraining
// job that was made reaches Redis exactly once. (TestRestartDeliversOnce covers the kill
// with the alert still firing.)
func TestKillDuringOutage(t *testing.T) {
	out := runKillDuringOutage(t)

	seen := map[string]bool{}
	for _, id := range out.hook.webhookIDs() {
		assert.False(t, seen[id], "webhook-id %s delivered twice", id)
		seen[id] = true
	}
	got := statuses(out.hook)
	for _, model := range []string{"fraud-model", "churn-model"} {
		if assert.NotEmpty(t, got[model], model) {
			assert.Equal(t, "resolved", got[model][len(got[model])-1], "%s ends resolved: %v", model, got[model])
		}
	}

	ids := map[string]bool{}
	for _, j := range out.jobs {
		assert.False(t, ids[j.JobID], "job %s enqueued twice", j.JobID)
		ids[j.JobID] = true
	}
	// fraud-model's second incident may add no job: while the first one's job
	// waits for Redis, the model already has one (retrain_queue's design).
	assert.NotEmpty(t, jobsFor(out.jobs, "fraud-model"))
	assert.Len(t, jobsFor(out.jobs, "churn-model"), 1, "one job for the incident")
}
