package alertwebhookexporter

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
)

// startLogs builds the exporter through the factory, with exporterhelper's
// retry, and returns it started.
func startLogs(t *testing.T, cfg *Config, logger *zap.Logger) exporter.Logs {
	t.Helper()
	set := exportertest.NewNopSettings(metadata.Type)
	if logger != nil {
		set.Logger = logger
	}
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return exp
}

func retryAfter(code int, after string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", after)
		w.WriteHeader(code)
	}
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name         string
		answers      []func(http.ResponseWriter)
		wantRequests int
		wantErr      bool
		minWait      time.Duration
	}{
		{name: "503 then 200 delivers once", answers: []func(http.ResponseWriter){status(503)}, wantRequests: 2},
		{name: "429 with Retry-After 2 waits", answers: []func(http.ResponseWriter){retryAfter(429, "2")}, wantRequests: 2, minWait: 2 * time.Second},
		{name: "network-ish 502 and 504 are retried", answers: []func(http.ResponseWriter){status(502), status(504), status(408)}, wantRequests: 4},
		{name: "400 is not retried", answers: []func(http.ResponseWriter){status(400)}, wantRequests: 1, wantErr: true},
		{name: "410 is not retried", answers: []func(http.ResponseWriter){status(410)}, wantRequests: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRecorder(t, 200, tt.answers...)
			cfg := testConfig(srv.URL, FormatJSON)
			cfg.SigningSecret = nil
			exp := startLogs(t, cfg, nil)
			ld := logs(firing("ev-retry"))
			start := time.Now()
			err := exp.ConsumeLogs(context.Background(), ld)
			took := time.Since(start)
			if tt.wantErr {
				require.Error(t, err)
				assert.True(t, consumererror.IsPermanent(err), err)
			} else {
				require.NoError(t, err)
			}
			reqs := srv.requests()
			require.Len(t, reqs, tt.wantRequests)
			if len(reqs) == 2 {
				// The body is the same message: receivers deduplicate retries on it.
				assert.Equal(t, reqs[0].Body, reqs[1].Body)
			}
			assert.GreaterOrEqual(t, took, tt.minWait)
			if !tt.wantErr {
				// The same batch again (a redelivery upstream) is not notified twice.
				require.NoError(t, exp.ConsumeLogs(context.Background(), ld))
				assert.Len(t, srv.requests(), tt.wantRequests)
			}
		})
	}
}

func TestRetryKeepsWebhookID(t *testing.T) {
	srv := newRecorder(t, 200, status(503))
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.SigningSecret = []configopaque.String{"a-signing-secret"}
	exp := startLogs(t, cfg, nil)
	require.NoError(t, exp.ConsumeLogs(context.Background(), logs(firing("ev-stable"))))
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "ev-stable", reqs[0].Header.Get("webhook-id"))
	assert.Equal(t, "ev-stable", reqs[1].Header.Get("webhook-id"))
}

func TestPermanentErrorsAreLogged(t *testing.T) {
	body := make([]byte, 4096)
	for i := range body {
		body[i] = 'x'
	}
	tests := []struct {
		name    string
		code    int
		wantMsg string
	}{
		{name: "400 logs status and body", code: 400, wantMsg: "Notification refused"},
		{name: "410 names the endpoint", code: 410, wantMsg: "Notification endpoint is gone (410): fix or remove it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRecorder(t, 200, func(w http.ResponseWriter) {
				w.WriteHeader(tt.code)
				_, _ = w.Write(body)
			})
			core, logs2 := observer.New(zap.InfoLevel)
			e := startExporter(t, testConfig(srv.URL+"/hook/path", FormatJSON), nil, nil)
			e.logger = zap.New(core)
			err := e.pushLogs(context.Background(), logs(firing("ev-1")))
			require.Error(t, err)
			assert.True(t, consumererror.IsPermanent(err))
			entries := logs2.FilterMessage(tt.wantMsg).All()
			require.Len(t, entries, 1)
			fields := entries[0].ContextMap()
			assert.Equal(t, srv.URL, fields["endpoint"], "scheme and host only")
			if tt.code == 400 {
				assert.EqualValues(t, 400, fields["status"])
				assert.Len(t, fields["body"], 1024)
			}
			assert.LessOrEqual(t, len(err.Error()), 1024+200, "the error quotes at most 1 KiB of body")
		})
	}
}
