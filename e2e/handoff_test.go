package e2e

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// handoffConfig: gateways sharing their alert state in Redis (redis_storage),
// each notifying a real Alertmanager, writing retraining jobs to one Redis
// stream and copying its events to a sink of its own. stale_after is short,
// so that a gateway that lost its models evicts them within the test.
// handoff.timeout is long: these tests are about what the answers do, and a
// loaded machine may take seconds to give one (the degraded path is
// TestHandoffRedisOutage's, where Redis refuses at once).
const handoffConfig = `
processors:
  modelmon:
    window:
      size: 16
      duration: 10m
    evaluation_interval: 250ms
    stale_after: 4s
    storage: redis_storage
    handoff:
      instance_id: {{.Instance}}
      timeout: 20s
    rules:
      - name: accuracy_low
        signal: accuracy
        aggregation: last
        below: 0.9
exporters:
  debug:
    verbosity: basic
  alert_webhook:
    endpoint: {{.AlertmanagerURL}}
    format: alertmanager
    resend_interval: 500ms
    storage: redis_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
  retrain_queue:
    backend: redis
    coalesce_window: 0s
    cooldown: 0s
    max_jobs_per_hour: 1000
    redis:
      address: {{.RedisAddr}}
      stream: modelmon:retrain
  otlphttp:
    endpoint: {{.SinkURL}}
    compression: none
service:
  extensions: [health_check, redis_storage]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [alert_webhook, retrain_queue, otlphttp]
`

func appendAccuracy(md pmetric.Metrics, model string, v float64, ts time.Time) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", model+"-api")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("model.accuracy")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(v)
	dp.SetTimestamp(pcommonTime(ts))
	dp.Attributes().PutStr("model.name", model)
	dp.Attributes().PutStr("model.version", "v1")
}

// events returns the events of every gateway by model.
func (f *fleet) events() map[string][]receivedEvent {
	out := map[string][]receivedEvent{}
	for _, s := range f.sinks {
		evs, invalid := s.all()
		require.Empty(f.t, invalid)
		for _, e := range evs {
			out[e.V.ModelKey[0].Value] = append(out[e.V.ModelKey[0].Value], e)
		}
	}
	return out
}

// count counts the events in state across gateways.
func (f *fleet) count(state modelevent.State) int {
	n := 0
	for _, s := range f.sinks {
		n += len(s.find(func(v modelevent.Violation) bool { return v.State == state }))
	}
	return n
}

// handoffs sums a handoff outcome over the given gateways.
func (f *fleet) handoffs(outcome string, gateways ...int) int {
	n := 0.0
	for _, g := range gateways {
		v, _ := f.gateways[g].metric("otelcol_processor_modelmon_handoffs", `outcome="`+outcome+`"`)
		n += v
	}
	return int(n)
}

// checkEpisodes asserts what reached Alertmanager, the retraining stream
// and the events: one episode per model, with one startsAt, resolved, one job.
func checkEpisodes(t *testing.T, f *fleet, am *alertmanager, rds *redisServer, starts map[string]time.Time) {
	t.Helper()
	require.Eventually(t, func() bool { return len(am.activeAlerts(t)) == 0 }, 20*time.Second, 100*time.Millisecond,
		"Alertmanager still holds active alerts")
	// Gateways re-send firing alerts every resend_interval (500ms): none
	// that lost a model may re-send it once its new owner resolved it,
	// which would reopen the incident.
	assert.Never(t, func() bool { return len(am.activeAlerts(t)) > 0 }, 4*500*time.Millisecond, 100*time.Millisecond,
		"a re-sent alert reopened a resolved incident")
	// Alertmanager notifies a resolution at its group's next interval.
	notified := func() int { return len(am.Notified.alerts("accuracy_low", "resolved")) }
	await(t, func() bool { return notified() >= len(f.models) }, func() string {
		return fmt.Sprintf("Alertmanager notified %d resolutions of %d", notified(), len(f.models))
	})
	byModel := map[string][]webhookAlert{}
	for _, status := range []string{"firing", "resolved"} {
		for _, a := range am.Notified.alerts("accuracy_low", status) {
			byModel[a.Labels["model_name"]] = append(byModel[a.Labels["model_name"]], a)
		}
	}
	require.Eventually(t, func() bool { return len(rds.streamJobs(t, "modelmon:retrain")) >= len(f.models) },
		20*time.Second, 100*time.Millisecond, "retraining jobs never reached Redis")
	jobs := rds.streamJobs(t, "modelmon:retrain")
	for _, m := range f.models {
		resolved := false
		for _, a := range byModel[m] {
			assert.True(t, a.StartsAt.Equal(starts[m]), "%s: Alertmanager notified startsAt %s, the episode began at %s", m, a.StartsAt, starts[m])
			resolved = resolved || a.Status == "resolved"
		}
		assert.True(t, resolved, "%s: Alertmanager never notified the resolution", m)
		assert.Len(t, jobsFor(jobs, m), 1, "%s: one retraining job per incident", m)
	}
	assert.Len(t, jobs, len(f.models))
}

