package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusConfig runs a modelmon processor with the default rules; the test
// adds the modelmon_status extension to the base config's extensions.
const statusConfig = `
processors:
  modelmon:
    evaluation_interval: 1s
exporters:
  debug:
    verbosity: basic
service:
  extensions: [health_check, modelmon_status]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [debug]
`

// hostileModel is a model name that would run script if a page inserted it
// unescaped.
const hostileModel = `<script>alert("x")</script><img src=x onerror=alert(1)>`

// TestStatusPageInBrowser sends the testdata payloads and a small SDK fleet
// to the built distro, then loads every status page in headless chromium:
// the DOM must show the models and the firing alert, and carry no element
// made from a hostile model name. The screenshots the READMEs show go to
// MODELMON_SCREENSHOTS when set (MODELMON_SCREENSHOTS=docs updates them),
// the others to the test's temporary directory.
func TestStatusPageInBrowser(t *testing.T) {
	chromium := requireProgram(t, "chromium", "/usr/bin/chromium-browser")
	port := freePort(t)
	c := newCollector(t, statusConfig, nil)
	// The base config opens the extensions section; the extension joins it.
	raw, err := os.ReadFile(filepath.Join(c.Dir, "config.yaml"))
	require.NoError(t, err)
	raw = bytes.Replace(raw, []byte("extensions:\n"), []byte(fmt.Sprintf("extensions:\n  modelmon_status:\n    endpoint: 127.0.0.1:%d\n", port)), 1)
	require.NoError(t, os.WriteFile(filepath.Join(c.Dir, "config.yaml"), raw, 0o600))
	c.start()
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	sendPayload(t, c, "healthy.json")
	sendPayload(t, c, "degraded-accuracy.json")
	code, answer := postOTLP(t, c, "application/json", accuracyJSON(hostileModel, 0.97))
	require.Equal(t, http.StatusOK, code, answer)
	sick := &fleetModel{Name: "churn-model", Version: "v3", Service: "churn-api", GRPC: true}
	sick.setAccuracy(0.86)
	startFleet(t, c, 300*time.Millisecond,
		sick,
		&fleetModel{Name: "ranker", Version: "v12", Service: "search-api"},
		&fleetModel{Name: "recsys", Version: "v4", Service: "feed-api"},
	)

	require.Eventually(t, func() bool {
		firing := firingAlerts(t, base)
		return firing["fraud-model:v7"] && firing["churn-model:v3"]
	}, 60*time.Second, 200*time.Millisecond, "the status API shows both firing alerts")
	// A few more exports draw a line rather than a dot.
	require.Eventually(t, func() bool { return windowSamples(t, base, "churn-model:v3") >= 5 },
		30*time.Second, 200*time.Millisecond)

	tmp, docs := t.TempDir(), os.Getenv("MODELMON_SCREENSHOTS")
	if docs != "" && !filepath.IsAbs(docs) {
		docs = filepath.Join(repoRoot, docs)
	}
	browser := &headless{t: t, path: chromium, profile: t.TempDir()}
	for _, p := range []struct {
		name, path string
		want       []string
		// doc marks the screenshots the READMEs show.
		doc bool
	}{
		{"status-fleet", "/", []string{"fraud-model:v7", "churn-model:v3", "ranker:v12", `<span class="pill firing">firing</span>`, "accuracy_low"}, true},
		{"status-alerts", "/alerts", []string{"accuracy_low", "fraud-model:v7", "churn-model:v3", "firing"}, false},
		{"status-model", "/models/" + url.PathEscape("fraud-model:v7"), []string{"Model fraud-model:v7", "<svg", "<polyline", "accuracy_low 0.94"}, true},
		{"status-model-latency", "/models/" + url.PathEscape("ranker:v12"), []string{"latency (ms)", ">p95</text>", "latency_p95_high 120"}, false},
	} {
		t.Run(p.name, func(t *testing.T) {
			dom := browser.dumpDOM(base + p.path)
			for _, w := range p.want {
				assert.True(t, strings.Contains(dom, w), "the page shows %s", w)
			}
			assert.False(t, strings.Contains(dom, "<script"), "no script element, not even from the hostile model name")
			assert.False(t, strings.Contains(dom, "<img"), "no image element")
			png := filepath.Join(tmp, p.name+".png")
			if p.doc && docs != "" {
				png = filepath.Join(docs, p.name+".png")
			}
			browser.screenshot(base+p.path, png)
			b, err := os.ReadFile(png)
			require.NoError(t, err)
			assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
			assert.Greater(t, len(b), 10_000, "a page, not a blank image")
		})
	}
	dom := browser.dumpDOM(base + "/?sort=name")
	assert.True(t, strings.Contains(dom, "&lt;script&gt;alert(\"x\")&lt;/script&gt;"), "the hostile name is shown as text")

	// Recovery: the alert leaves the firing list for the recently resolved.
	sendPayload(t, c, "recovery.json")
	require.Eventually(t, func() bool { return !firingAlerts(t, base)["fraud-model:v7"] },
		30*time.Second, 200*time.Millisecond, "fraud-model:v7 resolves")
	dom = browser.dumpDOM(base + "/alerts")
	_, resolved, _ := strings.Cut(dom, "Recently resolved")
	assert.True(t, strings.Contains(resolved, "fraud-model:v7") && strings.Contains(resolved, `<span class="pill resolved">resolved</span>`),
		"the resolved alert is listed under recently resolved")
}

