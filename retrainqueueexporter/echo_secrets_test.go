package retrainqueueexporter

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEchoedSecretsRedacted: many servers quote the request in an error
// answer ("Cannot POST /hooks/<token>"), and the answer's first KiB is
// logged and returned. The configured secrets must not travel with it.
func TestEchoedSecretsRedacted(t *testing.T) {
	const (
		signing   = "whsec_c2lnbmluZy1rZXktc2VjcmV0"
		bearer    = "Bearer header-token-secret"
		pathToken = "path-token-secret"
	)
	tests := []struct {
		name   string
		status int
	}{
		{name: "permanent 404", status: http.StatusNotFound},
		{name: "retryable 503", status: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = fmt.Fprintf(w, "Cannot %s %s?%s (auth %q, sig %q)", r.Method, r.URL.Path, r.URL.RawQuery,
					r.Header.Get("Authorization"), r.Header.Get("webhook-signature"))
			}))
			t.Cleanup(srv.Close)
			cfg := secretHTTPConfig(srv.URL, pathToken+"?key="+pathToken, signing, bearer)
			h := newHarness(t, cfg, nil)
			err := h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1")))
			require.NoError(t, h.shutdown(ctx))
			logged := allLogged(h.logs)
			require.Contains(t, logged, "Cannot POST", "the answer is still quoted")
			for _, s := range []string{pathToken, "header-token-secret"} {
				assert.NotContains(t, logged, s)
				if err != nil {
					assert.NotContains(t, err.Error(), s)
				}
			}
		})
	}
}
