package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// engine is the state shared by a component ID's metrics and logs
// processors: the models, their windows and rule lifecycles, and the
// delivery of events to the logs pipeline.
type engine struct {
	id      component.ID
	cfg     *Config
	logger  *zap.Logger
	tel     *telemetry.Telemetry
	rules   []*rule
	signals *signalTable
	// rulesBySignal lists, per signal, the rules that read it.
	rulesBySignal [][]int
	// winSlot numbers the signals some rule aggregates: signal i's window
	// is model.wins[winSlot[i]]. The others (-1; by default precision,
	// recall and throughput) keep no samples: their points are validated,
	// counted and keep the model alive, nothing more.
	winSlot []int
	windows int
	// static holds, per rule with the static strategy, the one stateless
	// detector all models share (see detector).
	static []strategy.Detector
	// noDataBySignal lists, per signal, the no_data rules watching it, and
	// modelNoData those that watch a model as a whole.
	noDataBySignal [][]int
	modelNoData    []int
	// drift holds the rules with a drift aggregation; nil without any.
	drift     *driftEngine
	extractor *identity.Extractor
	// inputs holds units and error-rate/ratio sources (ingest_rates.go).
	inputs inputTable
	// clock is the arrival time; tests replace it.
	clock func() time.Time

	// shards hold the models (shard.go); idle keeps the workers of
	// finished batches for the next ones: as many as batches ever ran at
	// once, and their buffers stay warm.
	shards []*shard
	idleMu sync.Mutex
	idle   []*worker
	// versionAt is the position of model.version in the model key, left
	// out of the shard hash; -1 when the key has none.
	versionAt int
	// batches numbers the batches, so that a model is listed once among
	// a batch's touched models.
	batches atomic.Uint64
	// created numbers the models in creation order.
	created atomic.Uint64
	// nModels counts the models of all shards, for max_models.
	nModels         atomic.Int64
	warnedOverLimit atomic.Bool

	// sendMu serialises delivery so that events leave in the order they
	// were made, without holding a shard while a slow logs pipeline works.
	// It is taken before any shard's lock, never while holding one.
	sendMu sync.Mutex
	sinks  []*sink
	// saver keeps the firing alerts in the storage extension; nil without
	// storage.
	saver *alertstore.Saver
	// ho hands models and their alerts over between gateways sharing
	// storage; nil without handoff. Set before the ticker starts.
	ho *handoff
	// instance names this collector to the others sharing its storage.
	instance string

	// ctx is the delivery context: it outlives every metrics request, so a
	// cancelled request cannot lose an event. Cancelled at shutdown.
	ctx    context.Context
	cancel context.CancelFunc

	runMu   sync.Mutex
	stop    chan struct{}
	stopped chan struct{}

	// afterBatch, when set by a test, sees each batch's worker before it
	// is reused.
	afterBatch func(w *worker)

	// status serves the status page extensions (status.go).
	status statusBoard
}

func newEngine(cfg *Config, set processor.Settings) (*engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tel, err := telemetry.New(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("modelmon: own telemetry: %w", err)
	}
	e := &engine{
		id:        set.ID,
		cfg:       cfg,
		logger:    set.Logger,
		tel:       tel,
		signals:   newSignalTable(cfg.Signals),
		extractor: identity.NewExtractor(cfg.ModelKey),
		clock:     time.Now,
		instance:  instanceID(cfg, set.Resource),
		versionAt: -1,
	}
	for i, k := range cfg.ModelKey {
		if k == modelevent.AttrModelVersion {
			e.versionAt = i
		}
	}
	e.newShards(shardsFor(cfg))
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.initInputs(cfg)
	known := map[string]bool{}
	for _, s := range e.signals.names {
		known[s] = true
	}
	e.rulesBySignal = make([][]int, len(e.signals.names))
	e.noDataBySignal = make([][]int, len(e.signals.names))
	for _, rc := range cfg.effectiveRules() {
		r, err := compileRule(rc, known, cfg.StaleAfter)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", rc.Name, err)
		}
		r.sig = e.signals.index(r.signal)
		switch {
		case r.dist != nil:
			// Drift rules read histogram points through e.drift.
		case r.sig >= 0 && r.noData():
			e.noDataBySignal[r.sig] = append(e.noDataBySignal[r.sig], len(e.rules))
		case r.sig >= 0:
			e.rulesBySignal[r.sig] = append(e.rulesBySignal[r.sig], len(e.rules))
		case r.noData():
			e.modelNoData = append(e.modelNoData, len(e.rules))
		}
		e.rules = append(e.rules, r)
	}
	e.drift = newDriftEngine(e)
	e.static = make([]strategy.Detector, len(e.rules))
	for i, r := range e.rules {
		if r.strategy == strategy.Static && !r.noData() {
			e.static[i] = strategy.NewStatic(r.dir, r.threshold)
		}
	}
	e.winSlot = make([]int, len(e.signals.names))
	for i := range e.winSlot {
		e.winSlot[i] = -1
	}
	for _, r := range e.rules {
		if r.sig >= 0 && !r.noData() && r.dist == nil && e.winSlot[r.sig] < 0 && e.inputs.rateSlot(r.sig) < 0 {
			e.winSlot[r.sig] = e.windows
			e.windows++
		}
	}
	return e, nil
}

