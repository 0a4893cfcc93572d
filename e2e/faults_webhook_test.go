package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webhookOutageConfig: one sending-queue consumer keeps a firing ahead of its
// resolution; retries never give up, as in the default config.
const webhookOutageConfig = `
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
    # Signed so that every request carries its webhook-id.
    signing_secret: [e2e-outage-secret-0123456789]
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
    sending_queue:
      enabled: true
      num_consumers: 1
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
      exporters: [alert_webhook]
`

// TestWebhookOutageDeliversOnceInOrder keeps the webhook target down while two
// models go through incidents (one fires, resolves and fires again), then
// brings it up: every notification arrives exactly once, in order per alert.
func TestWebhookOutageDeliversOnceInOrder(t *testing.T) {
	down := outage(t)
	hookPort := freePort(t)
	c := newCollector(t, webhookOutageConfig, map[string]any{"HookPort": hookPort})
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
	require.Eventually(t, func() bool { return retrying(c.logText(), "alert_webhook") },
		30*time.Second, 100*time.Millisecond, "alert_webhook never retried against the dead target")
	// The outage itself, not a wait for something to happen.
	time.Sleep(time.Until(outageEnds))

	hook := &idRecorder{webhookRecorder: &webhookRecorder{}}
	serveOn(t, hookPort, hook)
	require.Eventually(t, func() bool {
		return len(hook.alerts("accuracy_low", "firing")) >= 3 && len(hook.alerts("accuracy_low", "resolved")) >= 2
	}, 120*time.Second, 100*time.Millisecond, "notifications never delivered after the outage")
	waitMetric(t, c, 5, "otelcol_exporter_sent_log_records", `exporter="alert_webhook"`)
	require.Eventually(t, func() bool {
		q, _ := c.metric("otelcol_exporter_queue_size", `exporter="alert_webhook"`)
		return q == 0
	}, 60*time.Second, 100*time.Millisecond, "queue did not drain")

	ids := hook.webhookIDs()
	seen := map[string]bool{}
	for _, id := range ids {
		assert.False(t, seen[id], "webhook-id %s delivered twice", id)
		seen[id] = true
	}
	assert.Equal(t, map[string][]string{
		"fraud-model": {"firing", "resolved", "firing"},
		"churn-model": {"firing", "resolved"},
	}, statuses(hook), "every notification once, in order per alert")
	t.Logf("outage %s: %d requests delivered after it", down, len(ids))
}
