package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The secrets of secretsConfig; each would be recognisable anywhere.
var secrets = map[string]string{
	"SigningSecret": "sign-SECRET-e2e-7d41c9",
	"AuthHeader":    "hdr-SECRET-e2e-52aa07",
	"RoutingKey":    "route-SECRET-e2e-0f3b8e",
	"RedisPassword": "redis-SECRET-e2e-9c6d21",
	"JobSecret":     "job-SECRET-e2e-44e0f1",
	"JobHeader":     "jobhdr-SECRET-e2e-8b19d3",
	"SlackToken":    "T0E2E/B0E2E/slack-SECRET-e2e-3c7a55",
}

// secretsConfig puts every kind of secret the components take in one
// collector, each aimed at an endpoint that makes the component fail and log:
// an echo server that answers 400 with the request's headers and body, and a
// Redis that wants another password.
const secretsConfig = `
processors:
  modelmon:
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
exporters:
  debug:
    verbosity: basic
  alert_webhook/json:
    endpoint: {{.EchoURL}}/hook
    format: json
    signing_secret: [{{.SigningSecret}}]
    headers:
      Authorization: Bearer {{.AuthHeader}}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
  alert_webhook/pagerduty:
    endpoint: {{.EchoURL}}/v2/enqueue
    format: pagerduty
    routing_key: {{.RoutingKey}}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
  alert_webhook/slack:
    webhook_url: {{.EchoURL}}/services/{{.SlackToken}}
    format: slack
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
  retrain_queue/redis:
    backend: redis
    coalesce_window: 0s
    redis:
      address: {{.RedisAddr}}
      password: {{.RedisPassword}}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
  retrain_queue/http:
    backend: http
    coalesce_window: 0s
    http:
      endpoint: {{.EchoURL}}/jobs
      headers:
        X-Api-Key: {{.JobHeader}}
      generic:
        signing_secret: {{.JobSecret}}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 500ms
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
      exporters: [alert_webhook/json, alert_webhook/pagerduty, alert_webhook/slack, retrain_queue/redis, retrain_queue/http]
`

// TestSecretsNeverInCollectorOutput runs the distro with every secret the
// components take while each of them fails and retries, with debug logs:
// the collector's own output (stdout and stderr) never quotes a secret, and
// neither does its config dump (print-config).
func TestSecretsNeverInCollectorOutput(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "%s %s %v", r.URL.Path, b, r.Header)
	}))
	t.Cleanup(echo.Close)
	rds := newPasswordRedis(t, "the-other-password")
	rds.startRedis(t)

	data := map[string]any{"EchoURL": echo.URL, "RedisAddr": rds.Addr}
	for k, v := range secrets {
		data[k] = v
	}
	c := newCollector(t, secretsConfig, data)
	// Debug logs: the most a collector ever writes about its exporters.
	c.args = append(c.args, "--set=service.telemetry.logs.level=debug")
	c.start()
	sick := &fleetModel{Name: "secret-model", Version: "v1", Service: "secret-api"}
	sick.setAccuracy(0.80)
	startFleet(t, c, 200*time.Millisecond, sick)

	for _, id := range []string{"alert_webhook/json", "alert_webhook/pagerduty", "alert_webhook/slack", "retrain_queue/redis", "retrain_queue/http"} {
		require.Eventually(t, func() bool {
			log := c.logText()
			return failedIn(log, id) != ""
		}, 60*time.Second, 100*time.Millisecond, "%s never failed against its endpoint", id)
	}
	log := c.logText()
	for _, id := range []string{"alert_webhook/json", "alert_webhook/pagerduty", "alert_webhook/slack", "retrain_queue/redis", "retrain_queue/http"} {
		t.Logf("%s logged: %.300s", id, failedIn(log, id))
	}
	for name, s := range secrets {
		assert.NotContains(t, log, s, "%s in the collector's output", name)
	}

	out, err := exec.Command(distroPath, "print-config", "--config", filepath.Join(c.Dir, "config.yaml")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "alert_webhook/pagerduty", "the dump holds the exporters")
	for name, s := range secrets {
		assert.NotContains(t, string(out), s, "%s in print-config", name)
	}
}

// newPasswordRedis prepares a redis-server on a free port that requires
// password, so that a client with another one is refused.
func newPasswordRedis(t *testing.T, password string) *redisServer {
	t.Helper()
	bin := requireProgram(t, "redis-server", "/usr/bin/redis-server")
	port := freePort(t)
	dir := t.TempDir()
	r := &redisServer{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	r.process = newProcess(t, "redis", bin, dir,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--requirepass", password)
	r.Client = redis.NewClient(&redis.Options{Addr: r.Addr, Password: password, MaxRetries: -1})
	t.Cleanup(func() { _ = r.Client.Close() })
	return r
}

// failedIn returns the first warning or error line of component id.
func failedIn(log, id string) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"otelcol.component.id": "`+id+`"`) &&
			(strings.Contains(line, "\twarn\t") || strings.Contains(line, "\terror\t")) {
			return line
		}
	}
	return ""
}
