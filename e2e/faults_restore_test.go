package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// restoreConfig keeps the processor's firing alerts and alert_webhook's
// dedup state on file_storage; the webhook target stays up throughout.
const restoreConfig = `
processors:
  modelmon:
    storage: file_storage
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
exporters:
  debug:
    verbosity: basic
  alert_webhook:
    endpoint: {{.HookURL}}/alerts
    format: json
    storage: file_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
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
      exporters: [alert_webhook]
`

// TestResolvedAfterRestartWhileDown: two alerts fire, the collector is
// killed with SIGKILL, fraud-model recovers while nothing runs, and the
// collector restarts on the same storage. The processor restores both firing
// alerts: the recovered data resolves fraud-model's, and credit-model's,
// still degraded, keeps firing silently until it recovers too. The receiver
// gets each resolution once, with the original start, and no second firing.
// Without the processor's storage fraud-model's resolution never comes and
// its incident stays open.
func TestResolvedAfterRestartWhileDown(t *testing.T) {
	hook, srv := newWebhookServer(t)
	c := newCollector(t, restoreConfig, map[string]any{"HookURL": srv.URL, "FileStorage": true})
	resolvedAfterRestart(t, c, hook, func() {
		waitMetric(t, c, 2, "otelcol_processor_modelmon_state_writes", `op="write"`)
	})
}

// resolvedAfterRestart runs TestResolvedAfterRestartWhileDown's scenario on
// c, a collector that notifies hook and keeps its state in some storage;
// awaitSaved returns once both firing alerts are in that storage.
func resolvedAfterRestart(t *testing.T, c *collector, hook *webhookRecorder, awaitSaved func()) {
	c.start()

	fraud := &fleetModel{Name: "fraud-model", Version: "v7", Service: "fraud-api"}
	credit := &fleetModel{Name: "credit-model", Version: "v5", Service: "credit-api", GRPC: true}
	setAll(0.80, fraud, credit)
	startFleet(t, c, 200*time.Millisecond, fraud, credit)

	require.Eventually(t, func() bool { return len(hook.alerts("accuracy_low", "firing")) == 2 },
		30*time.Second, 100*time.Millisecond, "the firings were never notified")
	// The firing alerts are saved before the crash.
	awaitSaved()
	fired := map[string]webhookAlert{}
	for _, a := range hook.alerts("accuracy_low", "firing") {
		fired[a.Labels["model_name"]] = a
	}
	c.kill()

	fraud.setAccuracy(0.97) // recovers while the collector is down
	c.start()
	resolvedFor := func(m string) func() bool {
		return func() bool { return len(forModel(hook.alerts("accuracy_low", "resolved"), m)) >= 1 }
	}
	require.Eventually(t, resolvedFor("fraud-model"), 30*time.Second, 100*time.Millisecond,
		"the resolution never reached the receiver:\n%s", c.logText())
	restored, _ := c.metric("otelcol_processor_modelmon_alerts_loaded", `outcome="restored"`)
	assert.Equal(t, 2.0, restored)

	credit.setAccuracy(0.97)
	require.Eventually(t, resolvedFor("credit-model"), 30*time.Second, 100*time.Millisecond,
		"credit-model never resolved")
	// Both resolutions cleared their records on disk.
	waitMetric(t, c, 2, "otelcol_processor_modelmon_state_writes", `op="delete"`)

	// The restarted processor itself made no firing event (the receiver's
	// dedup state would hide one) and exactly the two resolutions.
	firingAfter, _ := c.metric("otelcol_processor_modelmon_events", `state="firing"`)
	resolvedAfter, _ := c.metric("otelcol_processor_modelmon_events", `state="resolved"`)
	assert.Zero(t, firingAfter)
	assert.Equal(t, 2.0, resolvedAfter)

	for _, m := range []string{"fraud-model", "credit-model"} {
		t.Run(m, func(t *testing.T) {
			firing := forModel(hook.alerts("accuracy_low", "firing"), m)
			resolved := forModel(hook.alerts("accuracy_low", "resolved"), m)
			assert.Len(t, firing, 1, "no second firing after the restart")
			require.Len(t, resolved, 1, "resolved once")
			assert.Equal(t, fired[m].Fingerprint, resolved[0].Fingerprint)
			assert.True(t, fired[m].StartsAt.Equal(resolved[0].StartsAt),
				"the resolution carries the original start: fired %s, resolved %s", fired[m].StartsAt, resolved[0].StartsAt)
		})
	}
	assert.Zero(t, hook.malformed())
}
