package modelmonprocessor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// gateway is one engine of a fleet sharing one storage and one clock, as
// gateways behind a router share Redis.
type gateway struct {
	t     *testing.T
	name  string
	cfg   func() *Config
	store *memStorage
	now   *time.Time
	e     *engine
	sink  *consumertest.LogsSink
	tel   *componenttest.Telemetry
}

func newGateway(t *testing.T, name string, store *memStorage, now *time.Time, cfg func() *Config) *gateway {
	g := &gateway{t: t, name: name, cfg: cfg, store: store, now: now}
	g.start()
	return g
}

func (g *gateway) start() {
	g.t.Helper()
	cfg := g.cfg()
	id := storageID
	on := true
	cfg.Storage, cfg.EvaluationInterval = &id, time.Hour
	cfg.Handoff.Enabled, cfg.Handoff.InstanceID = &on, g.name
	g.sink = new(consumertest.LogsSink)
	g.e, g.tel = testEngine(g.t, cfg, g.sink)
	g.e.clock = func() time.Time { return *g.now }
	require.NoError(g.t, g.e.start(context.Background(), storageHost{storageID: g.store}))
}

func (g *gateway) send(lines ...string) {
	g.t.Helper()
	_, err := g.e.processMetrics(context.Background(), buildBatch(g.t, lines, *g.now))
	require.NoError(g.t, err)
}

// settle waits until storage answered every question, then ticks so the
// answers apply.
func (g *gateway) settle() {
	g.t.Helper()
	require.Eventually(g.t, func() bool { return g.e.ho.unanswered.Load() == 0 }, 5*time.Second, time.Millisecond)
	g.e.tick()
}

// events renders the gateway's events as "state model rule [reason] started=…".
func (g *gateway) events() []string {
	var out []string
	for _, v := range violations(g.sink) {
		s := fmt.Sprintf("%s %s %s", v.State, v.ModelID(), v.Rule)
		if v.ResolvedReason != "" {
			s += " " + v.ResolvedReason
		}
		out = append(out, s+" started="+offset(v.StartedAt))
	}
	return out
}

func (g *gateway) handoffs() map[string]int64 {
	return sumByAttr(g.t, g.tel, telemetry.MetricHandoffs, "outcome")
}

// waitStored waits until the writer has written (or deleted) key.
func waitStored(t *testing.T, s *memStorage, key string, present bool) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.m[key]
		return ok == present
	}, 5*time.Second, time.Millisecond, "%s present=%v", key, present)
}

// waitOwner waits until the owner record of model names instance.
func waitOwner(t *testing.T, s *memStorage, model, instance string) {
	t.Helper()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		var rec ownerRecord
		return json.Unmarshal(s.m[ownerKey(modelKey(model))], &rec) == nil && rec.Instance == instance
	}, 5*time.Second, time.Millisecond, "owner of %s is not %s", model, instance)
}

func alertKey(rule, model string) string {
	return alertstore.KeyPrefix + modelevent.AlertID(rule, modelKey(model))
}

func modelKey(model string) []modelevent.Attribute {
	return []modelevent.Attribute{{Key: "model.name", Value: model}, {Key: "model.version", Value: "1"}}
}

func point(model string, v float64) string {
	return fmt.Sprintf("model.accuracy %g model.name=%s model.version=1", v, model)
}

func handoffConfig() *Config {
	cfg := rules(below("r", "accuracy", "last", 0.9))
	cfg.StaleAfter = 10 * time.Minute
	return cfg
}

func TestHandoffContinuesSavedAlert(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)

	a.send(point("m", 0.97))
	a.settle()
	now = now.Add(time.Second)
	a.send(point("m", 0.5))
	assert.Equal(t, []string{"firing m:1 r started=+1s"}, a.events())
	waitStored(t, store, alertKey("r", "m"), true)
	a.e.tick()
	waitStored(t, store, ownerKey(modelKey("m")), true)

	// The router moves the model to b, still degraded.
	now = now.Add(time.Second)
	release := store.holdReads()
	b.send(point("m", 0.4))
	assert.Empty(t, b.events(), "firing is held until storage answers")
	release()
	b.settle()
	assert.Empty(t, b.events(), "the saved alert continues silently")
	assert.Equal(t, int64(1), b.handoffs()[telemetry.HandoffAdopted])

	now = now.Add(time.Second)
	b.send(point("m", 0.97))
	assert.Equal(t, []string{"resolved m:1 r started=+1s"}, b.events(), "resolved once, with a's start")
	waitStored(t, store, alertKey("r", "m"), false)
	waitOwner(t, store, "m", "b")

	// a hears nothing more of m: at stale_after it finds b's newer data and
	// drops the model without an event.
	now = t0.Add(time.Second + 10*time.Minute + time.Second)
	a.e.tick()
	a.settle()
	assert.Equal(t, []string{"firing m:1 r started=+1s"}, a.events(), "no expired resolution from the former owner")
	assert.Zero(t, a.e.modelsLen())
	assert.Equal(t, int64(1), a.handoffs()[telemetry.HandoffMoved])
}

