package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/require"
)

// collectorPorts are the loopback ports of one collector under test.
type collectorPorts struct {
	GRPC, HTTP, Health, Telemetry int
}

// collector is one otelcol-modelmon under test, with its own working directory
// (the restart test starts the same one twice).
type collector struct {
	*process
	Ports collectorPorts
	Dir   string
}

// baseConfig is the part of every test configuration that is about the
// harness: receivers and health check on free ports, own telemetry scrapeable.
const baseConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{.Ports.Health}}
{{- if .FileStorage}}
  file_storage:
    directory: {{.Dir}}/storage
    create_directory: true
{{- end}}
{{- if .RedisStorage}}
  redis_storage:
    endpoint: {{.RedisStorage}}
    dial_timeout: {{.RedisTimeout}}
    read_timeout: {{.RedisTimeout}}
    write_timeout: {{.RedisTimeout}}
{{- end}}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.Ports.GRPC}}
      http:
        endpoint: 127.0.0.1:{{.Ports.HTTP}}
  nop:
`

// telemetryConfig exposes the collector's own metrics on a free port.
const telemetryConfig = `
  telemetry:
    logs:
      level: info
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{.Ports.Telemetry}}
`

// newCollector renders cfg (a template over data, which gets .Ports and .Dir
// set; .FileStorage adds a file_storage extension in .Dir, .RedisStorage a
// redis_storage extension on that address, with .RedisTimeout as its dial,
// read and write timeouts, 200ms unless given) into a fresh
// working directory. cfg supplies everything after the
// receivers; it must end with the service section whose telemetry is added.
func newCollector(t *testing.T, cfg string, data map[string]any) *collector {
	t.Helper()
	dir := t.TempDir()
	c := &collector{Dir: dir, Ports: collectorPorts{
		GRPC: freePort(t), HTTP: freePort(t), Health: freePort(t), Telemetry: freePort(t),
	}}
	if data == nil {
		data = map[string]any{}
	}
	data["Ports"] = c.Ports
	data["Dir"] = dir
	if _, ok := data["FileStorage"]; !ok {
		data["FileStorage"] = false
	}
	if _, ok := data["RedisStorage"]; !ok {
		data["RedisStorage"] = ""
	}
	if _, ok := data["RedisTimeout"]; !ok {
		// Short, so that an outage fails operations at once.
		data["RedisTimeout"] = "200ms"
	}
	tmpl, err := template.New("config").Option("missingkey=error").Parse(baseConfig + cfg + telemetryConfig)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, tmpl.Execute(&b, data))
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	c.process = newProcess(t, "otelcol-modelmon", distroPath, dir, "--config", path)
	return c
}

// start launches the collector and waits until its health check says ready.
func (c *collector) start() {
	c.t.Helper()
	c.process.start()
	url := "http://127.0.0.1:" + strconv.Itoa(c.Ports.Health) + "/"
	require.Eventually(c.t, func() bool {
		if c.exited() {
			return true // reported below, not waited out
		}
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "collector did not become healthy")
	if c.exited() {
		c.t.Fatalf("collector exited during start:\n%s", c.logText())
	}
}

// healthy reports whether the health check answers 200 now.
func (c *collector) healthy() bool {
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(c.Ports.Health) + "/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// metric sums the collector's own Prometheus samples whose name is name and
// whose labels contain every label="value" pair given.
func (c *collector) metric(name string, labels ...string) (float64, bool) {
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(c.Ports.Telemetry) + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var sum float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		series, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, lbls, _ := strings.Cut(series, "{")
		if n != name {
			continue
		}
		match := true
		for _, l := range labels {
			if !strings.Contains(lbls, l) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		// A trailing timestamp may follow the value.
		value, _, _ = strings.Cut(value, " ")
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			sum += v
			found = true
		}
	}
	return sum, found
}
