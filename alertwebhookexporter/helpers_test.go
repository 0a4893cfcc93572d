package alertwebhookexporter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

var t0 = time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)

// fakeClock is an injectable clock the tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// violation is a firing accuracy alert of fraud-model:v7; tweak it per test.
func violation(eventID string, state modelevent.State, at time.Time) modelevent.Violation {
	key := []modelevent.Attribute{{Key: modelevent.AttrModelName, Value: "fraud-model"}, {Key: modelevent.AttrModelVersion, Value: "v7"}}
	return modelevent.Violation{
		Time: at, State: state, AlertID: modelevent.AlertID("accuracy_low", key), EventID: eventID,
		StartedAt: t0, ModelKey: key, Rule: "accuracy_low", Signal: "accuracy", Kind: modelevent.KindDegradation,
		Strategy: "static", Aggregation: "mean", Comparison: modelevent.ComparisonBelow, Observed: 0.812,
		Threshold: 0.94, WindowSamples: 12, WindowStart: t0.Add(-5 * time.Minute), WindowEnd: t0,
		Severity: modelevent.SeverityError, Actions: []string{modelevent.ActionAlert, modelevent.ActionRetrain},
		Annotations: map[string]string{"summary": "fraud model accuracy dropped", "runbook_url": "https://runbooks.example/accuracy"},
	}
}

func firing(eventID string) modelevent.Violation {
	return violation(eventID, modelevent.StateFiring, t0)
}

func resolved(eventID string) modelevent.Violation {
	v := violation(eventID, modelevent.StateResolved, t0.Add(10*time.Minute))
	v.Observed = 0.951
	return v
}

// logs encodes violations as one batch from service fraud-api.
func logs(vs ...modelevent.Violation) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "fraud-api")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range vs {
		modelevent.Encode(&vs[i], lrs.AppendEmpty())
	}
	return ld
}

// request is what a test server received.
type request struct {
	Path   string
	Header http.Header
	Body   []byte
}

// recorder is an httptest server that answers with the statuses in answers
// (then with ok) and records every request.
type recorder struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []request
	answers []func(w http.ResponseWriter)
	ok      int
	got     chan struct{}
}

func newRecorder(t testing.TB, ok int, answers ...func(w http.ResponseWriter)) *recorder {
	r := &recorder{answers: answers, ok: ok, got: make(chan struct{}, 1000)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, request{Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
		var answer func(http.ResponseWriter)
		if len(r.answers) > 0 {
			answer, r.answers = r.answers[0], r.answers[1:]
		}
		r.mu.Unlock()
		if answer != nil {
			answer(w)
		} else {
			w.WriteHeader(r.ok)
		}
		r.got <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code) }
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

func (r *recorder) bodies(t *testing.T) []any {
	t.Helper()
	var out []any
	for _, req := range r.requests() {
		var v any
		require.NoError(t, json.Unmarshal(req.Body, &v), string(req.Body))
		out = append(out, v)
	}
	return out
}

// testConfig is the default config aimed at endpoint, without queue, with fast retries.
func testConfig(endpoint, format string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.Format = format
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.InitialInterval = 10 * time.Millisecond
	cfg.RetryConfig.MaxInterval = 50 * time.Millisecond
	cfg.RetryConfig.MaxElapsedTime = 10 * time.Second
	if format == FormatPagerDuty {
		cfg.RoutingKey = "R0UTINGKEY-secret-123"
	}
	return cfg
}

// startExporter builds and starts the inner exporter with a fake clock.
func startExporter(t testing.TB, cfg *Config, clock *fakeClock, host component.Host) *alertExporter {
	t.Helper()
	return startExporterWith(t, cfg, clock, host, exportertest.NewNopSettings(metadata.Type))
}

func startExporterWith(t testing.TB, cfg *Config, clock *fakeClock, host component.Host, set exporter.Settings) *alertExporter {
	t.Helper()
	require.NoError(t, cfg.Validate())
	e, err := newExporter(cfg, set)
	require.NoError(t, err)
	if clock != nil {
		e.clock = clock.Now
	}
	if host == nil {
		host = componenttest.NewNopHost()
	}
	require.NoError(t, e.start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, e.shutdown(context.Background())) })
	return e
}
