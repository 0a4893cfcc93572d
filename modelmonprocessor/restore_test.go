package modelmonprocessor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

var storageID = component.MustNewID("file_storage")

// restartRig runs engines one after another on the same storage, as a
// collector restarted on the same file_storage directory.
type restartRig struct {
	t     *testing.T
	cfg   *Config
	store *memStorage
	now   time.Time
	e     *engine
	sink  *consumertest.LogsSink
	tel   *componenttest.Telemetry
}

func newRestartRig(t *testing.T, cfg *Config) *restartRig {
	id := storageID
	cfg.Storage = &id
	// The tests step time themselves.
	cfg.EvaluationInterval = time.Hour
	r := &restartRig{t: t, cfg: cfg, store: newMemStorage(), now: t0}
	r.start()
	return r
}

func (r *restartRig) start() {
	r.t.Helper()
	r.sink = new(consumertest.LogsSink)
	r.e, r.tel = testEngine(r.t, r.cfg, r.sink)
	r.e.clock = func() time.Time { return r.now }
	require.NoError(r.t, r.e.start(context.Background(), storageHost{storageID: r.store}))
}

// restart shuts the engine down, lets d pass and starts a new one with cfg.
func (r *restartRig) restart(d time.Duration, cfg *Config) {
	r.t.Helper()
	require.NoError(r.t, r.e.shutdown(context.Background()))
	r.now = r.now.Add(d)
	if cfg != nil {
		cfg.Storage, cfg.EvaluationInterval = r.cfg.Storage, r.cfg.EvaluationInterval
		r.cfg = cfg
	}
	r.start()
}

// send feeds one batch stamped at the current time.
func (r *restartRig) send(lines ...string) {
	r.t.Helper()
	_, err := r.e.processMetrics(context.Background(), buildBatch(r.t, lines, r.now))
	require.NoError(r.t, err)
}

// events renders the events since the last start as
// "state model rule [reason] started=<offset from t0>".
func (r *restartRig) events() []string {
	var out []string
	for _, v := range violations(r.sink) {
		s := fmt.Sprintf("%s %s %s", v.State, v.ModelID(), v.Rule)
		if v.ResolvedReason != "" {
			s += " " + v.ResolvedReason
		}
		out = append(out, s+" started="+offset(v.StartedAt))
	}
	return out
}

func TestRestoreFiringAfterRestart(t *testing.T) {
	const (
		bad  = "model.accuracy 0.5 model.name=a model.version=1 r.service.name=fraud-api"
		good = "model.accuracy 0.97 model.name=a model.version=1 r.service.name=fraud-api"
	)
	tests := []struct {
		name string
		// cfg after the restart; nil keeps the rule.
		cfg   func() *Config
		after func(r *restartRig)
		want  []string
	}{
		{
			name:  "recovered data resolves it once with the original start",
			after: func(r *restartRig) { r.send(good) },
			want:  []string{"resolved a:1 r started=+0s"},
		},
		{
			name: "still degraded keeps it firing silently until it recovers",
			after: func(r *restartRig) {
				r.send(bad)
				r.now = r.now.Add(time.Minute)
				r.e.tick()
				r.send(bad)
				require.Empty(r.t, r.events(), "no second firing")
				r.send(good)
			},
			want: []string{"resolved a:1 r started=+0s"},
		},
		{
			name: "a model that never comes back expires after stale_after",
			after: func(r *restartRig) {
				r.now = r.now.Add(r.cfg.StaleAfter - time.Second)
				r.e.tick()
				require.Empty(r.t, r.events())
				r.now = r.now.Add(time.Second)
				r.e.tick()
			},
			want: []string{"resolved a:1 r expired started=+0s"},
		},
		{
			name: "keep_firing_for counts from the first good data after the restart",
			cfg: func() *Config {
				rc := below("r", "accuracy", "last", 0.9)
				rc.KeepFiringFor = 2 * time.Minute
				return rules(rc)
			},
			after: func(r *restartRig) {
				r.send(good)
				r.now = r.now.Add(2*time.Minute - time.Second)
				r.e.tick()
				require.Empty(r.t, r.events())
				r.now = r.now.Add(time.Second)
				r.e.tick()
			},
			want: []string{"resolved a:1 r started=+0s"},
		},
		{
			name: "a rule no longer configured resolves expired at start",
			cfg:  func() *Config { return rules(below("other", "accuracy", "last", 0.9)) },
			want: []string{"resolved a:1 r expired started=+0s"},
		},
		{
			name: "a changed model key resolves expired at start",
			cfg: func() *Config {
				cfg := rules(below("r", "accuracy", "last", 0.9))
				cfg.ModelKey = []string{modelevent.AttrModelName}
				return cfg
			},
			want: []string{"resolved a:1 r expired started=+0s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRestartRig(t, rules(below("r", "accuracy", "last", 0.9)))
			r.send(bad)
			require.Equal(t, []string{"firing a:1 r started=+0s"}, r.events())
			fired := violations(r.sink)[0]

			var cfg *Config
			if tt.cfg != nil {
				cfg = tt.cfg()
			}
			before := r.tel
			r.restart(10*time.Minute, cfg)
			assert.Equal(t, map[string]int64{"write": 1}, sumByAttr(t, before, telemetry.MetricStateWrites, "op"))
			if tt.after != nil {
				tt.after(r)
			}
			require.Equal(t, tt.want, r.events())
			resolved := violations(r.sink)[0]
			assert.Equal(t, fired.AlertID, resolved.AlertID, "the dedup key downstream")
			assert.Equal(t, fired.StartedAt, resolved.StartedAt)
			res := r.sink.AllLogs()[0].ResourceLogs().At(0).Resource()
			assert.Equal(t, map[string]any{"service.name": "fraud-api"}, res.Attributes().AsRaw(),
				"the resolved event carries the model's resource")

			// Resolved alerts leave nothing behind: a third start restores none.
			r.restart(time.Minute, nil)
			assert.Empty(t, r.events())
			assert.Empty(t, r.store.keys())
		})
	}
}

