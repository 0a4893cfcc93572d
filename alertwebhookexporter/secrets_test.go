package alertwebhookexporter

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

const (
	signingSecret = "sign-SECRET-4f1d2c"
	routingKey    = "route-SECRET-9a8b7c"
	slackToken    = "T000/B000/slackSECRETtoken"
	headerSecret  = "Bearer header-SECRET-5e6f"
)

// echo answers 400 with the request body and headers, as a careless
// endpoint might, so that the secrets come back in the response.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusBadRequest)
	_, _ = fmt.Fprintf(w, "%s %s %v", r.URL.Path, b, r.Header)
}

// logText renders every entry with its fields, as a log file would hold them.
func logText(entries []observer.LoggedEntry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Message)
		for k, v := range e.ContextMap() {
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestSecretsNeverLogged(t *testing.T) {
	echoSrv := httptest.NewServer(http.HandlerFunc(echo))
	t.Cleanup(echoSrv.Close)
	// A port nobody listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadURL := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	tests := []struct {
		name     string
		format   string
		endpoint string
		// secretURL puts the endpoint in webhook_url instead.
		secretURL bool
	}{
		{name: "json refused with echo", format: FormatJSON, endpoint: echoSrv.URL + "/hook"},
		{name: "alertmanager unreachable", format: FormatAlertmanager, endpoint: deadURL},
		{name: "slack refused with echo", format: FormatSlack, endpoint: echoSrv.URL + "/services/" + slackToken},
		{name: "slack unreachable", format: FormatSlack, endpoint: deadURL + "/services/" + slackToken},
		{name: "slack webhook_url refused with echo", format: FormatSlack, endpoint: echoSrv.URL + "/services/" + slackToken, secretURL: true},
		{name: "pagerduty refused with echo", format: FormatPagerDuty, endpoint: echoSrv.URL + "/v2/enqueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(tt.endpoint, tt.format)
			if tt.secretURL {
				cfg.WebhookURL = configopaque.String(tt.endpoint)
				cfg.ClientConfig.Endpoint = ""
			}
			cfg.RetryConfig.MaxElapsedTime = 200 * time.Millisecond
			cfg.ClientConfig.Headers = configopaque.MapList{{Name: "Authorization", Value: headerSecret}}
			if tt.format == FormatJSON || tt.format == FormatAlertmanager {
				cfg.SigningSecret = []configopaque.String{signingSecret}
			}
			if tt.format == FormatPagerDuty {
				cfg.RoutingKey = routingKey
			}
			core, observed := observer.New(zapcore.DebugLevel)
			exp := startLogs(t, cfg, zap.New(core))
			err := exp.ConsumeLogs(context.Background(), logs(firing("ev-secret")))
			require.Error(t, err)
			text := logText(observed.All()) + "\nerror: " + err.Error()
			require.NotEmpty(t, observed.All(), "the failure was logged")
			for _, s := range []string{signingSecret, routingKey, slackToken, "slackSECRETtoken", "header-SECRET"} {
				assert.NotContains(t, text, s)
			}
		})
	}
}
