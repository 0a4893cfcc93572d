package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestKillDuringOutageKeepsEveryNotification: across a SIGKILL during the
// outage, every notification must still arrive, in order per alert. Today
// the first firing of fraud-model is lost: it was the request in flight
// (retrying) when the collector died, the persistent sending queue puts such
// a request back at the end of the queue on restart, so it comes after its
// own resolution, and alert_webhook's dedup table then drops it as stale.
// The receiver sees fraud-model resolved, fired and resolved, never the
// first firing.
func TestKillDuringOutageKeepsEveryNotification(t *testing.T) {
	out := runKillDuringOutage(t)
	assert.Equal(t, map[string][]string{
		"fraud-model": {"firing", "resolved", "firing", "resolved"},
		"churn-model": {"firing", "resolved"},
	}, statuses(out.hook))
}