// TestReshardHandoff: three gateways behind a consistent-hashing router, 100
// models in an incident. One gateway leaves mid-incident (its models move to
// the other two) and comes back (they move back). Every incident stays one
// alert episode with its original start: no second firing where a model
// arrives, no expired resolution where it left, one job; the recovery
// resolves each once.
func TestReshardHandoff(t *testing.T) {
	am := startAlertmanager(t)
	rds := newRedis(t, 0)
	rds.startRedis(t)
	f := newFleet(t, 3, 100, am, rds)
	for i := range f.gateways {
		f.start(i)
	}

	f.round(0.97, false)
	ok := f.rounds(0.5, false, 20*time.Second, func() bool { return f.count(modelevent.StateFiring) >= len(f.models) })
	require.True(t, ok, "the incidents never fired: %d of %d%s", f.count(modelevent.StateFiring), len(f.models), f.diag())
	starts := map[string]time.Time{}
	for m, evs := range f.events() {
		require.Len(t, evs, 1, "%s: %+v", m, evs)
		starts[m] = evs[0].V.StartedAt
	}
	require.Len(t, starts, len(f.models))
	moved := 0
	for _, m := range f.models {
		if f.owner(m) == 2 {
			moved++
		}
	}
	require.NotZero(t, moved)
	awaitSaved(t, rds, len(f.models))

	// Gateway 2 leaves: its models go on degrading on gateways 0 and 1.
	left := time.Now() // the router stops sending to it here
	f.stop(2)
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return f.handoffs("adopted", 0, 1) >= moved })
	require.True(t, ok, "gateways 0 and 1 adopted %d of %d alerts%s", f.handoffs("adopted", 0, 1), moved, f.diag())
	t.Logf("handoff of %d alerts after a gateway left: %s", moved, time.Since(left).Round(10*time.Millisecond))
	// Gateway 2 comes back under its own instance_id: the owner records it
	// finds at start must name the gateways that serve its models now, or
	// it restores their alerts instead of adopting them.
	awaitOwners(t, rds, len(f.models), "gateway-0", "gateway-1")

	// It comes back: its models return to it, and gateways 0 and 1 drop
	// their copies once stale_after passes without data.
	f.start(2)
	back := time.Now() // the router sends to it from here
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return f.handoffs("adopted", 2) >= moved })
	require.True(t, ok, "gateway 2 adopted %d of %d alerts%s", f.handoffs("adopted", 2), moved, f.diag())
	t.Logf("handoff of %d alerts after the gateway came back: %s", moved, time.Since(back).Round(10*time.Millisecond))
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return f.handoffs("moved", 0, 1) >= moved })
	require.True(t, ok, "gateways 0 and 1 dropped %d of %d models they lost%s", f.handoffs("moved", 0, 1), moved, f.diag())
	t.Logf("former owners dropped the %d models %s after the gateway came back (stale_after 4s)",
		moved, time.Since(back).Round(10*time.Millisecond))
	assert.Equal(t, len(f.models), f.count(modelevent.StateFiring), "no second firing anywhere%s", f.diag())
	assert.Zero(t, f.count(modelevent.StateResolved), "nothing resolved while every model still breaches%s", f.diag())

	resent := 0.0
	for _, g := range f.gateways {
		v, _ := g.metric("otelcol_exporter_alert_webhook_notifications_sent", `kind="resend"`)
		resent += v
	}
	assert.Positive(t, resent, "the gateways re-sent the firing alerts during the incident")

	// The data recovers: each incident resolves once, where its model is.
	ok = f.rounds(0.97, false, 20*time.Second, func() bool { return f.count(modelevent.StateResolved) >= len(f.models) })
	require.True(t, ok, "resolutions: %d of %d%s", f.count(modelevent.StateResolved), len(f.models), f.diag())
	for m, evs := range f.events() {
		require.Len(t, evs, 2, "%s: one firing and one resolution: %+v", m, evs)
		res := evs[1].V
		if evs[0].V.State == modelevent.StateResolved {
			res = evs[0].V
		}
		assert.Empty(t, res.ResolvedReason, "%s resolved by data, not expired", m)
		assert.True(t, res.StartedAt.Equal(starts[m]), "%s resolved with start %s, fired with %s", m, res.StartedAt, starts[m])
	}
	checkEpisodes(t, f, am, rds, starts)
}

