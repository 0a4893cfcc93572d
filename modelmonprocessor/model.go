package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/cumulative"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// model is everything tracked for one model key.
type model struct {
	key *identity.Key
	// resource is a copy of the resource of the model's first data point; it
	// becomes the resource of the model's events.
	resource pcommon.Resource
	// resHash is identity.HashAttributes of resource, so that health
	// metrics can group models sharing a resource without comparing maps.
	resHash uint64
	// watermark is the newest data-point time seen (unix nanoseconds); the
	// model is evicted stale_after past it.
	watermark int64
	// clock and anchor are the model's clock: its value (data time) at the
	// arrival time anchor. Between arrivals it advances with the collector's
	// clock (see clockAt), so that `for`, keep_firing_for, no_data and
	// eviction move on for a silent model.
	clock, anchor int64
	// dataMark is the newest data-point time this collector received for
	// the model; unlike watermark, a restore never moves it. Gateways
	// compare it to tell which of them served the model last.
	dataMark int64
	// ho is the model's handoff state; nil without handoff (see handoff.go).
	ho *modelHandoff
	// shard is the index of the engine's shard holding the model; gone is
	// set when it leaves the shard, for a batch that found it before.
	shard int32
	gone  bool
	// seq numbers the models in creation order across shards.
	seq uint64
	// batch is the generation of the last batch that touched the model.
	batch uint64
	// holdUntil (unix nanoseconds, model clock) ends the hold of lifecycles
	// restored from storage at the first tick after it; negative until the
	// first data after the restore sets it, zero when there is none (see
	// evaluateValue and endHold).
	holdUntil int64
	signals   []signalState
	// wins holds the windows of the signals rules aggregate, by value and
	// in one allocation (see engine.winSlot): the window of a point is found
	// from the model alone, in parallel with its signalState.
	wins []scalarWindow
	// rates holds the error-rate and ratio signals (ingest_rates.go),
	// created on their first point.
	rates []rateState
	rules []ruleState
	// drift holds the groups of the drift rules; nil until the model's
	// first histogram point a drift rule reads.
	drift *modelDrift
	// changes counts the alert-state transitions of the model's rules and
	// their first values;
	// healthChanges is its value at the model's last health emission and
	// healthAt (unix nanoseconds, arrival time) that emission's time, zero
	// before the first. With health_metrics_interval they decide whether a
	// batch carries the model's health points (see healthDue).
	changes, healthChanges uint32
	healthAt               int64
}

// clockAt is the model's clock at arrival time now: the data time it last
// reached, advanced by the collector's clock since then. It never runs
// backwards.
func (m *model) clockAt(now int64) int64 {
	if now <= m.anchor {
		return m.clock
	}
	return m.clock + (now - m.anchor)
}

// seen moves the model's clock on to data-point time t arriving at now.
func (m *model) seen(t, now int64) {
	m.clock, m.anchor = max(t, m.clockAt(now)), now
	if t > m.watermark {
		m.watermark = t
	}
	if t > m.dataMark {
		m.dataMark = t
	}
}

// signalState is one signal's liveness for one model, and its histogram
// window, created on the signal's first histogram point (latency as a
// histogram is the common case; other signals rarely are).
type signalState struct {
	// lastData is the newest data-point time of the signal (unix
	// nanoseconds), for no_data rules; zero before the first.
	lastData int64
	// floor stands in for a window when no rule reads the signal: a late
	// point is then one older than the newest minus window.duration (a
	// window full by count refuses more; there is none to be full).
	floor window.Floor
	hist  *window.HistWindow
	// prev holds the last point of each cumulative histogram stream.
	prev cumulative.Streams
}

// ruleState is one rule's alert lifecycle for one model. The fields every
// evaluation reads or writes come first, so that they span two cache lines
// rather than the whole struct.
type ruleState struct {
	tracker alertstate.Tracker
	det     strategy.Detector
	// cond is the rule's condition as last evaluated; the ticker steps the
	// lifecycle with it until new data changes it.
	cond bool
	// evaluated is true once res holds a verdict (health metrics report it).
	evaluated bool
	// restored is true for a lifecycle restored as firing from storage until
	// its window holds min_samples again or the model's hold ends: until
	// then, too few samples keep the condition instead of clearing it.
	restored bool
	// nextEval is the data time of the next evaluation of an adaptive rule
	// on a window aggregate: one per evaluation step of data time, so that
	// it learns at the same rate however the points are batched.
	nextEval int64
	samples  int
	winStart int64
	winEnd   int64
	res      strategy.Result

	alertID string
}