func TestHandoffLastOwnerExpires(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	a.send(point("m", 0.5))
	a.settle()
	require.Equal(t, []string{"firing m:1 r started=+0s"}, a.events(), "no saved alert: the held firing leaves")
	waitStored(t, store, ownerKey(modelKey("m")), true)

	now = now.Add(10*time.Minute + time.Second)
	a.e.tick()
	assert.Equal(t, 1, a.e.modelsLen(), "eviction waits for the owner record")
	a.settle()
	assert.Equal(t, []string{"firing m:1 r started=+0s", "resolved m:1 r expired started=+0s"}, a.events())
	waitStored(t, store, alertKey("r", "m"), false)
	waitStored(t, store, ownerKey(modelKey("m")), false)
}

func TestHandoffResolvedWhileLoading(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)
	a.send(point("m", 0.5))
	a.settle()
	waitStored(t, store, alertKey("r", "m"), true)

	// b gets a relapse and a recovery in one batch before storage answers.
	release := store.holdReads()
	b.send(point("m", 0.4)+" @1s", point("m", 0.97)+" @2s")
	assert.Empty(t, b.events())
	release()
	b.settle()
	assert.Equal(t, []string{"resolved m:1 r started=+0s"}, b.events(), "one resolution of a's episode, no second firing")
}

// An HA pair: two gateways receive every point. Each makes one firing and one
// resolution per episode, with identical times, or only the resolution when
// it first saw the model after the other had saved the alert.
func TestHandoffHAPairResolvesOncePerGateway(t *testing.T) {
	for _, tc := range []struct {
		name string
		// bSeesStart: b receives the healthy point before the incident too.
		bSeesStart bool
		wantB      []string
	}{
		{"both from the start", true, []string{"firing m:1 r started=+1s", "resolved m:1 r started=+1s"}},
		{"b joins mid-incident", false, []string{"resolved m:1 r started=+1s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, now := newMemStorage(), t0
			a := newGateway(t, "a", store, &now, handoffConfig)
			b := newGateway(t, "b", store, &now, handoffConfig)
			a.send(point("m", 0.97))
			if tc.bSeesStart {
				b.send(point("m", 0.97))
			}
			a.settle()
			b.settle()

			now = now.Add(time.Second)
			a.send(point("m", 0.5))
			waitStored(t, store, alertKey("r", "m"), true)
			b.send(point("m", 0.5))
			b.settle()
			now = now.Add(time.Second)
			a.send(point("m", 0.97))
			b.send(point("m", 0.97))
			assert.Equal(t, []string{"firing m:1 r started=+1s", "resolved m:1 r started=+1s"}, a.events())
			assert.Equal(t, tc.wantB, b.events())

			// Both go silent: neither has an alert left to expire.
			now = now.Add(11 * time.Minute)
			for range 2 {
				a.e.tick()
				b.e.tick()
				a.settle()
				b.settle()
			}
			assert.Len(t, a.events(), 2)
			assert.Equal(t, tc.wantB, b.events())
			assert.Zero(t, a.e.modelsLen()+b.e.modelsLen())
		})
	}
}

// Both gateways of an HA pair hold a firing alert when their data stops:
// each resolves it expired once, with the same start.
func TestHandoffHAPairBothExpire(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)
	// Both ask storage before either has saved its alert.
	release := store.holdReads()
	a.send(point("m", 0.5))
	b.send(point("m", 0.5))
	store.awaitHeldReads(t, 2)
	release()
	a.settle()
	b.settle()
	now = now.Add(10*time.Minute + time.Second)
	for range 2 {
		a.e.tick()
		b.e.tick()
		a.settle()
		b.settle()
	}
	want := []string{"firing m:1 r started=+0s", "resolved m:1 r expired started=+0s"}
	assert.Equal(t, want, a.events())
	assert.Equal(t, want, b.events())
}

func TestHandoffStorageDownGoesOnFromMemory(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)
	a.send(point("m", 0.5), point("n", 0.5))
	a.settle()
	waitStored(t, store, alertKey("r", "m"), true)
	waitStored(t, store, alertKey("r", "n"), true)

	store.mu.Lock()
	store.failReads = errors.New("connection refused")
	store.mu.Unlock()
	now = now.Add(time.Second)
	b.send(point("m", 0.4))
	b.settle()
	assert.Equal(t, []string{"firing m:1 r started=+1s"}, b.events(), "without an answer the model goes on as a new one")
	assert.Equal(t, int64(1), sumByAttr(t, b.tel, telemetry.MetricStateErrors, "op")[telemetry.OpRead])

	// Storage is back: the next model continues its alert again.
	store.mu.Lock()
	store.failReads = nil
	store.mu.Unlock()
	b.sink.Reset()
	b.send(point("n", 0.4))
	b.settle()
	assert.Empty(t, b.events())
	assert.Equal(t, int64(1), b.handoffs()[telemetry.HandoffAdopted])
}

