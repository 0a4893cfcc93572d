package retrainqueueexporter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
)

// verifyStandardWebhook checks a request as a Standard Webhooks receiver
// does, written from the specification rather than with the signing
// package: HMAC-SHA256 over id.timestamp.body with the secret (a whsec_
// prefix means base64), any "v1,<base64>" entry may match, and timestamps
// further than tolerance from now are refused.
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key := []byte(secret)
	if b64, ok := strings.CutPrefix(secret, "whsec_"); ok {
		var err error
		if key, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return err
		}
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	for _, s := range strings.Fields(sigs) {
		if b64, ok := strings.CutPrefix(s, "v1,"); ok {
			if got, err := base64.StdEncoding.DecodeString(b64); err == nil && hmac.Equal(got, mac.Sum(nil)) {
				return nil
			}
		}
	}
	return errors.New("no matching signature")
}

// TestGenericSignatureVerifiesIndependently: the generic preset's signature
// passes an independent verifier, and a tampered body, another secret or a
// stale timestamp fail it.
func TestGenericSignatureVerifiesIndependently(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	o := newOrchestrator(t, http.StatusOK)
	cfg := httpConfig(o.URL, PresetGeneric)
	cfg.HTTP.Generic.SigningSecret = configopaque.String(secret)
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
	reqs := o.got()
	require.Len(t, reqs, 1)
	r := reqs[0]
	now := time.Now()
	tests := []struct {
		name    string
		secret  string
		body    []byte
		now     time.Time
		wantErr string
	}{
		{name: "as sent", secret: secret, body: r.body, now: now},
		{name: "tampered body", secret: secret, body: append([]byte(" "), r.body...), now: now, wantErr: "no matching signature"},
		{name: "other secret", secret: "whsec_" + base64.StdEncoding.EncodeToString([]byte("other")), body: r.body, now: now, wantErr: "no matching signature"},
		{name: "stale timestamp", secret: secret, body: r.body, now: now.Add(10 * time.Minute), wantErr: "outside tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyStandardWebhook(tt.secret, r.header, tt.body, tt.now, 5*time.Minute)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

// TestHTTPTLSCustomCA: an orchestrator behind a private CA's certificate
// gets the job when ca_file names the CA; without it the write fails, the
// job stays pending and nothing reaches the server.
func TestHTTPTLSCustomCA(t *testing.T) {
	var mu sync.Mutex
	got := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		got++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	received := func() int { mu.Lock(); defer mu.Unlock(); return got }

	t.Run("system roots only", func(t *testing.T) {
		h := newHarness(t, httpConfig(srv.URL, PresetGeneric), nil)
		err := h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1")))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "certificate")
		assert.EqualValues(t, 1, h.pending(), "the job stays pending")
		assert.Zero(t, received())
	})
	t.Run("private CA trusted", func(t *testing.T) {
		cfg := httpConfig(srv.URL, PresetGeneric)
		cfg.HTTP.TLS.CAFile = ca
		h := newHarness(t, cfg, nil)
		require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
		assert.Equal(t, 1, received())
		assert.Zero(t, h.pending())
	})
}
