package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownManifest is the ocb manifest of someone else's distribution: core
// components, plus the modelmon processor from this checkout (a released
// module would name its version and drop path).
const ownManifest = `dist:
  module: example.com/mycollector
  name: mycollector
  description: A distribution with the modelmon processor added.
  version: 1.0.0
  output_path: {{.Dir}}/build
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v0.165.0
  - gomod: go.opentelemetry.io/collector/receiver/nopreceiver v0.165.0
processors:
  - gomod: github.com/visutility/otelcol-modelmon v0.0.0
    import: github.com/visutility/otelcol-modelmon/modelmonprocessor
    path: {{.Repo}}
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter v0.165.0
`

// ownConfig runs modelmon in both pipelines and prints the events in full;
// the collector's own telemetry is off so that it binds no fixed port.
const ownConfig = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{.Port}}
  nop:
processors:
  modelmon:
    evaluation_interval: 1s
exporters:
  debug:
    verbosity: basic
  debug/events:
    verbosity: detailed
service:
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [debug/events]
  telemetry:
    metrics:
      level: none
`

// TestOwnDistribution builds a minimal distribution of someone else's with
// ocb, outside this repository, takes only the modelmon processor from this
// checkout, runs it and checks that the sample payloads make it print a
// firing and then a resolved violation event.
func TestOwnDistribution(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	data := map[string]any{"Dir": dir, "Repo": repoRoot, "Port": port}
	manifest := render(t, filepath.Join(dir, "manifest.yaml"), ownManifest, data)
	config := render(t, filepath.Join(dir, "config.yaml"), ownConfig, data)

	ocb := filepath.Join(repoRoot, "bin", "builder")
	_, err := os.Stat(ocb)
	require.NoError(t, err, "ocb is installed by make build")
	build := exec.Command(ocb, "--config", manifest)
	build.Dir = dir
	start := time.Now()
	out, err := build.CombinedOutput()
	require.NoError(t, err, "ocb:\n%s", out)
	binary := filepath.Join(dir, "build", "mycollector")
	st, err := os.Stat(binary)
	require.NoError(t, err)
	t.Logf("built in %s: %d bytes, %d modules in the build graph",
		time.Since(start).Round(time.Second), st.Size(), moduleCount(t, filepath.Join(dir, "build")))

	// The module also holds the exporters; what only they import stays out.
	gomod, err := os.ReadFile(filepath.Join(dir, "build", "go.mod"))
	require.NoError(t, err)
	assert.NotContains(t, string(gomod), "github.com/redis/go-redis", "a requirement of retrain_queue only")

	comps, err := exec.Command(binary, "components").CombinedOutput()
	require.NoError(t, err, "%s", comps)
	require.Contains(t, string(comps), "- name: modelmon\n")
	require.NotContains(t, string(comps), "alert_webhook", "only what the manifest lists")

	p := newProcess(t, "mycollector", binary, dir, "--config", config)
	p.start()
	require.Eventually(t, func() bool {
		return p.exited() || strings.Contains(p.logText(), "Everything is ready")
	}, 60*time.Second, 100*time.Millisecond, "distribution did not start")
	require.False(t, p.exited(), "distribution exited:\n%s", p.logText())

	c := &collector{process: p, Ports: collectorPorts{HTTP: port}, Dir: dir}
	sendPayload(t, c, "healthy.json")
	sendPayload(t, c, "degraded-accuracy.json")
	require.Eventually(t, func() bool { return len(printedEvents(p.logText(), "firing")) == 1 },
		30*time.Second, 50*time.Millisecond, "no firing accuracy_low event printed")
	sendPayload(t, c, "recovery.json")
	require.Eventually(t, func() bool { return len(printedEvents(p.logText(), "resolved")) == 1 },
		30*time.Second, 50*time.Millisecond, "no resolved accuracy_low event printed")
}

// printedEvents returns, from the debug exporter's detailed output, the
// accuracy_low violation events of fraud-model in one alert state.
func printedEvents(log, state string) []string {
	var out []string
	for _, rec := range strings.Split(log, "EventName: modelmon.violation\n")[1:] {
		// A record's lines end where the next record or batch starts.
		if i := strings.Index(rec, "LogRecord #"); i >= 0 {
			rec = rec[:i]
		}
		if strings.Contains(rec, "-> model.name: Str(fraud-model)\n") &&
			strings.Contains(rec, "-> modelmon.rule: Str(accuracy_low)\n") &&
			strings.Contains(rec, "-> modelmon.alert.state: Str("+state+")\n") {
			out = append(out, rec)
		}
	}
	return out
}

// render writes tmpl over data to path.
func render(t *testing.T, path, tmpl string, data map[string]any) string {
	t.Helper()
	tt, err := template.New(filepath.Base(path)).Option("missingkey=error").Parse(tmpl)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, tt.Execute(&b, data))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return path
}

// moduleCount is the number of modules in the build graph of the module in dir.
func moduleCount(t *testing.T, dir string) int {
	t.Helper()
	cmd := exec.Command("go", "list", "-m", "all")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err)
	return strings.Count(string(out), "\n")
}
