package e2e

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demoConfig sends signed json notifications to the demo's sink.
const demoConfig = `
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
    endpoint: http://127.0.0.1:{{.SinkPort}}/alerts
    format: json
    signing_secret: ["{{.Secret}}"]
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
      exporters: [alert_webhook]
`

// TestDemoFleetAndSink runs what `make demo` runs, compressed: the
// modelmon-demo fleet (recovery scenario) against the distro, whose signed
// notifications the modelmon-demo sink verifies and prints.
func TestDemoFleetAndSink(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "modelmon-demo")
	build := exec.Command("go", "build", "-o", demo, "./cmd/modelmon-demo")
	build.Dir = repoRoot
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sinkPort := freePort(t)
	sink := newProcess(t, "sink", demo, dir, "sink", "-listen", "127.0.0.1:"+strconv.Itoa(sinkPort), "-secret", secret)
	sink.start()

	c := newCollector(t, demoConfig, map[string]any{"SinkPort": sinkPort, "Secret": secret})
	c.start()

	fleet := newProcess(t, "fleet", demo, dir, "-endpoint", "127.0.0.1:"+strconv.Itoa(c.Ports.GRPC),
		"-scenario", "recovery", "-phase", "2s", "-models", "2", "-rate", "5", "-live", "off", "-duration", "2m")
	fleet.start()

	require.Eventually(t, func() bool {
		log := sink.logText()
		return strings.Contains(log, "RESOLVED") && strings.Count(log, "FIRING   accuracy_low") >= 2
	}, 60*time.Second, 200*time.Millisecond, "the sink did not print firing and resolved alerts of both models")
	fleet.stop()
	assert.False(t, strings.Contains(sink.logText(), "REJECTED"), "every notification verifies")
	log := sink.logText()
	assert.Contains(t, log, "signature ok")
	assert.Contains(t, log, "fraud-model:v7")
	assert.Contains(t, log, "churn-model:v3")
}
