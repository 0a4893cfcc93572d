package modelmonstatusextension

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"golang.org/x/net/html"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelmonstatusextension/internal/metadata"
)

// hostile are telemetry strings that would run or load something if a
// page inserted them unescaped.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`' onmouseover='alert(3)`,
	`</title><svg onload=alert(4)>`,
	`javascript:alert(5)`,
	`../../alerts?x=<b>`,
	`a/b%2F..`,
	strings.Repeat("Z", 100*1024),
}

// checkDOM parses a page as a browser does and fails on anything active:
// a script element, an event-handler attribute, a link or resource whose
// URL is not a relative path or an http(s) address.
func checkDOM(t *testing.T, page string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "iframe", "object", "embed", "img", "link", "base", "form", "foreignobject":
			t.Errorf("page has a <%s> element", tok.Data)
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s> has event handler %s=%q", tok.Data, a.Key, a.Val)
			}
			if a.Key == "href" || a.Key == "src" || a.Key == "xlink:href" {
				if !strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "#") {
					t.Errorf("<%s %s=%q> is not a safe URL", tok.Data, a.Key, a.Val)
				}
			}
		}
	}
}

func hostileSource() *fakeSource {
	f := fleet(len(hostile), func(i int) string { return hostile[i] })
	for i := range f.models {
		m := &f.models[i]
		m.Resource = []status.Label{{Name: hostile[0], Value: hostile[1]}}
		m.Labels = append(m.Labels, status.Label{Name: hostile[i], Value: hostile[(i+1)%len(hostile)]})
		m.State = status.StateFiring
		m.Rules[0].Rule = hostile[i]
		m.Signals = []status.Signal{{
			Name: hostile[i], Points: []status.Point{{T: now.Add(-time.Minute), V: 0.9}, {T: now, V: 0.8}},
			Lines: []status.RuleStatus{{Rule: hostile[i], Evaluated: true, Threshold: 0.94, Band: &status.Band{Mean: 0.95, Lo: 0.93, Hi: 0.97}}},
		}}
		f.alerts = append(f.alerts, status.Alert{
			ID: hostile[i], Rule: hostile[i], Signal: hostile[i], Model: m.ID, Labels: m.Labels, State: status.StateFiring,
			ActiveAt: now.Add(-time.Hour), Value: 0.8, Threshold: 0.94, Comparison: "below",
			Annotations: []status.Label{{Name: "runbook_url", Value: hostile[4]}, {Name: "summary", Value: hostile[i]}, {Name: hostile[i], Value: hostile[i]}},
		})
	}
	f.resolved = f.alerts
	f.rules = append(f.rules, status.Rule{Name: hostile[0], Signal: hostile[1]})
	return f
}

func TestHostileNamesAreEscaped(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": hostileSource(), hostile[2][:10]: hostileSource()})
	paths := []string{"/", "/alerts", "/?sort=name&state=firing"}
	for _, h := range hostile {
		paths = append(paths, "/models/"+url.PathEscape(h))
	}
	for _, p := range paths {
		t.Run(p[:min(len(p), 40)], func(t *testing.T) {
			code, body := get(t, srv.URL+p)
			require.Equal(t, http.StatusOK, code)
			checkDOM(t, body)
			for _, h := range hostile[:4] {
				assert.NotContains(t, body, h, "raw hostile string on the page")
			}
			assert.NotContains(t, body, `href="javascript:`)
			assert.NotContains(t, body, strings.Repeat("Z", maxText+1), "a 100 KiB value is shown cut")
			assert.Less(t, len(body), 1<<20)
		})
	}
	_, body := get(t, srv.URL+"/models/"+url.PathEscape(hostile[0]))
	assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "the name is shown, escaped")
	assert.Contains(t, body, "<svg", "the chart is drawn")
	_, body = get(t, srv.URL+"/")
	assert.Contains(t, body, `href="/models/a%2Fb%252F..?processor=modelmon"`, "model ids are path-escaped in links")
	assert.Contains(t, body, "/models/..%2F..%2Falerts%3Fx=%3Cb%3E?processor=modelmon")
}

func TestHostileAPIIsJSON(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": hostileSource()})
	for _, p := range []string{"/api/v1/alerts?resolved=true", "/api/v1/models", "/api/v1/models/" + url.PathEscape(hostile[1])} {
		code, body := get(t, srv.URL+p)
		require.Equal(t, http.StatusOK, code, p)
		var r apiResponse
		require.NoError(t, json.Unmarshal([]byte(body), &r), p)
		assert.Equal(t, "success", r.Status)
		assert.NotContains(t, body, "<script>", "encoding/json escapes < > &")
		assert.NotContains(t, body, strings.Repeat("Z", maxAPIText+1))
		assert.Less(t, len(body), 1<<20)
	}
}

