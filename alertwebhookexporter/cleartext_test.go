package alertwebhookexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestCleartextWarning: notifications posted unencrypted to another machine
// get one warning at start, naming the endpoint by scheme and host only.
func TestCleartextWarning(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		format   string
		warn     bool
	}{
		{name: "remote http", endpoint: "http://hooks.example/services/T0/B0/t0ken", format: FormatSlack, warn: true},
		{name: "remote ip", endpoint: "http://192.0.2.10:9093", format: FormatAlertmanager, warn: true},
		{name: "loopback", endpoint: "http://127.0.0.1:9093/hook", format: FormatJSON},
		{name: "localhost", endpoint: "http://localhost:9093/hook", format: FormatJSON},
		{name: "https", endpoint: "https://hooks.example/hook", format: FormatJSON},
		{name: "pagerduty default", endpoint: "", format: FormatPagerDuty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.WarnLevel)
			_ = startLogs(t, testConfig(tt.endpoint, tt.format), zap.New(core))
			warned := logs.FilterMessageSnippet("plain http").All()
			if !tt.warn {
				assert.Empty(t, warned)
				return
			}
			if assert.Len(t, warned, 1) {
				assert.NotContains(t, warned[0].ContextMap()["endpoint"], "t0ken")
			}
		})
	}
}
