package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redisStorageConfig keeps the processor's firing alerts and alert_webhook's
// dedup state in Redis through redis_storage (.RedisStorage, short timeouts).
const redisStorageConfig = `
processors:
  modelmon:
    storage: redis_storage
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
    storage: redis_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
service:
  extensions: [health_check, redis_storage]
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

// savedAlertKeys lists the processor's firing-alert records in Redis.
func savedAlertKeys(t *testing.T, r *redisServer) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	keys, err := r.Client.Keys(ctx, "processor_modelmon__alerts/alert/*").Result()
	require.NoError(t, err)
	return keys
}

// TestRedisStorageOutage: with the processor's and alert_webhook's state in
// Redis, a Redis outage leaves the metrics flowing and alerts notified (the
// state stays in memory, the failed writes are counted), and once Redis is
// back on its address the state is written again without a restart.
func TestRedisStorageOutage(t *testing.T) {
	port := freePort(t)
	rds := newRedis(t, port)
	rds.startRedis(t)
	hook, srv := newWebhookServer(t)
	c := newCollector(t, redisStorageConfig, map[string]any{"HookURL": srv.URL, "RedisStorage": rds.Addr})
	c.start()

	fraud := &fleetModel{Name: "fraud-model", Version: "v7", Service: "fraud-api"}
	credit := &fleetModel{Name: "credit-model", Version: "v5", Service: "credit-api", GRPC: true}
	risk := &fleetModel{Name: "risk-model", Version: "v2", Service: "risk-api"}
	startFleet(t, c, 200*time.Millisecond, fraud, credit, risk)
	firingFor := func(m string) func() bool {
		return func() bool { return len(forModel(hook.alerts("accuracy_low", "firing"), m)) >= 1 }
	}

	fraud.setAccuracy(0.80)
	require.Eventually(t, firingFor("fraud-model"), 30*time.Second, 100*time.Millisecond, "fraud-model never notified")
	require.Eventually(t, func() bool { return len(savedAlertKeys(t, rds)) == 1 },
		30*time.Second, 100*time.Millisecond, "the firing alert never reached Redis")

	rds.stop()
	matchedBefore, _ := c.metric("otelcol_processor_modelmon_datapoints", `outcome="matched"`)
	credit.setAccuracy(0.80)
	require.Eventually(t, firingFor("credit-model"), 30*time.Second, 100*time.Millisecond,
		"an alert firing while Redis is down was not notified:\n%s", c.logText())
	waitMetric(t, c, 1, "otelcol_processor_modelmon_state_errors")
	waitMetric(t, c, 1, "otelcol_extension_redis_storage_errors")
	waitMetric(t, c, matchedBefore+30, "otelcol_processor_modelmon_datapoints", `outcome="matched"`)
	assert.True(t, c.healthy(), "the collector stays healthy while Redis is down")

	rds.startRedis(t) // an empty Redis on the same address
	risk.setAccuracy(0.80)
	require.Eventually(t, firingFor("risk-model"), 30*time.Second, 100*time.Millisecond, "risk-model never notified")
	// The new Redis is empty: one record is risk-model's, written after it came back.
	require.Eventually(t, func() bool { return len(savedAlertKeys(t, rds)) == 1 }, 30*time.Second, 100*time.Millisecond, "no alert was written after Redis came back:\n%s", c.logText())
	for _, m := range []string{"fraud-model", "credit-model", "risk-model"} {
		assert.Len(t, forModel(hook.alerts("accuracy_low", "firing"), m), 1, "%s notified once", m)
	}
	assert.Zero(t, hook.malformed())
}
