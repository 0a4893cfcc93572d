package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// outage is how long the fault tests keep a target down. make test uses a
// short one; MODELMON_OUTAGE (e.g. 5m) runs the long version.
func outage(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("MODELMON_OUTAGE")
	if s == "" {
		return 8 * time.Second
	}
	d, err := time.ParseDuration(s)
	require.NoError(t, err, "MODELMON_OUTAGE")
	return d
}

// serveOn starts h on a loopback port reserved earlier with freePort, so a
// target can be down first (nothing listening) and come up at the address
// the collector was configured with.
func serveOn(t *testing.T, port int, h http.Handler) *httptest.Server {
	t.Helper()
	var l net.Listener
	// The port was free when reserved; a just-closed socket may linger.
	require.Eventually(t, func() bool {
		var err error
		l, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		return err == nil
	}, 10*time.Second, 50*time.Millisecond, "port %d not free", port)
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// waitMetric waits until the collector's own metric reaches at least want.
func waitMetric(t *testing.T, c *collector, want float64, name string, labels ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		v, _ := c.metric(name, labels...)
		return v >= want
	}, 60*time.Second, 100*time.Millisecond, "%s%v never reached %v", name, labels, want)
}

// newDurableRedis prepares a redis-server that writes every command to its
// append-only file before answering, so that a restart keeps the stream:
// what a restart loses is then ours to explain, not Redis's.
func newDurableRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	bin := requireProgram(t, "redis-server", "/usr/bin/redis-server")
	dir := t.TempDir()
	r := &redisServer{Addr: "127.0.0.1:" + strconv.Itoa(port)}
	r.process = newProcess(t, "redis", bin, dir,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always",
		"--appenddirname", "aof", "--protected-mode", "no")
	r.Client = redis.NewClient(&redis.Options{Addr: r.Addr, MaxRetries: -1})
	t.Cleanup(func() { _ = r.Client.Close() })
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "aof"), 0o700))
	return r
}

// setAll moves every model's accuracy to v.
func setAll(v float64, models ...*fleetModel) {
	for _, m := range models {
		m.setAccuracy(v)
	}
}

// writeFailed reports whether retrain_queue logged a failed job write that it
// keeps pending (its own retry, besides the sending queue's).
func writeFailed(log string) bool {
	return strings.Contains(log, "Writing retraining job failed")
}

// idRecorder is a webhookRecorder that also keeps the webhook-id header of
// every request, the idempotency key a receiver deduplicates by.
type idRecorder struct {
	*webhookRecorder
	idMu sync.Mutex
	ids  []string
}

func (r *idRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.idMu.Lock()
	r.ids = append(r.ids, req.Header.Get("webhook-id"))
	r.idMu.Unlock()
	r.webhookRecorder.ServeHTTP(w, req)
}

func (r *idRecorder) webhookIDs() []string {
	r.idMu.Lock()
	defer r.idMu.Unlock()
	return append([]string(nil), r.ids...)
}

// statuses lists, per model, the statuses of the accuracy_low notifications
// received, in arrival order.
func statuses(r *idRecorder) map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]string{}
	for _, m := range r.messages {
		for _, al := range m.Alerts {
			if al.Labels["alertname"] == "accuracy_low" {
				out[al.Labels["model_name"]] = append(out[al.Labels["model_name"]], al.Status)
			}
		}
	}
	return out
}