// headless drives chromium without a display.
type headless struct {
	t       *testing.T
	path    string
	profile string
}

func (h *headless) run(args ...string) []byte {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// No sandbox: the suite runs as root in CI containers, where chromium's
	// sandbox cannot start. Background services stay off: loopback only.
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + h.profile,
	}
	cmd := exec.CommandContext(ctx, h.path, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(h.t, err, "chromium %v: %s", args, stderr.String())
	return out
}

func (h *headless) dumpDOM(u string) string {
	h.t.Helper()
	return string(h.run("--dump-dom", u))
}

func (h *headless) screenshot(u, path string) {
	h.t.Helper()
	h.run("--screenshot="+path, "--window-size=1280,860", u)
}

// firingAlerts reads /api/v1/alerts: the models with a firing alert.
func firingAlerts(t *testing.T, base string) map[string]bool {
	t.Helper()
	var r struct {
		Status string
		Data   struct {
			Alerts []struct {
				State, Model string
			}
		}
	}
	if !getJSON(base+"/api/v1/alerts", &r) {
		return nil
	}
	out := map[string]bool{}
	for _, a := range r.Data.Alerts {
		if a.State == "firing" {
			out[a.Model] = true
		}
	}
	return out
}

// windowSamples reads a model's accuracy window size from /api/v1/models/<id>.
func windowSamples(t *testing.T, base, model string) int {
	t.Helper()
	var r struct {
		Data struct {
			Processors []struct {
				Models []struct {
					Signals []struct {
						Name   string
						Points []any
					}
				}
			}
		}
	}
	if !getJSON(base+"/api/v1/models/"+url.PathEscape(model), &r) || len(r.Data.Processors) == 0 {
		return 0
	}
	for _, s := range r.Data.Processors[0].Models[0].Signals {
		if s.Name == "accuracy" {
			return len(s.Points)
		}
	}
	return 0
}

func getJSON(u string, v any) bool {
	resp, err := http.Get(u)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK && json.Unmarshal(b, v) == nil
}

// accuracyJSON is an OTLP/JSON request with one accuracy point for model
// name:v1 at the current time.
func accuracyJSON(name string, v float64) []byte {
	type kv = map[string]any
	str := func(k, s string) kv { return kv{"key": k, "value": kv{"stringValue": s}} }
	body := kv{"resourceMetrics": []kv{{
		"resource": kv{"attributes": []kv{str("service.name", name)}},
		"scopeMetrics": []kv{{"metrics": []kv{{
			"name": "model.accuracy",
			"gauge": kv{"dataPoints": []kv{{
				"timeUnixNano": strconv.FormatInt(time.Now().UnixNano(), 10),
				"asDouble":     v,
				"attributes":   []kv{str("model.name", name), str("model.version", "v1")},
			}}},
		}}}},
	}}}
	b, _ := json.Marshal(body)
	return b
}
