package alertwebhookexporter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/testing/ports"
)

const alertmanagerBin = "/usr/bin/prometheus-alertmanager"

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int { return ports.Free(t) }

// syncBuffer collects a process's output for the failure message.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startAlertmanager runs a real Alertmanager on a free loopback port with a
// temp config and data dir, clustering off, and waits until it is ready.
func startAlertmanager(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(alertmanagerBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; make deps installs it", alertmanagerBin)
		}
		t.Skipf("%s is missing (run make deps)", alertmanagerBin)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(conf, []byte("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"), 0o600))
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var out syncBuffer
	cmd := exec.Command(alertmanagerBin,
		"--config.file="+conf,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=",
	)
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		select {
		case <-exited:
			return false
		default:
		}
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "alertmanager did not get ready:\n%s", &out)
	return base
}

// gettableAlert is the part of GET /api/v2/alerts the test reads.
type gettableAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Fingerprint string            `json:"fingerprint"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// listed reports whether GET /api/v2/alerts lists an alert named alertname,
// and returns it. It does not fail the test: Eventually and Never may call
// it from their own goroutine after the test moved on.
func listed(base, alertname string) (gettableAlert, bool) {
	resp, err := http.Get(base + "/api/v2/alerts")
	if err != nil {
		return gettableAlert{}, false
	}
	defer resp.Body.Close()
	var out []gettableAlert
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return gettableAlert{}, false
	}
	for _, a := range out {
		if a.Labels["alertname"] == alertname {
			return a, true
		}
	}
	return gettableAlert{}, false
}

func TestAlertmanagerEndToEnd(t *testing.T) {
	base := startAlertmanager(t)
	cfg := testConfig(base, FormatAlertmanager)
	cfg.ExternalURL = "https://modelmon.example/models/fraud-model"
	exp := startLogs(t, cfg, nil)
	ctx := context.Background()

	now := time.Now().UTC().Truncate(time.Millisecond)
	fire := firing("ev-am-1")
	fire.StartedAt = now.Add(-time.Minute)
	fire.Time = now.Add(-time.Minute)
	pushed := time.Now()
	require.NoError(t, exp.ConsumeLogs(ctx, logs(fire)))

	require.Eventually(t, func() bool {
		_, ok := listed(base, "accuracy_low")
		return ok
	}, 10*time.Second, 5*time.Millisecond, "the firing alert is listed")
	t.Logf("firing listed by Alertmanager %v after the event", time.Since(pushed))
	ours, _ := listed(base, "accuracy_low")
	assert.Equal(t, map[string]string{
		"alertname": "accuracy_low", "model_name": "fraud-model", "model_version": "v7",
		"severity": "error", "kind": "degradation", "signal": "accuracy",
	}, ours.Labels)
	assert.Equal(t, "active", ours.Status.State)
	assert.Equal(t, "https://runbooks.example/accuracy", ours.Annotations["runbook_url"])

	res := resolved("ev-am-2")
	res.StartedAt = fire.StartedAt
	res.Time = time.Now().UTC()
	pushed = time.Now()
	require.NoError(t, exp.ConsumeLogs(ctx, logs(res)))
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		_, ok := listed(base, "accuracy_low")
		return !ok
	}, 10*time.Second, 5*time.Millisecond, "the resolution ends the alert")
	t.Logf("resolution ended the alert %v after the event", time.Since(pushed))
}

// TestAlertmanagerResendKeepsAlertAlive: with a short resend_interval the
// alert's endsAt moves forward, so Alertmanager keeps it active.
func TestAlertmanagerResendKeepsAlertAlive(t *testing.T) {
	base := startAlertmanager(t)
	cfg := testConfig(base, FormatAlertmanager)
	cfg.ResendInterval = 100 * time.Millisecond
	exp := startLogs(t, cfg, nil)
	fire := firing("ev-am-resend")
	fire.StartedAt = time.Now().UTC()
	fire.Time = fire.StartedAt
	require.NoError(t, exp.ConsumeLogs(context.Background(), logs(fire)))
	isListed := func() bool {
		_, ok := listed(base, "accuracy_low")
		return ok
	}
	require.Eventually(t, isListed, 5*time.Second, 20*time.Millisecond)
	// Four resend intervals of grace: without re-sends the alert would end after 400ms.
	require.Never(t, func() bool { return !isListed() }, 1500*time.Millisecond, 50*time.Millisecond,
		"the alert expired despite re-sends")
	assert.True(t, isListed())
}