// TestRestoreHoldsUntilWindowRefills: after a restart a window starts empty;
// fewer than min_samples points say nothing about a restored alert, which
// keeps firing until the window can judge, at the latest at the first tick
// one window duration after the restart.
func TestRestoreHoldsUntilWindowRefills(t *testing.T) {
	rule := below("r", "accuracy", "mean", 0.9)
	rule.MinSamples = 3
	line := func(v float64) string { return fmt.Sprintf("model.accuracy %v model.name=a model.version=1", v) }
	tests := []struct {
		name  string
		after func(r *restartRig)
		want  []string
	}{
		{
			name: "three good points resolve it",
			after: func(r *restartRig) {
				r.send(line(0.97))
				r.send(line(0.97))
				require.Empty(r.t, r.events(), "two points say nothing")
				r.send(line(0.97))
			},
			want: []string{"resolved a:1 r started=+0s"},
		},
		{
			name: "three bad points keep it firing",
			after: func(r *restartRig) {
				r.send(line(0.5))
				r.send(line(0.5))
				r.send(line(0.5))
			},
		},
		{
			name: "the hold ends at the first tick one window duration after the restart",
			after: func(r *restartRig) {
				r.send(line(0.97))
				r.now = r.now.Add(r.cfg.Window.Duration - time.Second)
				r.e.tick()
				r.send(line(0.97))
				require.Empty(r.t, r.events(), "still held")
				r.now = r.now.Add(time.Second)
				r.e.tick()
				r.send(line(0.97))
			},
			want: []string{"resolved a:1 r started=+0s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRestartRig(t, rules(rule))
			r.send(line(0.5), line(0.5), line(0.5))
			require.Len(t, r.events(), 1)
			r.restart(time.Minute, nil)
			tt.after(r)
			assert.Equal(t, tt.want, r.events())
		})
	}
}

// TestRestoreNoData: a firing no_data alert stays firing across a restart
// while the model is still silent, and resolves when its data returns.
func TestRestoreNoData(t *testing.T) {
	absent := RuleConfig{Name: "gone", Signal: "accuracy", Kind: "no_data", AbsentFor: 5 * time.Minute}
	r := newRestartRig(t, rules(absent, below("r", "latency", "last", 1)))
	r.send("model.accuracy 0.97 model.name=a model.version=1")
	r.now = r.now.Add(6 * time.Minute)
	r.send("model.latency 100 model.name=a model.version=1") // the model lives; accuracy is absent
	r.e.tick()
	require.Equal(t, []string{"firing a:1 gone started=+5m0s"}, r.events(), "absent_for past the last accuracy point")

	r.restart(time.Minute, nil)
	r.e.tick()
	r.send("model.latency 100 model.name=a model.version=1")
	require.Empty(t, r.events(), "still absent: no event")
	r.send("model.accuracy 0.97 model.name=a model.version=1")
	assert.Equal(t, []string{"resolved a:1 gone started=+5m0s"}, r.events())
}

