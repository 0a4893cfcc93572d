package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/webhooksign"
)

const (
	secretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	secretB = "raw-secret-b"
)

var firingBody = []byte(`{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"accuracy_low",` +
	`"model_name":"fraud-model","model_version":"v7","severity":"error","kind":"degradation"},` +
	`"annotations":{"summary":"accuracy mean 0.812 < 0.940 for fraud-model:v7 (rule accuracy_low)"}}]}`)

func signed(t *testing.T, secrets []string, ts time.Time, body []byte) http.Header {
	t.Helper()
	s, err := webhooksign.New(secrets)
	require.NoError(t, err)
	h := http.Header{}
	s.Apply(h, "msg_1", ts, body)
	return h
}

func TestVerifierCheck(t *testing.T) {
	now := time.Unix(1767225600, 0)
	v, err := newVerifier([]string{secretA}, 5*time.Minute)
	require.NoError(t, err)
	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		wantErr string
	}{
		{"valid", signed(t, []string{secretA}, now, firingBody), firingBody, ""},
		{"rotation: any signature may match", signed(t, []string{secretB, secretA}, now, firingBody), firingBody, ""},
		{"wrong secret", signed(t, []string{secretB}, now, firingBody), firingBody, "no signature matches"},
		{"tampered body", signed(t, []string{secretA}, now, firingBody), append([]byte(" "), firingBody...), "no signature matches"},
		{"too old", signed(t, []string{secretA}, now.Add(-6*time.Minute), firingBody), firingBody, "away from now"},
		{"unsigned", http.Header{}, firingBody, errUnsigned.Error()},
		{"bad timestamp", http.Header{"Webhook-Id": {"x"}, "Webhook-Timestamp": {"soon"}, "Webhook-Signature": {"v1,AAAA"}}, firingBody, "not a Unix time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := v.check(tc.header, tc.body, now)
			if tc.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.wantErr)
			}
		})
	}
	_, err = newVerifier([]string{"whsec_!!!"}, time.Minute)
	assert.Error(t, err)
}

func TestSinkServeHTTP(t *testing.T) {
	now := time.Unix(1767225600, 0)
	v, err := newVerifier([]string{secretA}, time.Minute)
	require.NoError(t, err)
	tests := []struct {
		name     string
		secrets  []string
		want     int
		wantText []string
	}{
		{"signed", []string{secretA}, http.StatusOK, []string{"FIRING notification, 1 alert(s), signature ok", "accuracy_low", "fraud-model:v7", "kind=degradation"}},
		{"bad signature", []string{secretB}, http.StatusUnauthorized, []string{"REJECTED", "no signature matches"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			s := &sink{out: &out, verify: v, now: func() time.Time { return now }}
			req := httptest.NewRequest(http.MethodPost, "/alerts", bytes.NewReader(firingBody))
			for k, vals := range signed(t, tc.secrets, now, firingBody) {
				req.Header[k] = vals
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code)
			for _, w := range tc.wantText {
				assert.Contains(t, out.String(), w)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		s := &sink{out: &bytes.Buffer{}, verify: &verifier{}, now: time.Now}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("x", maxNotification+1))))
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	})
}

func TestRenderFallback(t *testing.T) {
	now := time.Unix(0, 0).UTC()
	text := render(now, "/hook", "unsigned", []byte("{\"text\":  \"hello\"}"))
	assert.Contains(t, text, `POST /hook (unsigned, 18 bytes): {"text": "hello"}`)
	long := render(now, "/", "unsigned", []byte(strings.Repeat("a", 1000)))
	assert.Less(t, len(long), 400, "long bodies are cut")
	assert.True(t, strings.HasSuffix(strings.TrimSpace(long), "…"))
	assert.Contains(t, render(now, "/", "x", []byte(`{"alerts":[]}`)), strconv.Itoa(len(`{"alerts":[]}`))+" bytes")
}
