package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// handoffDiag names the counters that tell why a handoff did not happen: a
// gateway that went on from memory counts a timeout or a failed read, the
// Redis client behind it its failed operations.
var handoffDiag = []struct{ name, label string }{
	{"otelcol_processor_modelmon_handoffs", `outcome="adopted"`},
	{"otelcol_processor_modelmon_handoffs", `outcome="timeout"`},
	{"otelcol_processor_modelmon_handoffs", `outcome="moved"`},
	{"otelcol_processor_modelmon_state_errors", `op="read"`},
	{"otelcol_processor_modelmon_state_errors", `op="write"`},
	{"otelcol_processor_modelmon_state_errors", `op="queue_full"`},
	{"otelcol_processor_modelmon_alerts_loaded", `outcome="restored"`},
	{"otelcol_extension_redis_storage_errors", ""},
}

// diag describes the handoff counters of each gateway given (all when none
// is), for the message of an assertion on the handoff.
func (f *fleet) diag(gateways ...int) string {
	if len(gateways) == 0 {
		for i := range f.gateways {
			gateways = append(gateways, i)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nexpired resolutions by gateway: %v", f.expired())
	for _, g := range gateways {
		fmt.Fprintf(&b, "\ngateway %d:", g)
		b.WriteString(f.gateways[g].handoffDiag())
	}
	return b.String()
}

// handoffDiag describes c's handoff counters on one line; a counter never
// recorded reads 0.
func (c *collector) handoffDiag() string {
	if c.exited() {
		return " not running"
	}
	var b strings.Builder
	for _, d := range handoffDiag {
		var v float64
		if d.label == "" {
			v, _ = c.metric(d.name)
		} else {
			v, _ = c.metric(d.name, d.label)
		}
		short := strings.TrimPrefix(strings.TrimPrefix(d.name, "otelcol_processor_modelmon_"), "otelcol_extension_")
		fmt.Fprintf(&b, " %s{%s}=%g", short, d.label, v)
	}
	return b.String()
}

// expired counts the resolutions with reason expired each gateway sent.
func (f *fleet) expired() []int {
	out := make([]int, len(f.sinks))
	for i, s := range f.sinks {
		out[i] = len(s.find(func(v modelevent.Violation) bool { return v.ResolvedReason != "" }))
	}
	return out
}

// awaitSaved waits until n firing alerts are saved in Redis: a gateway can
// only continue an alert whose record was written.
func awaitSaved(t *testing.T, rds *redisServer, n int) {
	t.Helper()
	count := func() int { return len(savedAlertKeys(t, rds)) }
	await(t, func() bool { return count() >= n }, func() string {
		return fmt.Sprintf("%d of %d firing alerts reached Redis", count(), n)
	})
}

// awaitOwners waits until n owner records in Redis name one of instances.
func awaitOwners(t *testing.T, rds *redisServer, n int, instances ...string) {
	t.Helper()
	count := func() int {
		owned := ownedBy(t, rds)
		c := 0
		for _, in := range instances {
			c += owned[in]
		}
		return c
	}
	await(t, func() bool { return count() >= n }, func() string {
		return fmt.Sprintf("%d of %d owner records name %v: %v", count(), n, instances, ownedBy(t, rds))
	})
}

// await polls cond for 20s and fails the test with what msg says then.
func await(t *testing.T, cond func() bool, msg func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ownedBy counts the owner records in Redis by the gateway they name.
func ownedBy(t *testing.T, rds *redisServer) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	keys, err := rds.Client.Keys(ctx, "processor_modelmon__alerts/owner/*").Result()
	require.NoError(t, err)
	out := map[string]int{}
	for _, k := range keys {
		b, err := rds.Client.Get(ctx, k).Bytes()
		if err != nil {
			continue // deleted meanwhile
		}
		var rec struct {
			Instance string `json:"instance"`
		}
		require.NoError(t, json.Unmarshal(b, &rec), k)
		out[rec.Instance]++
	}
	return out
}