func TestRestoreOverMaxModels(t *testing.T) {
	cfg := rules(below("r", "accuracy", "last", 0.9))
	r := newRestartRig(t, cfg)
	r.send("model.accuracy 0.5 model.name=a model.version=1", "model.accuracy 0.5 model.name=b model.version=1")
	require.Len(t, r.events(), 2)

	after := rules(below("r", "accuracy", "last", 0.9))
	after.MaxModels = 1
	r.restart(time.Minute, after)
	// Storage walks its keys by alert id, so which model is restored is
	// arbitrary but one is, and the other resolves.
	got := r.events()
	require.Len(t, got, 1)
	assert.Regexp(t, `^resolved [ab]:1 r expired started=\+0s$`, got[0])
	assert.Equal(t, map[string]int64{"restored": 1, "over_limit": 1},
		sumByAttr(t, r.tel, telemetry.MetricAlertsLoaded, "outcome"))
	assert.Equal(t, 1, r.e.modelsLen())
}

func TestRestoreSkipsCorruptRecords(t *testing.T) {
	r := newRestartRig(t, rules(below("r", "accuracy", "last", 0.9)))
	r.send("model.accuracy 0.5 model.name=a model.version=1")
	require.NoError(t, r.e.shutdown(context.Background()))

	resolved := plog.NewLogs()
	modelevent.Encode(&modelevent.Violation{State: modelevent.StateResolved, AlertID: "x", EventID: "e", Rule: "r",
		StartedAt: t0}, resolved.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	resolvedRaw, err := (&plog.ProtoMarshaler{}).MarshalLogs(resolved)
	require.NoError(t, err)
	valid := r.store.keys()
	require.Len(t, valid, 1)
	validRaw, err := memClient{r.store}.Get(context.Background(), valid[0])
	require.NoError(t, err)
	for key, raw := range map[string][]byte{
		"alert/garbage":          []byte("\xff\x00not protobuf"),
		"alert/empty":            {},
		"alert/x":                resolvedRaw, // a resolved event is never saved
		"alert/0000000000000000": validRaw,    // the key does not match the alert id
	} {
		r.store.put(key, raw)
	}
	r.store.put("someone-else", []byte("left alone"))

	r.restart(time.Minute, nil)
	assert.Equal(t, map[string]int64{"restored": 1, "corrupt": 4},
		sumByAttr(t, r.tel, telemetry.MetricAlertsLoaded, "outcome"))
	assert.Equal(t, append(valid, "someone-else"), r.store.keys(), "unreadable records are deleted")
	r.send("model.accuracy 0.97 model.name=a model.version=1")
	assert.Equal(t, []string{"resolved a:1 r started=+0s"}, r.events(), "the valid record was restored")
}

// TestStorageFailuresNeverBlock: a storage that refuses every write costs
// the restore, counted and logged, never an event.
func TestStorageFailuresNeverBlock(t *testing.T) {
	r := newRestartRig(t, rules(below("r", "accuracy", "last", 0.9)))
	r.store.failWrites = errors.New("disk full")
	r.send("model.accuracy 0.5 model.name=a model.version=1")
	assert.Equal(t, []string{"firing a:1 r started=+0s"}, r.events())
	require.Eventually(t, func() bool {
		return sumByAttr(t, r.tel, telemetry.MetricStateErrors, "op")["write"] == 1
	}, 5*time.Second, 10*time.Millisecond)
	r.store.failWrites = nil
	r.restart(time.Minute, nil)
	assert.Empty(t, r.store.keys())
	assert.Empty(t, sumByAttr(t, r.tel, telemetry.MetricAlertsLoaded, "outcome"))
}

// TestStorageHangNeverBlocks: a storage that hangs in a write holds up
// neither batches nor events; changes queue (one per alert), and shutdown
// gives up when its context ends instead of hanging with the disk.
func TestStorageHangNeverBlocks(t *testing.T) {
	r := newRestartRig(t, rules(below("r", "accuracy", "last", 0.9)))
	block := make(chan struct{})
	r.store.mu.Lock()
	r.store.block = block
	r.store.mu.Unlock()
	for i := 0; i < 50; i++ {
		v := 0.5
		if i%2 == 1 {
			v = 0.97
		}
		r.send(fmt.Sprintf("model.accuracy %v model.name=a model.version=1", v),
			fmt.Sprintf("model.accuracy %v model.name=m%d model.version=1", 0.5, i))
	}
	assert.Len(t, r.events(), 100, "every event delivered while the disk hangs")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, r.e.shutdown(ctx), context.DeadlineExceeded)
	close(block)
	// The writer finishes on its own once the disk answers: at most one change per alert waited.
	require.Eventually(t, func() bool { return len(r.store.keys()) == 50 }, 5*time.Second, 10*time.Millisecond)
}

