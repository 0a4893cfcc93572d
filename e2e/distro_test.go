package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDistroManifest checks that the built binary reports its version and
// carries every component the default configuration and the README promise.
func TestDistroManifest(t *testing.T) {
	out, err := exec.Command(distroPath, "--version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Regexp(t, `^otelcol-modelmon version \d+\.\d+\.\d+`, string(out))

	out, err = exec.Command(distroPath, "components").CombinedOutput()
	require.NoError(t, err, "%s", out)
	listed := string(out)
	for _, name := range []string{
		"otlp", "nop", // receivers
		"modelmon", "batch", "memory_limiter", // processors
		"alert_webhook", "retrain_queue", "debug", "otlp_grpc", "otlp_http", "prometheus", // exporters
		"health_check", "file_storage", "redis_storage", "modelmon_status", // extensions
	} {
		t.Run(name, func(t *testing.T) {
			assert.True(t, strings.Contains(listed, "- name: "+name+"\n"), "component %s missing from the distro", name)
		})
	}
	assert.Contains(t, listed, "module: github.com/visutility/otelcol-modelmon v0.0.0", "modelmon components come from this module")
	assert.Contains(t, listed, "module: github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver v0.165.1",
		"the prometheus receiver scrapes inference servers for the presets")
}

// TestDefaultConfigValidates runs the distro's own validation over the
// repository's otelcol-config.yaml, so a renamed key fails here, not at `make run`.
func TestDefaultConfigValidates(t *testing.T) {
	cmd := exec.Command(distroPath, "validate", "--config", "otelcol-config.yaml")
	cmd.Dir = repoRoot
	cmd.Env = append(cmd.Environ(), "MODELMON_VAR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "%s", out)
}