func TestHandoffTimeoutReleasesHeldEvents(t *testing.T) {
	store, now := newMemStorage(), t0
	b := newGateway(t, "b", store, &now, handoffConfig)
	release := store.holdReads()
	// Storage hangs: the batch and the tick return all the same.
	b.send(point("m", 0.4))
	b.e.tick()
	assert.Empty(t, b.events(), "held while storage may still answer")

	now = now.Add(b.e.cfg.Handoff.Timeout)
	b.e.tick()
	assert.Equal(t, []string{"firing m:1 r started=+0s"}, b.events())
	assert.Equal(t, int64(1), b.handoffs()[telemetry.HandoffTimeout])

	release()
	b.settle()
	assert.Len(t, b.events(), 1, "the late answer changes nothing")
}

// A gateway that lost a model keeps no_data rules quiet: the model is not
// absent, another gateway receives it.
func TestHandoffNoDataQuietForMovedModel(t *testing.T) {
	cfg := func() *Config {
		cfg := handoffConfig()
		cfg.Rules = append(cfg.Rules, RuleConfig{Name: "nd", Signal: "accuracy", AbsentFor: time.Minute})
		return cfg
	}
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, cfg)
	b := newGateway(t, "b", store, &now, cfg)
	a.send(point("m", 0.97))
	a.settle()
	now = now.Add(30 * time.Second)
	b.send(point("m", 0.97))
	b.settle()
	waitOwner(t, store, "m", "b")

	now = t0.Add(2 * time.Minute)
	a.e.tick()
	a.settle()
	assert.Empty(t, a.events(), "no no_data alert for a model served elsewhere")
	assert.Zero(t, a.e.modelsLen())

	// The model that really went silent gets its no_data alert at the
	// time it fell due.
	now = t0.Add(30*time.Second + 2*time.Minute)
	b.e.tick()
	b.settle()
	assert.Equal(t, []string{"firing m:1 nd started=+1m30s"}, b.events())
}

// After a restart, a gateway restores only the alerts of models it served
// last; the others continue where their models are served now.
func TestHandoffRestartRestoresOwnAlerts(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)
	a.send(point("mine", 0.5), point("moved", 0.5))
	a.settle()
	now = now.Add(time.Second)
	b.send(point("moved", 0.5))
	b.settle()
	rec, err := json.Marshal(ownerRecord{Instance: "b", Watermark: now.UnixNano()})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		store.mu.Lock()
		defer store.mu.Unlock()
		return string(store.m[ownerKey(modelKey("moved"))]) == string(rec)
	}, 5*time.Second, time.Millisecond)

	require.NoError(t, a.e.shutdown(context.Background()))
	a.start()
	assert.Equal(t, 1, a.e.modelsLen(), "only the model a served last")
	now = now.Add(time.Second)
	a.send(point("mine", 0.97))
	assert.Equal(t, []string{"resolved mine:1 r started=+0s"}, a.events())
}

// TestREADMEHandoffExample keeps the README's handoff example valid: it
// turns handoff on through redis_storage alone.
func TestREADMEHandoffExample(t *testing.T) {
	cfg := readmeConfig(t, "## Sharding and handoff", "modelmon")
	assert.True(t, cfg.handoffOn())
	assert.NotEmpty(t, cfg.Handoff.InstanceID)
}

func TestHandoffConfig(t *testing.T) {
	on, off := true, false
	fileID, redisID := component.MustNewID("file_storage"), component.MustNewID("redis_storage")
	for _, tc := range []struct {
		name    string
		storage *component.ID
		enabled *bool
		want    bool
		err     string
	}{
		{name: "no storage", want: false},
		{name: "file_storage", storage: &fileID, want: false},
		{name: "redis_storage", storage: &redisID, want: true},
		{name: "redis_storage, off", storage: &redisID, enabled: &off, want: false},
		{name: "file_storage, on", storage: &fileID, enabled: &on, want: true},
		{name: "on without storage", enabled: &on, err: "handoff.enabled: needs storage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Storage, cfg.Handoff.Enabled = tc.storage, tc.enabled
			if tc.err != "" {
				require.ErrorContains(t, cfg.Validate(), tc.err)
				return
			}
			require.NoError(t, cfg.Validate())
			assert.Equal(t, tc.want, cfg.handoffOn())
		})
	}
	cfg := createDefaultConfig().(*Config)
	cfg.Handoff.Timeout = 0
	require.ErrorContains(t, cfg.Validate(), "handoff.timeout: must be positive")
}

// A reshard brings many models at once: their questions are answered in
// batches of reads, and every saved alert continues.
func TestHandoffManyModelsAtOnce(t *testing.T) {
	store, now := newMemStorage(), t0
	a := newGateway(t, "a", store, &now, handoffConfig)
	b := newGateway(t, "b", store, &now, handoffConfig)
	var lines []string
	for i := range 600 {
		lines = append(lines, point(fmt.Sprintf("m%d", i), 0.5))
	}
	a.send(lines...)
	a.settle()
	require.Len(t, a.events(), 600)
	for i := range 600 {
		waitStored(t, store, alertKey("r", fmt.Sprintf("m%d", i)), true)
	}
	now = now.Add(time.Second)
	b.send(lines...)
	b.settle()
	assert.Empty(t, b.events())
	assert.Equal(t, int64(600), b.handoffs()[telemetry.HandoffAdopted])
}