func TestStorageExtensionMissing(t *testing.T) {
	cfg := rules(below("r", "accuracy", "last", 0.9))
	id := component.MustNewID("file_storage")
	cfg.Storage = &id
	e, _ := testEngine(t, cfg, consumertest.NewNop())
	err := e.start(context.Background(), storageHost{})
	require.ErrorContains(t, err, `storage extension "file_storage" not found`)
}

func TestLoadConfigStorage(t *testing.T) {
	cfg := loadConfig(t, "storage")
	require.NoError(t, confmap.Validate(cfg))
	require.NotNil(t, cfg.Storage)
	assert.Equal(t, component.MustNewIDWithName("file_storage", "modelmon"), *cfg.Storage)
	assert.Nil(t, loadConfig(t, "").Storage, "no storage by default")

	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, "bad_storage").String())
	require.NoError(t, err)
	assert.ErrorContains(t, sub.Unmarshal(createDefaultConfig()), "storage")
}

// TestRestoreAdaptiveResolvesAtFirstData pins the documented limit: an
// adaptive detector's learnt normal is not saved, so after a restart it
// cannot call data a breach and the restored alert resolves at the first
// data, with its original start and baseline; the rule then relearns.
func TestRestoreAdaptiveResolvesAtFirstData(t *testing.T) {
	r := newRestartRig(t, rules(RuleConfig{Name: "drift_shift", Signal: "drift_score", Strategy: "cusum"}))
	point := func(v float64, i int) string {
		return fmt.Sprintf("model.drift_score %g model.name=m model.version=1 @%ds", v, i)
	}
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, point(0.020+0.002*float64(i%3-1), i))
	}
	_, err := r.e.processMetrics(context.Background(), buildBatch(t, lines, t0))
	require.NoError(t, err)
	for i := 40; i < 60 && len(r.events()) == 0; i++ {
		r.now = t0.Add(time.Duration(i) * time.Second)
		_, err := r.e.processMetrics(context.Background(), buildBatch(t, []string{point(0.05, i)}, t0))
		require.NoError(t, err)
	}
	require.Len(t, r.events(), 1)
	fired := violations(r.sink)[0]

	r.restart(time.Minute, nil)
	_, err = r.e.processMetrics(context.Background(), buildBatch(t, []string{point(0.05, 120)}, t0))
	require.NoError(t, err)
	got := violations(r.sink)
	require.Len(t, got, 1)
	assert.Equal(t, modelevent.StateResolved, got[0].State)
	assert.Equal(t, fired.StartedAt, got[0].StartedAt)
	assert.Equal(t, fired.Baseline, got[0].Baseline, "the resolved event carries the baseline it fired with")
}

// TestRestoreMatchesIntKeyValues: a key value sent as an int is saved as
// text; the restored model must still be the one the int data points find,
// not a second model that fires anew.
func TestRestoreMatchesIntKeyValues(t *testing.T) {
	r := newRestartRig(t, rules(below("r", "accuracy", "last", 0.9)))
	send := func(v float64) {
		md := buildBatch(t, []string{fmt.Sprintf("model.accuracy %v model.name=a", v)}, r.now)
		dp := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0)
		dp.Attributes().PutInt(modelevent.AttrModelVersion, 7)
		_, err := r.e.processMetrics(context.Background(), md)
		require.NoError(t, err)
	}
	send(0.5)
	require.Equal(t, []string{"firing a:7 r started=+0s"}, r.events())
	r.restart(time.Minute, nil)
	send(0.5)
	send(0.97)
	assert.Equal(t, []string{"resolved a:7 r started=+0s"}, r.events())
	assert.Equal(t, 1, r.e.modelsLen())
}