func (e *worker) newModel(key *identity.Key, res pcommon.Resource) *model {
	m := &model{
		key:      key,
		resource: pcommon.NewResource(),
		signals:  make([]signalState, len(e.signals.names)),
		rules:    make([]ruleState, len(e.rules)),
	}
	if e.windows > 0 {
		m.wins = make([]scalarWindow, e.windows)
		for i := range m.wins {
			m.wins[i].Init(e.cfg.Window.Size, e.cfg.Window.Duration)
		}
	}
	copyResource(res, m.resource)
	m.resHash = identity.HashAttributes(m.resource.Attributes())
	for i, r := range e.rules {
		if r.noData() {
			continue
		}
		m.rules[i].det = e.detector(i, r)
	}
	return m
}

// reserveModel counts one more model unless max_models are tracked; a
// caller that gets true creates it with addModel. Batches on other shards
// create models at the same time: one count for all of them keeps the
// total at max_models exactly.
func (e *worker) reserveModel() bool {
	limit := int64(e.cfg.MaxModels)
	for {
		n := e.nModels.Load()
		if n >= limit {
			return false
		}
		if e.nModels.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// addModel creates the model of key in shard si and tracks it, once
// reserveModel has counted it. Data and restores create models only
// through it. A model created by data (fromData) asks, with handoff, for
// the alerts other gateways saved for it; a restored one was just read
// from storage. The caller holds the shard.
func (e *worker) addModel(si int, key *identity.Key, res pcommon.Resource, fromData bool) *model {
	m := e.newModel(key, res)
	m.shard = int32(si)
	m.seq = e.created.Add(1)
	s := e.shards[si]
	s.models.Put(m.key, m)
	s.order = append(s.order, m)
	if e.ho != nil {
		e.trackHandoff(m, fromData)
	}
	return m
}

// histWindow returns the histogram window of a signal, creating it on first use.
func (e *worker) histWindow(s *signalState) *window.HistWindow {
	if s.hist == nil {
		s.hist = window.NewHist(e.cfg.Window.Size, e.cfg.Window.Duration)
	}
	return s.hist
}

// detector returns a new detector of rule i for a new model. The static
// threshold keeps no state (a direction and a bound), so all models share
// the rule's one: a model costs an allocation less per rule, and the
// evaluation reads a detector that stays in cache.
func (e *worker) detector(i int, r *rule) strategy.Detector {
	if r.strategy == strategy.Static && e.static[i] != nil {
		return e.static[i]
	}
	// Validated at config time; a failure here would be a bug, and the
	// static threshold keeps the rule working rather than panicking.
	det, err := strategy.New(r.strategy, &r.stratCfg, r.dir, r.threshold)
	if err != nil {
		det = strategy.NewStatic(r.dir, r.threshold)
	}
	return det
}

// aggregate computes a over signal sig's samples, preferring bucket counts
// when the signal arrives as histograms.
func (e *engine) aggregate(m *model, sig int, a window.Aggregation) (v float64, n int, start, end int64, ok bool) {
	if slot := e.inputs.rateSlot(sig); slot >= 0 {
		return e.aggregateRate(m, slot, a)
	}
	if h := m.signals[sig].hist; h != nil && h.Len() > 0 {
		v, ok = h.Aggregate(a)
		return v, h.Len(), h.Start(), h.End(), ok
	}
	if slot := e.winSlot[sig]; slot >= 0 {
		if w := &m.wins[slot]; w.Len() > 0 {
			v, ok = w.Aggregate(a)
			return v, w.Len(), w.Start(), w.End(), ok
		}
	}
	return 0, 0, 0, 0, false
}

// maxResourceAttrs bounds the resource attributes kept per model for its
// events: a model lives as long as it sends, so max_models times an
// unbounded resource would be unbounded memory. Real resources carry a few
// dozen.
const maxResourceAttrs = 128

func copyResource(from, to pcommon.Resource) {
	if from.Attributes().Len() <= maxResourceAttrs {
		from.CopyTo(to)
		return
	}
	attrs := to.Attributes()
	attrs.EnsureCapacity(maxResourceAttrs)
	for k, v := range from.Attributes().All() {
		if attrs.Len() == maxResourceAttrs {
			break
		}
		v.CopyTo(attrs.PutEmpty(k))
	}
}