// TestHAPairHandoff: two gateways receive every point. The second joins
// mid-incident and continues the alerts the first saved; a second incident
// both see from its start. Alertmanager gets one alert per incident with one
// startsAt, the stream one job per incident, and each gateway resolves each
// episode it holds once.
func TestHAPairHandoff(t *testing.T) {
	am := startAlertmanager(t)
	rds := newRedis(t, 0)
	rds.startRedis(t)
	f := newFleet(t, 2, 100, am, rds)
	f.start(0)

	f.round(0.97, true)
	ok := f.rounds(0.5, true, 20*time.Second, func() bool { return f.count(modelevent.StateFiring) >= len(f.models) })
	require.True(t, ok, "the incidents never fired: %d of %d%s", f.count(modelevent.StateFiring), len(f.models), f.diag())
	starts := map[string]time.Time{}
	for m, evs := range f.events() {
		starts[m] = evs[0].V.StartedAt
	}
	// The joining gateway can only continue what is saved: a model it
	// first sees within one write of the firing fires again (README,
	// "Races"), which is not what this test is about. Nor is a model whose
	// owner record is not written yet: the joining gateway would restore
	// its alert at start (as unclaimed) instead of adopting it.
	awaitSaved(t, rds, len(f.models))
	awaitOwners(t, rds, len(f.models), "gateway-0")
	joined := time.Now()
	f.start(1)
	ok = f.rounds(0.5, true, 20*time.Second, func() bool { return f.handoffs("adopted", 1) >= len(f.models) })
	require.True(t, ok, "the joining gateway adopted %d of %d alerts%s", f.handoffs("adopted", 1), len(f.models), f.diag())
	t.Logf("gateway 1 started and adopted %d alerts in %s", len(f.models), time.Since(joined).Round(10*time.Millisecond))
	ok = f.rounds(0.97, true, 20*time.Second, func() bool { return f.count(modelevent.StateResolved) >= 2*len(f.models) })
	require.True(t, ok, "resolutions: %d of %d%s", f.count(modelevent.StateResolved), 2*len(f.models), f.diag())
	for _, g := range []int{0, 1} {
		evs, _ := f.sinks[g].all()
		byState := map[modelevent.State]int{}
		for _, e := range evs {
			byState[e.V.State]++
			assert.True(t, e.V.StartedAt.Equal(starts[e.V.ModelKey[0].Value]), "gateway %d: %s %s", g, e.V.State, e.V.ModelID())
			assert.Empty(t, e.V.ResolvedReason)
		}
		wantFiring := len(f.models)
		if g == 1 {
			wantFiring = 0 // it continued the saved alerts silently
		}
		assert.Equal(t, wantFiring, byState[modelevent.StateFiring], "gateway %d: firings%s", g, f.diag())
		assert.Equal(t, len(f.models), byState[modelevent.StateResolved], "gateway %d: resolutions", g)
	}
	checkEpisodes(t, f, am, rds, starts)

	// A second incident both gateways see from its start: both fire with
	// the same start; one alert, one more job per model.
	for _, s := range f.sinks {
		s.reset()
	}
	ok = f.rounds(0.5, true, 20*time.Second, func() bool { return f.count(modelevent.StateFiring) >= 2*len(f.models) })
	require.True(t, ok, "second incident: %d firings of %d%s", f.count(modelevent.StateFiring), 2*len(f.models), f.diag())
	ok = f.rounds(0.97, true, 20*time.Second, func() bool { return f.count(modelevent.StateResolved) >= 2*len(f.models) })
	require.True(t, ok, "second incident: %d resolutions of %d%s", f.count(modelevent.StateResolved), 2*len(f.models), f.diag())
	second := map[string][]time.Time{}
	for m, evs := range f.events() {
		for _, e := range evs {
			second[m] = append(second[m], e.V.StartedAt)
		}
	}
	for _, m := range f.models {
		require.Len(t, second[m], 4, m)
		sort.Slice(second[m], func(i, j int) bool { return second[m][i].Before(second[m][j]) })
		assert.True(t, second[m][0].Equal(second[m][3]), "%s: both gateways stamp the second incident alike: %v", m, second[m])
	}
	require.Eventually(t, func() bool { return len(am.activeAlerts(t)) == 0 }, 20*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return len(rds.streamJobs(t, "modelmon:retrain")) >= 2*len(f.models) },
		20*time.Second, 100*time.Millisecond)
	jobs := rds.streamJobs(t, "modelmon:retrain")
	for _, m := range f.models {
		assert.Len(t, jobsFor(jobs, m), 2, "%s: one job per incident across both gateways", m)
	}
}

// reset forgets the events received so far.
func (s *logSink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events, s.invalid = nil, nil
}

