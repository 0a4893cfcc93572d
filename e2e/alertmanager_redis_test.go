package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fleetConfig: short windows so that an incident fires and resolves in
// seconds; alert_webhook posts to a real Alertmanager; retrain_queue writes to
// a real redis-server and to the file backend.
const fleetConfig = `
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
    endpoint: {{.AlertmanagerURL}}
    format: alertmanager
    resend_interval: 2s
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
  retrain_queue/redis:
    backend: redis
    coalesce_window: 0s
    redis:
      address: {{.RedisAddr}}
      stream: modelmon:retrain
  retrain_queue/file:
    backend: file
    coalesce_window: 0s
    file:
      directory: {{.Dir}}/retrain-queue
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
      exporters: [alert_webhook, retrain_queue/redis, retrain_queue/file]
`

// TestFleetToAlertmanagerAndRedis runs two models through the OTel Go SDK
// (one over gRPC, one over HTTP). One degrades and recovers: its alert must
// appear in Alertmanager and resolve there, and exactly one retraining job
// must be written to Redis and to ready/. The healthy one must cause nothing.
func TestFleetToAlertmanagerAndRedis(t *testing.T) {
	am := startAlertmanager(t)
	rds := newRedis(t, 0)
	rds.startRedis(t)
	c := newCollector(t, fleetConfig, map[string]any{"AlertmanagerURL": am.URL, "RedisAddr": rds.Addr})
	c.start()

	sick := &fleetModel{Name: "churn-model", Version: "v3", Service: "churn-api", GRPC: true}
	well := &fleetModel{Name: "ranker", Version: "v12", Service: "search-api"}
	startFleet(t, c, 200*time.Millisecond, sick, well)

	// A healthy start (both models tracked, a window's worth of points), then the incident.
	require.Eventually(t, func() bool {
		models, _ := c.metric("otelcol_processor_modelmon_models")
		matched, _ := c.metric("otelcol_processor_modelmon_datapoints", `outcome="matched"`)
		return models == 2 && matched >= 40
	}, 30*time.Second, 50*time.Millisecond, "the fleet's data never reached modelmon")
	sick.setAccuracy(0.80)

	var fp string
	require.Eventually(t, func() bool {
		for _, a := range am.activeAlerts(t) {
			if a.Labels["alertname"] == "accuracy_low" && a.Labels["model_name"] == "churn-model" {
				fp = a.Fingerprint
				return a.Labels["model_version"] == "v3"
			}
		}
		return false
	}, 30*time.Second, 100*time.Millisecond, "alert never active in Alertmanager")
	require.Eventually(t, func() bool { return len(am.Notified.alerts("accuracy_low", "firing")) > 0 },
		30*time.Second, 100*time.Millisecond, "Alertmanager never notified the firing alert")
	require.Eventually(t, func() bool {
		return len(rds.streamJobs(t, "modelmon:retrain")) > 0 && len(readyJobs(t, c.Dir+"/retrain-queue")) > 0
	}, 30*time.Second, 100*time.Millisecond, "no retraining job in Redis and ready/")

	sick.setAccuracy(0.97)
	require.Eventually(t, func() bool {
		for _, a := range am.activeAlerts(t) {
			if a.Fingerprint == fp {
				return false
			}
		}
		return true
	}, 30*time.Second, 100*time.Millisecond, "alert still active in Alertmanager after recovery")
	require.Eventually(t, func() bool { return len(am.Notified.alerts("accuracy_low", "resolved")) > 0 },
		30*time.Second, 100*time.Millisecond, "Alertmanager never notified the resolution")

	// The resolution reached both retrain_queue exporters too; it must not add a job.
	require.Eventually(t, func() bool {
		r, _ := c.metric("otelcol_exporter_sent_log_records", `exporter="retrain_queue/redis"`)
		f, _ := c.metric("otelcol_exporter_sent_log_records", `exporter="retrain_queue/file"`)
		return r >= 2 && f >= 2
	}, 30*time.Second, 100*time.Millisecond, "retrain_queue exporters did not see firing and resolved")

	redisJobs := rds.streamJobs(t, "modelmon:retrain")
	fileJobs := readyJobs(t, c.Dir+"/retrain-queue")
	assert.Len(t, jobsFor(redisJobs, "churn-model"), 1, "one job per incident in Redis: %+v", redisJobs)
	assert.Len(t, jobsFor(fileJobs, "churn-model"), 1, "one job per incident in ready/: %+v", fileJobs)
	assert.Empty(t, jobsFor(redisJobs, "ranker"), "healthy model got a job")
	assert.Empty(t, jobsFor(fileJobs, "ranker"), "healthy model got a job")
	if len(redisJobs) == 1 && len(fileJobs) == 1 {
		assert.Equal(t, redisJobs[0].JobID, fileJobs[0].JobID, "job id derives from the incident")
	}
	assert.Zero(t, am.Notified.malformed(), "Alertmanager sent something that is not a webhook message")
	for _, a := range am.Notified.alerts("accuracy_low", "firing") {
		assert.Equal(t, "churn-model", a.Labels["model_name"], "only the degraded model alerts")
	}
}