func TestFleetPagination(t *testing.T) {
	f := fleet(10000, func(i int) string {
		return "model-" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "-" + strconv.Itoa(i)
	})
	srv := serve(t, map[string]status.Source{"": f})
	code, body := get(t, srv.URL+"/")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, 100, strings.Count(body, "<tr>\n<td><a href=\"/models/"), "one page of rows")
	assert.Contains(t, body, "1–100 of 10000")
	assert.Contains(t, body, `href="/?limit=100&amp;offset=100&amp;processor=modelmon"`)
	assert.Less(t, len(body), 512*1024)

	_, body = get(t, srv.URL+"/?limit=100000&state=firing")
	assert.Equal(t, status.MaxLimit, strings.Count(body, "<tr>\n<td><a href=\"/models/"), "capped at the maximum page")
	assert.Contains(t, body, "of 1429")

	_, body = get(t, srv.URL+"/?offset=9990")
	assert.Equal(t, 10, strings.Count(body, "<tr>\n<td><a href=\"/models/"))
	assert.Contains(t, body, "← previous")
	assert.NotContains(t, body, "next →")

	var r struct {
		Data struct {
			Alerts []apiAlert `json:"alerts"`
			Total  int        `json:"total"`
		} `json:"data"`
	}
	_, body = get(t, srv.URL+"/api/v1/alerts?limit=10")
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.Len(t, r.Data.Alerts, 10)
	assert.Equal(t, 1429, r.Data.Total)
}

