package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// webhookAlert is one alert of an Alertmanager webhook (version 4) message:
// what Alertmanager sends its receivers and what alert_webhook's json format sends.
type webhookAlert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Fingerprint string            `json:"fingerprint"`
}

type webhookMessage struct {
	Receiver string         `json:"receiver"`
	Status   string         `json:"status"`
	Version  string         `json:"version"`
	Alerts   []webhookAlert `json:"alerts"`
}

// webhookRecorder is an HTTP receiver of Alertmanager-webhook messages that
// keeps what it got, with the webhook-id header of each request.
type webhookRecorder struct {
	mu       sync.Mutex
	messages []webhookMessage
	ids      []string
	bad      int
}

func (r *webhookRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	var m webhookMessage
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad++
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.messages = append(r.messages, m)
	r.ids = append(r.ids, req.Header.Get("webhook-id"))
	w.WriteHeader(http.StatusOK)
}

// alerts returns every alert received with the given alertname label and status.
func (r *webhookRecorder) alerts(alertname, status string) []webhookAlert {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []webhookAlert
	for _, m := range r.messages {
		for _, a := range m.Alerts {
			if a.Labels["alertname"] == alertname && a.Status == status {
				out = append(out, a)
			}
		}
	}
	return out
}

// malformed counts the requests that were not a webhook message.
func (r *webhookRecorder) malformed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bad
}

func newWebhookServer(t *testing.T) (*webhookRecorder, *httptest.Server) {
	rec := &webhookRecorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

// alertmanager is a real Alertmanager on free ports, with no clustering,
// notifying a webhook receiver of the test at once, resolutions included.
type alertmanager struct {
	*process
	URL      string
	Notified *webhookRecorder
}

func startAlertmanager(t *testing.T) *alertmanager {
	t.Helper()
	bin := requireProgram(t, "prometheus-alertmanager", "/usr/bin/prometheus-alertmanager")
	rec, hook := newWebhookServer(t)
	dir := t.TempDir()
	cfg := `route:
  receiver: test
  group_by: [alertname, model_name, model_version]
  group_wait: 200ms
  group_interval: 500ms
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: ` + hook.URL + `/am
        send_resolved: true
`
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	port := freePort(t)
	am := &alertmanager{URL: "http://127.0.0.1:" + strconv.Itoa(port), Notified: rec}
	am.process = newProcess(t, "alertmanager", bin, dir,
		"--config.file="+cfgPath,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(port),
		"--cluster.listen-address=",
		"--log.level=info")
	am.start()
	require.Eventually(t, func() bool {
		if am.exited() {
			return true
		}
		resp, err := http.Get(am.URL + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "alertmanager not ready")
	if am.exited() {
		t.Fatalf("alertmanager exited:\n%s", am.logText())
	}
	return am
}

// amAlert is an alert as Alertmanager's GET /api/v2/alerts lists it.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// activeAlerts lists the alerts Alertmanager holds as active (not resolved).
func (am *alertmanager) activeAlerts(t *testing.T) []amAlert {
	t.Helper()
	resp, err := http.Get(am.URL + "/api/v2/alerts?active=true&silenced=false&inhibited=false")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out []amAlert
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// redisServer is a real redis-server on a free port, persisting nothing.
type redisServer struct {
	*process
	Addr   string
	Client *redis.Client
}

// newRedis prepares a redis-server on port (0: a free one) without starting it.
func newRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	bin := requireProgram(t, "redis-server", "/usr/bin/redis-server")
	if port == 0 {
		port = freePort(t)
	}
	dir := t.TempDir()
	r := &redisServer{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	r.process = newProcess(t, "redis", bin, dir,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	r.Client = redis.NewClient(&redis.Options{Addr: r.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = r.Client.Close() })
	return r
}

// startRedis launches it and waits for PING.
func (r *redisServer) startRedis(t *testing.T) {
	t.Helper()
	r.start()
	require.Eventually(t, func() bool {
		if r.exited() {
			return true
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return r.Client.Ping(ctx).Err() == nil
	}, 30*time.Second, 50*time.Millisecond, "redis-server not answering")
	if r.exited() {
		t.Fatalf("redis-server exited:\n%s", r.logText())
	}
}

// retrainJob is the part of a retrain_queue job the suite checks.
type retrainJob struct {
	JobID string `json:"job_id"`
	Model struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"model"`
}

// streamJobs returns the jobs added to stream.
func (r *redisServer) streamJobs(t *testing.T, stream string) []retrainJob {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	entries, err := r.Client.XRange(ctx, stream, "-", "+").Result()
	require.NoError(t, err)
	jobs := make([]retrainJob, 0, len(entries))
	for _, e := range entries {
		var j retrainJob
		body, _ := e.Values["job"].(string)
		require.NoError(t, json.Unmarshal([]byte(body), &j), "stream entry %s", e.ID)
		require.Equal(t, e.Values["job_id"], j.JobID)
		jobs = append(jobs, j)
	}
	return jobs
}

// readyJobs returns the jobs in a file backend's ready/ directory.
func readyJobs(t *testing.T, dir string) []retrainJob {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "ready"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var jobs []retrainJob
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "ready", e.Name()))
		require.NoError(t, err)
		var j retrainJob
		require.NoError(t, json.Unmarshal(b, &j), "job file %s", e.Name())
		jobs = append(jobs, j)
	}
	return jobs
}

// jobsFor keeps the jobs of one model.
func jobsFor(jobs []retrainJob, model string) []retrainJob {
	var out []retrainJob
	for _, j := range jobs {
		if j.Model.Name == model {
			out = append(out, j)
		}
	}
	return out
}