// start restores the saved firing alerts and begins the evaluation ticker.
// Called once per engine by sharedEngine.
func (e *engine) start(ctx context.Context, host component.Host) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.sendMu.Lock()
	noLogs := len(e.sinks) == 0
	e.sendMu.Unlock()
	if noLogs {
		e.logger.Warn("modelmon is in no logs pipeline: violation events go nowhere; " +
			"list the same component ID in a logs pipeline to deliver them (health metrics still work)")
	}
	if err := e.startStorage(ctx, host); err != nil {
		return err
	}
	e.stop, e.stopped = make(chan struct{}), make(chan struct{})
	go e.run(e.stop, e.stopped)
	// Status page: offer the state to modelmon_status extensions.
	e.status.register(e, host)
	return nil
}

func (e *engine) run(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(e.cfg.EvaluationInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			e.tick()
		}
	}
}

// shutdown stops the ticker and makes one last attempt to deliver the outbox.
func (e *engine) shutdown(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	// Status page: withdraw the state before it stops changing.
	e.status.unregisterAll()
	if e.stop != nil {
		close(e.stop)
		e.stop = nil
		select {
		case <-e.stopped:
		case <-ctx.Done():
			e.cancel()
			return ctx.Err()
		}
	}
	if e.ho != nil {
		e.ho.close()
	}
	e.sendMu.Lock()
	e.flushOutboxes()
	sv := e.saver
	e.saver = nil
	e.sendMu.Unlock()
	var err error
	if sv != nil {
		err = sv.Close(ctx)
	}
	e.cancel()
	return err
}

func (e *engine) addLogsConsumer(next consumer.Logs) {
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	e.sinks = append(e.sinks, newSink(next, e.cfg.MaxPendingEvents))
}

// processMetrics observes a batch and returns it unchanged, plus health
// metrics when enabled.
func (e *engine) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	now := e.clock()
	w := e.getWorker(now.UnixNano())
	defer e.putWorker(w)
	w.batch = e.batches.Add(1)
	if len(e.shards) == 1 {
		s := e.shards[0]
		s.mu.Lock()
		w.fused = true
		if e.ho != nil {
			w.applyHandoffs(s)
		}
		w.ingest(md, now)
		if e.cfg.HealthMetrics && len(w.touched) > 0 {
			w.appendHealth(md, now, true)
		}
		s.mu.Unlock()
	} else {
		w.ingest(md, now)
		w.applyFiles(now)
		if e.cfg.HealthMetrics && len(w.touched) > 0 {
			w.appendHealth(md, now, false)
		}
	}
	e.tel.RecordDataPoints(ctx, &w.counts)
	e.tel.RecordModels(ctx, int(e.nModels.Load()))
	if e.afterBatch != nil {
		e.afterBatch(w)
	}
	if w.made > 0 {
		e.deliverQueued()
	}
	return md, nil
}

// tick advances every model's lifecycles without new data: `for`,
// keep_firing_for, no_data and eviction of stale models.
func (e *engine) tick() {
	w := e.getWorker(e.clock().UnixNano())
	defer e.putWorker(w)
	for _, s := range e.shards {
		s.mu.Lock()
		w.tickShard(s)
		s.mu.Unlock()
	}
	e.tel.RecordModels(e.ctx, int(e.nModels.Load()))
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	e.flushOutboxes()
	e.deliver(e.takeEvents())
}

// tickShard ticks the models of s. The caller holds s.
func (e *worker) tickShard(s *shard) {
	if e.ho != nil {
		e.applyHandoffs(s)
	}
	kept := s.order[:0]
	for _, m := range s.order {
		if !e.tickModel(m, e.now) {
			kept = append(kept, m)
		}
	}
	clear(s.order[len(kept):])
	s.order = kept
	if e.ho != nil {
		e.writeOwners(s)
	}
}