// TestHandoffKillRestartOnRedis: TestResolvedAfterRestartWhileDown with the
// state in Redis (redis_storage) and handoff on: a gateway killed with
// SIGKILL and restarted under the same instance id restores its firing
// alerts as it does from file_storage.
func TestHandoffKillRestartOnRedis(t *testing.T) {
	rds := newRedis(t, 0)
	rds.startRedis(t)
	cfg := strings.ReplaceAll(restoreConfig, "file_storage", "redis_storage")
	cfg = strings.Replace(cfg, "    storage: redis_storage\n", "    storage: redis_storage\n    handoff:\n      instance_id: gateway-0\n", 1)
	require.Contains(t, cfg, "instance_id")
	hook, srv := newWebhookServer(t)
	// Generous Redis timeouts: the restore at start must not fail on a
	// loaded machine.
	c := newCollector(t, cfg, map[string]any{"HookURL": srv.URL, "RedisStorage": rds.Addr, "RedisTimeout": "5s"})
	// With handoff the owner records count as writes too: what must be in
	// Redis before the kill are the two alerts.
	resolvedAfterRestart(t, c, hook, func() { awaitSaved(t, rds, 2) })
}

// TestHandoffRedisOutage: Redis goes down mid-incident and a gateway leaves.
// The metrics keep flowing; the gateway that takes the models over cannot
// read their saved alerts, counts the errors and fires them again (the
// degraded, in-memory behaviour). Redis comes back and so does the gateway:
// the handoff works again by itself, the gateway continues the alerts saved
// before the outage, the other drops its copies without an expired
// resolution, and the recovery resolves each incident once.
func TestHandoffRedisOutage(t *testing.T) {
	am := startAlertmanager(t)
	rds := newDurableRedis(t, freePort(t))
	rds.startRedis(t)
	f := newFleet(t, 2, 20, am, rds)
	f.start(0)
	f.start(1)

	f.round(0.97, false)
	ok := f.rounds(0.5, false, 20*time.Second, func() bool { return f.count(modelevent.StateFiring) >= len(f.models) })
	require.True(t, ok, "the incidents never fired: %d of %d%s", f.count(modelevent.StateFiring), len(f.models), f.diag())
	moved := 0
	for _, m := range f.models {
		if f.owner(m) == 1 {
			moved++
		}
	}
	require.NotZero(t, moved)
	awaitSaved(t, rds, len(f.models))

	rds.kill()
	f.stop(1)
	firing0 := func() int {
		return len(f.sinks[0].find(func(v modelevent.Violation) bool { return v.State == modelevent.StateFiring }))
	}
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return firing0() >= len(f.models) })
	require.True(t, ok, "gateway 0 did not go on from memory: %d firings of %d%s", firing0(), len(f.models), f.diag())
	readErrors, _ := f.gateways[0].metric("otelcol_processor_modelmon_state_errors", `op="read"`)
	assert.Positive(t, readErrors, "the failed reads are counted")

	// Gateway 0 could not write its owner records during the outage, so
	// they still name gateway 1: it restores those alerts at start, and
	// adopts any other as its models come back.
	rds.startRedis(t)
	f.start(1)
	continued := func() int {
		restored, _ := f.gateways[1].metric("otelcol_processor_modelmon_alerts_loaded", `outcome="restored"`)
		return int(restored) + f.handoffs("adopted", 1)
	}
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return continued() >= moved })
	require.True(t, ok, "after the outage gateway 1 continued %d of %d alerts%s", continued(), moved, f.diag())
	ok = f.rounds(0.5, false, 20*time.Second, func() bool { return f.handoffs("moved", 0) >= moved })
	require.True(t, ok, "gateway 0 dropped %d of %d models%s", f.handoffs("moved", 0), moved, f.diag())
	assert.Zero(t, f.count(modelevent.StateResolved), "nothing resolved while every model still breaches%s", f.diag())

	ok = f.rounds(0.97, false, 20*time.Second, func() bool { return f.count(modelevent.StateResolved) >= len(f.models) })
	require.True(t, ok, "resolutions: %d of %d%s", f.count(modelevent.StateResolved), len(f.models), f.diag())
	for m, evs := range f.events() {
		var firing, resolved []modelevent.Violation
		for _, e := range evs {
			if e.V.State == modelevent.StateFiring {
				firing = append(firing, e.V)
			} else {
				resolved = append(resolved, e.V)
			}
		}
		require.Len(t, resolved, 1, "%s resolves once", m)
		assert.Empty(t, resolved[0].ResolvedReason, m)
		sort.Slice(firing, func(i, j int) bool { return firing[i].Time.Before(firing[j].Time) })
		assert.True(t, resolved[0].StartedAt.Equal(firing[0].StartedAt), "%s resolves the episode saved before the outage", m)
	}
}