func TestFleetPageShowsStateAndCounts(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": fleet(10, func(i int) string { return "fraud-" + strconv.Itoa(i) })})
	_, body := get(t, srv.URL+"/")
	checkDOM(t, body)
	assert.Contains(t, body, `<b>10</b>all`)
	assert.Contains(t, body, `<b>1</b>firing`)
	assert.Contains(t, body, `<span class="pill firing">firing</span>`)
	assert.Contains(t, body, `<b>0.81</b> &lt; 0.94`)
	assert.Less(t, strings.Index(body, "fraud-3"), strings.Index(body, "fraud-0"), "firing first")

	_, body = get(t, srv.URL+"/?state=inactive&sort=name")
	assert.NotContains(t, body, `pill firing`)
	assert.Less(t, strings.Index(body, "fraud-0"), strings.Index(body, "fraud-1"))

	code, _ := get(t, srv.URL+"/?state=burning")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = get(t, srv.URL+"/?offset=-1")
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = get(t, srv.URL+"/models/nope")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestAlertsPage(t *testing.T) {
	f := fleet(10, func(i int) string { return "fraud-" + strconv.Itoa(i) })
	f.resolved = []status.Alert{{Rule: "latency_high", Model: "old-model", State: "resolved", ActiveAt: now.Add(-time.Hour), ResolvedAt: now.Add(-time.Minute)}}
	srv := serve(t, map[string]status.Source{"": f})
	_, body := get(t, srv.URL+"/alerts")
	checkDOM(t, body)
	assert.Contains(t, body, `<a href="https://runbooks.example/accuracy" rel="noopener noreferrer">runbook</a>`)
	assert.Contains(t, body, "accuracy of fraud-3 is low")
	assert.Contains(t, body, "5m0s ago")
	assert.Contains(t, body, "<td>1m0s</td>", "the rule's for")
	assert.Contains(t, body, "resolved 2026-12-01T08:59:00Z")
	assert.Contains(t, body, "old-model")
}

func TestAPIAlertsShape(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": fleet(10, func(i int) string { return "fraud-" + strconv.Itoa(i) })})
	code, body := get(t, srv.URL+"/api/v1/alerts")
	require.Equal(t, http.StatusOK, code)
	var r map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.Equal(t, "success", r["status"])
	alerts := r["data"].(map[string]any)["alerts"].([]any)
	require.Len(t, alerts, 1)
	a := alerts[0].(map[string]any)
	assert.Equal(t, map[string]any{
		"alertname": "accuracy_low", "signal": "accuracy", "kind": "degradation", "severity": "warning",
		"model.name": "fraud-3", "model.version": "v7",
	}, a["labels"])
	assert.Equal(t, "firing", a["state"])
	assert.Equal(t, "2026-12-01T08:55:00Z", a["activeAt"])
	assert.Equal(t, "8.1e-01", a["value"], "a string, as Prometheus writes it")
	assert.Equal(t, "accuracy of fraud-3 is low", a["annotations"].(map[string]any)["summary"])

	code, body = get(t, srv.URL+"/api/v1/models?state=firing")
	require.Equal(t, http.StatusOK, code)
	var models struct {
		Data struct {
			Processors []struct {
				ID      string         `json:"id"`
				Counts  map[string]int `json:"counts"`
				Matched int            `json:"matched"`
				Models  []apiModel     `json:"models"`
			} `json:"processors"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &models))
	require.Len(t, models.Data.Processors, 1)
	p := models.Data.Processors[0]
	assert.Equal(t, "modelmon", p.ID)
	assert.Equal(t, map[string]int{"models": 10, "inactive": 9, "pending": 0, "firing": 1, "pendingAlerts": 0, "firingAlerts": 1}, p.Counts)
	assert.Equal(t, 1, p.Matched)
	require.Len(t, p.Models, 1)
	assert.Equal(t, "fraud-3", p.Models[0].ID)
	assert.Equal(t, "accuracy_low", p.Models[0].Rules[0].Rule)
	assert.InDelta(t, 0.81, p.Models[0].Rules[0].Value, 1e-9)

	code, body = get(t, srv.URL+"/api/v1/models?sort=bogus")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.JSONEq(t, `{"status":"error","errorType":"bad_data","error":"sort: want state, name or last_seen"}`, body)
}

func TestModelPageChart(t *testing.T) {
	f := fleet(1, func(int) string { return "fraud-model:v7" })
	f.models[0].Signals = []status.Signal{
		{
			Name:   "accuracy",
			Points: []status.Point{{T: now.Add(-2 * time.Minute), V: 0.96}, {T: now.Add(-time.Minute), V: 0.9}, {T: now, V: 0.8}},
			Lines:  []status.RuleStatus{{Rule: "accuracy_low", Evaluated: true, Threshold: 0.94}},
		},
		{
			Name: "latency", Unit: "ms",
			Percentiles: []status.Series{
				{Name: "p50", Points: []status.Point{{T: now.Add(-time.Minute), V: 40}, {T: now, V: 45}}},
				{Name: "p99", Points: []status.Point{{T: now.Add(-time.Minute), V: 180}, {T: now, V: 220}}},
			},
			Lines: []status.RuleStatus{{Rule: "latency_shift", Evaluated: true, Threshold: 150, Band: &status.Band{Mean: 100, Lo: 50, Hi: 150}}},
		},
	}
	srv := serve(t, map[string]status.Source{"": f})
	code, body := get(t, srv.URL+"/models/"+url.PathEscape("fraud-model:v7"))
	require.Equal(t, http.StatusOK, code)
	checkDOM(t, body)
	assert.Equal(t, 2, strings.Count(body, "<svg "))
	assert.Contains(t, body, `<polyline points="64.0,`)
	assert.Contains(t, body, "accuracy_low 0.94")
	assert.Contains(t, body, "latency (ms)")
	assert.Contains(t, body, ">p99</text>")
	assert.Contains(t, body, "latency_shift baseline 50–150")
	assert.Contains(t, body, `fill-opacity="0.15"`, "the band is drawn")
}

func TestStartServesAndShutsDown(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = "127.0.0.1:0"
	x := newExtension(cfg, extensiontest.NewNopSettings(metadata.Type))
	require.NoError(t, x.Start(t.Context(), componenttest.NewNopHost()))
	unregister := x.Register(component.MustNewID("modelmon"), fleet(3, func(i int) string { return "m" + strconv.Itoa(i) }))
	addr := x.addr
	code, body := get(t, "http://"+addr+"/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "m0")
	unregister()
	_, body = get(t, "http://"+addr+"/")
	assert.Contains(t, body, "No modelmon processor is registered")
	require.NoError(t, x.Shutdown(t.Context()))
	_, err := http.Get("http://" + addr + "/")
	assert.Error(t, err, "closed")
}

func TestOneSectionPerProcessor(t *testing.T) {
	srv := serve(t, map[string]status.Source{
		"":      fleet(3, func(i int) string { return "fraud-" + strconv.Itoa(i) }),
		"genai": fleet(5, func(i int) string { return "llm-" + strconv.Itoa(i) }),
	})
	_, body := get(t, srv.URL+"/")
	assert.Contains(t, body, `<section id="modelmon">`)
	assert.Contains(t, body, `<section id="modelmon/genai">`)
	assert.Less(t, strings.Index(body, `id="modelmon"`), strings.Index(body, `id="modelmon/genai"`), "ordered by id")

	_, body = get(t, srv.URL+"/?processor=modelmon/genai")
	assert.NotContains(t, body, `<section id="modelmon">`)
	assert.Contains(t, body, "llm-3")
	assert.NotContains(t, body, "fraud-")

	_, body = get(t, srv.URL+"/models/llm-3")
	assert.Equal(t, 1, strings.Count(body, "<section id="), "only the processor tracking it")
}

func TestRegisterReplacesAndUnregisters(t *testing.T) {
	x := newExtension(createDefaultConfig().(*Config), extensiontest.NewNopSettings(metadata.Type))
	id := component.MustNewID("modelmon")
	first, second := fleet(1, func(int) string { return "a" }), fleet(1, func(int) string { return "b" })
	unregisterFirst := x.Register(id, first)
	unregisterSecond := x.Register(id, second)
	unregisterFirst() // a reloaded pipeline's old engine shutting down late
	require.Len(t, x.registered(), 1)
	assert.Same(t, second, x.registered()[0].src.(*fakeSource))
	unregisterSecond()
	assert.Empty(t, x.registered())
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0.047, 0.05}, {0.012, 0.02}, {3, 5}, {0.1, 0.1}, {70, 100}, {0, 1},
	} {
		assert.InDelta(t, tc.want, niceStep(tc.in), 1e-12, "%v", tc.in)
	}
	c := newChart(status.Signal{Name: "accuracy", Points: []status.Point{{T: now, V: 0.7959}, {T: now.Add(time.Minute), V: 0.9841}}}, nil)
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"0.8", "0.85", "0.9", "0.95"}, labels)
}
