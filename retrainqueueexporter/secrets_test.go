package retrainqueueexporter

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/zap/zaptest/observer"
)

// allLogged renders every observed entry with its fields.
func allLogged(logs *observer.ObservedLogs) string {
	var b strings.Builder
	for _, e := range logs.All() {
		fmt.Fprintf(&b, "%s %v\n", e.Message, e.ContextMap())
	}
	return b.String()
}

func TestSecretsNeverLogged(t *testing.T) {
	const (
		signing   = "whsec_c2lnbmluZy1rZXktc2VjcmV0" // base64 of signing-key-secret
		bearer    = "Bearer header-token-secret"
		pathToken = "path-token-secret"
		password  = "redis-password-secret"
	)
	secrets := []string{signing, "c2lnbmluZy1rZXktc2VjcmV0", "signing-key-secret", bearer, "header-token-secret", pathToken, password}

	closed := newOrchestrator(t, http.StatusOK)
	closed.Close() // connection refused: the transport error quotes URLs
	tests := []struct {
		name string
		cfg  func(t *testing.T) *Config
	}{
		{"http 500 answer", func(t *testing.T) *Config {
			return secretHTTPConfig(newOrchestrator(t, http.StatusInternalServerError).URL, pathToken, signing, bearer)
		}},
		{"http 400 answer, job dropped", func(t *testing.T) *Config {
			return secretHTTPConfig(newOrchestrator(t, http.StatusBadRequest).URL, pathToken, signing, bearer)
		}},
		{"http connection refused", func(*testing.T) *Config {
			return secretHTTPConfig(closed.URL, pathToken, signing, bearer)
		}},
		{"redis wrong password", func(t *testing.T) *Config {
			cfg := redisConfig(startRedis(t, "--requirepass", "the-right-one"))
			cfg.Redis.Password = password
			return cfg
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg(t), nil)
			err := h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1")))
			require.NoError(t, h.shutdown(ctx))
			logged := allLogged(h.logs)
			require.NotEmpty(t, logged, "the failure was logged")
			for _, s := range secrets {
				assert.NotContains(t, logged, s)
				if err != nil {
					assert.NotContains(t, err.Error(), s)
				}
			}
		})
	}
}

func secretHTTPConfig(url, pathToken, signing, bearer string) *Config {
	cfg := httpConfig(url+"/hooks/"+pathToken, PresetGeneric)
	cfg.HTTP.Generic.SigningSecret = configopaque.String(signing)
	cfg.HTTP.Headers.Set("Authorization", configopaque.String(bearer))
	return cfg
}
