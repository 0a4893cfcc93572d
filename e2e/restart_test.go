package e2e

import (
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// restartConfig keeps both exporters' sending queues and state on
// file_storage and retries without a deadline, as the default config does.
const restartConfig = `
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
    storage: file_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
      max_elapsed_time: 0s
    sending_queue:
      enabled: true
      storage: file_storage
      num_consumers: 1
  retrain_queue:
    backend: redis
    coalesce_window: 0s
    storage: file_storage
    redis:
      address: 127.0.0.1:{{.RedisPort}}
      stream: modelmon:retrain
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
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

// TestRestartDeliversOnce kills the collector with SIGKILL in the middle of
// two incidents while the webhook target and Redis are down, restarts it and
// then brings the targets up: each alert must be notified firing once and
// resolved once, and exactly one retraining job per incident must reach Redis.
func TestRestartDeliversOnce(t *testing.T) {
	hookPort, redisPort := freePort(t), freePort(t)
	rds := newRedis(t, redisPort) // prepared, not started: Redis is down
	c := newCollector(t, restartConfig, map[string]any{"HookPort": hookPort, "RedisPort": redisPort, "FileStorage": true})
	c.start()

	models := []*fleetModel{
		{Name: "credit-model", Version: "v5", Service: "credit-api", GRPC: true},
		{Name: "fraud-model", Version: "v7", Service: "fraud-api"},
	}
	for _, m := range models {
		m.setAccuracy(0.80)
	}
	startFleet(t, c, 200*time.Millisecond, models...)

	// Both exporters have taken the firing events from their persistent queue
	// and are retrying them against the dead targets.
	require.Eventually(t, func() bool {
		fired, _ := c.metric("otelcol_processor_modelmon_events", `state="firing"`)
		log := c.logText()
		return fired >= 2 && retrying(log, "alert_webhook") && retrying(log, "retrain_queue")
	}, 30*time.Second, 100*time.Millisecond, "exporters never retried the firing events")
	killedAt := time.Now()
	c.kill()

	c.start()
	hook, srv := newWebhookServer(t)
	srv.Close() // the recorder is reused on the reserved port below
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(hookPort))
	require.NoError(t, err)
	target := httptest.NewUnstartedServer(hook)
	target.Listener = l
	target.Start()
	t.Cleanup(target.Close)
	rds.startRedis(t)

	require.Eventually(t, func() bool {
		return len(hook.alerts("accuracy_low", "firing")) >= len(models) &&
			len(rds.streamJobs(t, "modelmon:retrain")) >= len(models)
	}, 60*time.Second, 100*time.Millisecond, "firing notifications or jobs never delivered after restart")

	for _, m := range models {
		m.setAccuracy(0.97)
	}
	require.Eventually(t, func() bool { return len(hook.alerts("accuracy_low", "resolved")) >= len(models) },
		60*time.Second, 100*time.Millisecond, "resolutions never delivered")
	// Everything the restarted collector produced has left both queues.
	require.Eventually(t, func() bool {
		aw, _ := c.metric("otelcol_exporter_sent_log_records", `exporter="alert_webhook"`)
		rq, _ := c.metric("otelcol_exporter_sent_log_records", `exporter="retrain_queue"`)
		q, _ := c.metric("otelcol_exporter_queue_size")
		return aw >= 4 && rq >= 4 && q == 0
	}, 60*time.Second, 100*time.Millisecond, "queues did not drain")

	assert.Zero(t, hook.malformed(), "alert_webhook sent a body that is not an Alertmanager webhook message")
	jobs := rds.streamJobs(t, "modelmon:retrain")
	seen := map[string]bool{}
	for _, j := range jobs {
		assert.False(t, seen[j.JobID], "job %s delivered twice", j.JobID)
		seen[j.JobID] = true
	}
	for _, m := range models {
		t.Run(m.Name, func(t *testing.T) {
			firing := forModel(hook.alerts("accuracy_low", "firing"), m.Name)
			if assert.Len(t, firing, 1, "firing notified exactly once") {
				// The notification is the one queued before the crash, not a
				// new incident the restarted processor opened.
				assert.True(t, firing[0].StartsAt.Before(killedAt), "firing started %s, crash at %s", firing[0].StartsAt, killedAt)
			}
			assert.Len(t, forModel(hook.alerts("accuracy_low", "resolved"), m.Name), 1, "resolution notified exactly once")
			assert.Len(t, jobsFor(jobs, m.Name), 1, "exactly one job for the incident: %+v", jobs)
		})
	}
}

// forModel keeps the alerts of one model.
func forModel(alerts []webhookAlert, model string) []webhookAlert {
	var out []webhookAlert
	for _, a := range alerts {
		if a.Labels["model_name"] == model {
			out = append(out, a)
		}
	}
	return out
}

// retrying reports whether the collector log shows exporter id retrying a send.
func retrying(log, id string) bool {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "Will retry") && strings.Contains(line, `"otelcol.component.id": "`+id+`"`) {
			return true
		}
	}
	return false
}
