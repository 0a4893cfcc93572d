package retrainqueueexporter

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryAfterHonouredByTheLoop: an orchestrator that answers 429 or 503
// with Retry-After is not asked again before that delay, although the
// loop's own backoff (1 s, 2 s, …) would be shorter.
func TestRetryAfterHonouredByTheLoop(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wait       time.Duration
	}{
		{name: "429 for 30s", status: http.StatusTooManyRequests, retryAfter: "30", wait: 30 * time.Second},
		{name: "503 for 5m", status: http.StatusServiceUnavailable, retryAfter: "300", wait: 5 * time.Minute},
		{name: "shorter than the backoff", status: http.StatusTooManyRequests, retryAfter: "0", wait: time.Second},
		{name: "a year is capped", status: http.StatusServiceUnavailable, retryAfter: "31536000", wait: maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrchestrator(t, tt.status)
			o.header.Set("Retry-After", tt.retryAfter)
			h := newHarness(t, httpConfig(o.URL, PresetGeneric), nil)
			require.Error(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
			require.Len(t, o.got(), 1)

			o.mu.Lock()
			o.status = http.StatusAccepted
			o.mu.Unlock()
			h.clock.advance(tt.wait - time.Millisecond)
			require.Error(t, h.flush(ctx, false), "inside the asked delay the last error stands")
			assert.Len(t, o.got(), 1, "not asked again before Retry-After")

			h.clock.advance(time.Millisecond)
			require.NoError(t, h.flush(ctx, false))
			assert.Len(t, o.got(), 2)
			assert.Zero(t, h.pending())
		})
	}
}
