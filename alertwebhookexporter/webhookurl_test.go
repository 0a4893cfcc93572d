package alertwebhookexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// TestWebhookURLIsTheEndpoint: a URL given as webhook_url receives the
// notifications exactly as one given as endpoint would, for every format
// that posts to a URL of the operator's choosing.
func TestWebhookURLIsTheEndpoint(t *testing.T) {
	for _, tt := range []struct{ format, path string }{
		{FormatSlack, "/services/T000/B000/slackSECRETtoken"},
		{FormatJSON, "/hook"},
		{FormatAlertmanager, ""},
	} {
		t.Run(tt.format, func(t *testing.T) {
			srv := newRecorder(t, 200)
			cfg := testConfig("", tt.format)
			cfg.WebhookURL = configopaque.String(srv.URL + tt.path)
			e := startExporter(t, cfg, nil, nil)
			require.NoError(t, e.pushLogs(context.Background(), logs(firing("ev-1"))))
			reqs := srv.requests()
			require.Len(t, reqs, 1)
			want := tt.path
			if tt.format == FormatAlertmanager {
				want = "/api/v2/alerts"
			}
			assert.Equal(t, want, reqs[0].Path)
		})
	}
}

// TestWebhookURLRedactedInConfigDump: the collector's config dump
// (print-config) marshals the config; a webhook_url must come out redacted.
func TestWebhookURLRedactedInConfigDump(t *testing.T) {
	cfg := testConfig("", FormatSlack)
	cfg.WebhookURL = "https://hooks.example/services/T000/B000/slackSECRETtoken"
	conf := confmap.New()
	require.NoError(t, conf.Marshal(cfg))
	got, ok := conf.Get("webhook_url").(string)
	require.True(t, ok, "webhook_url is marshalled as a string: %#v", conf.Get("webhook_url"))
	assert.NotContains(t, got, "slackSECRETtoken")
	assert.Equal(t, "[REDACTED]", got)
}
