package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// Handoff lets gateways that share a storage extension pass models to each
// other when the routing in front of them changes: a gateway that first sees
// a model continues the firing alerts another gateway saved for it, and a
// gateway whose model went silent because another now serves it drops the
// model without resolving anything. Every storage access happens on a
// goroutine of its own; the engine asks, and applies the answers at its next
// batch or tick under mu, so no batch waits for storage. See the README's
// "Sharding and handoff".

// ownerKeyPrefix starts the storage key of a model's owner record; the rest
// is a fingerprint of the model key.
const ownerKeyPrefix = "owner/"

// maxHandoffBatch bounds the questions answered in one batch of reads.
const maxHandoffBatch = 256

// maxHandoffQuestions bounds the questions waiting for the storage
// goroutine; beyond it a model goes on from memory (counted queue_full).
const maxHandoffQuestions = 4096

// ownerRecord says which gateway served a model last and the newest data
// time it received for it.
type ownerRecord struct {
	Instance  string `json:"instance"`
	Watermark int64  `json:"watermark"`
}

// ownerKey is the storage key of the owner record of the model with key attrs.
func ownerKey(attrs []modelevent.Attribute) string {
	// An alert id of no rule: the same fingerprint every gateway computes,
	// and never an alert's (rule names are not empty).
	return ownerKeyPrefix + modelevent.AlertID("", attrs)
}

// instanceID names this collector in owner records: the configured
// instance_id, else the collector's service.instance.id, else a random one.
func instanceID(cfg *Config, res pcommon.Resource) string {
	if cfg.Handoff.InstanceID != "" {
		return cfg.Handoff.InstanceID
	}
	if v, ok := res.Attributes().Get("service.instance.id"); ok && v.AsString() != "" {
		return v.AsString()
	}
	return uuid.NewString()
}

// question is what a model waits for.
type question uint8

const (
	askNone question = iota
	// askLoad: a new model's saved firing alerts.
	askLoad
	// askOwner: the owner record of a model gone silent.
	askOwner
)

// modelHandoff is one model's handoff state. Guarded by engine.mu.
type modelHandoff struct {
	ownerKey string
	// ownerMark is the dataMark last queued to the owner record.
	ownerMark int64
	asking    question
	gen       uint64
	deadline  int64 // arrival time
	// held are the events made while the model's saved alerts load.
	held []*modelevent.Violation
	// askMark and askAt are the watermark and the checkpoint an owner
	// question was asked for; checkedMark and checkedAt those of the
	// latest answer that left the model here.
	askMark, askAt         int64
	checkedMark, checkedAt int64
	// moved is set once an owner record shows newer data elsewhere.
	moved bool
}

// handoffRequest is one question for the storage goroutine. m is only
// carried back: the goroutine never reads it.
type handoffRequest struct {
	m    *model
	gen  uint64
	keys []string // the alert keys of a load; nil for an owner question
	key  string   // the owner key
}

type handoffAnswer struct {
	m      *model
	gen    uint64
	saved  []savedAlert
	owner  ownerRecord
	found  bool
	err    error
	asking question
}

// handoff is the engine's side of the handoff: the storage goroutine, its
// answers, and the models waiting for one.
type handoff struct {
	store    storagekv.Store
	saver    *alertstore.Saver
	logger   *zap.Logger
	tel      *telemetry.Telemetry
	ctx      context.Context
	instance string
	timeout  time.Duration
	// horizon is how long a model may be silent before this gateway makes
	// sure it still serves it: the shortest absent_for, at most stale_after,
	// so that no no_data alert fires for a model another gateway serves.
	horizon int64
	// refresh is how much newer a model's data must be before its owner
	// record is written again.
	refresh int64

	reqs    chan handoffRequest
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once

	mu      sync.Mutex
	answers []handoffAnswer
	ready   atomic.Bool
	// unanswered counts the questions asked and not yet answered.
	unanswered atomic.Int64

	gen    atomic.Uint64
	warned atomic.Bool
}

func newHandoff(e *engine, store storagekv.Store, sv *alertstore.Saver) *handoff {
	horizon := e.cfg.StaleAfter
	for _, r := range e.rules {
		if r.noData() && r.absentFor < horizon {
			horizon = r.absentFor
		}
	}
	return &handoff{
		store:    store,
		saver:    sv,
		logger:   e.logger,
		tel:      e.tel,
		ctx:      e.ctx,
		instance: e.instance,
		timeout:  e.cfg.Handoff.Timeout,
		horizon:  int64(horizon),
		refresh:  int64(e.cfg.StaleAfter / 2),
		reqs:     make(chan handoffRequest, maxHandoffQuestions),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
}

func (h *handoff) run() {
	defer close(h.stopped)
	batch := make([]handoffRequest, 0, maxHandoffBatch)
	for {
		select {
		case <-h.stop:
			return
		case r := <-h.reqs:
			// The questions waiting go together: one round trip for many
			// models when a reshard brings them at once.
			batch = append(batch[:0], r)
		drain:
			for len(batch) < maxHandoffBatch {
				select {
				case r := <-h.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			h.answer(batch)
			clear(batch)
		}
	}
}

// close stops the storage goroutine; questions still queued go unanswered.
func (h *handoff) close() {
	h.once.Do(func() { close(h.stop) })
	<-h.stopped
}

// answer reads what the questions of batch ask from storage, in one batch
// of reads bounded by the timeout.
func (h *handoff) answer(batch []handoffRequest) {
	var keys []string
	for _, r := range batch {
		if r.keys != nil {
			keys = append(keys, r.keys...)
		} else {
			keys = append(keys, r.key)
		}
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.timeout)
	values, err := storagekv.GetMany(ctx, h.store, keys)
	cancel()
	answers := make([]handoffAnswer, 0, len(batch))
	for _, r := range batch {
		a := handoffAnswer{m: r.m, gen: r.gen, asking: askOwner, err: err}
		if r.keys != nil {
			a.asking = askLoad
		}
		n := len(r.keys)
		if n == 0 {
			n = 1
		}
		if err == nil {
			if r.keys != nil {
				a.saved = h.decodeSaved(r.keys, values[:n])
			} else if b := values[0]; b != nil {
				if err := json.Unmarshal(b, &a.owner); err != nil {
					h.logger.Warn("skipping an unreadable owner record", zap.String("key", r.key), zap.Error(err))
				} else {
					a.found = true
				}
			}
			values = values[n:]
		}
		answers = append(answers, a)
	}
	h.mu.Lock()
	h.answers = append(h.answers, answers...)
	h.mu.Unlock()
	h.ready.Store(true)
	h.unanswered.Add(-int64(len(batch)))
}

// decodeSaved decodes the saved alerts read under keys; unreadable ones are
// counted and skipped (the resolution of their alerts then comes from
// whichever gateway still holds them, or from none).
func (h *handoff) decodeSaved(keys []string, values [][]byte) []savedAlert {
	var saved []savedAlert
	for i, b := range values {
		if b == nil {
			continue
		}
		res, v, err := alertstore.Decode(b)
		if err == nil && keys[i] != alertstore.KeyPrefix+v.AlertID {
			err = alertstore.ErrBadRecord
		}
		if err != nil {
			h.tel.RecordLoaded(h.ctx, telemetry.LoadCorrupt, 1)
			h.logger.Warn("skipping an unreadable saved alert", zap.String("key", keys[i]), zap.Error(err))
			continue
		}
		saved = append(saved, savedAlert{resource: res, v: v})
	}
	return saved
}

// ask sends m's question to the storage goroutine. It reports false when
// the queue is full (counted): the model then goes on from memory.
func (e *worker) ask(m *model, q question) bool {
	h, mh := e.ho, m.ho
	gen := h.gen.Add(1)
	r := handoffRequest{m: m, gen: gen, key: mh.ownerKey}
	if q == askLoad {
		r.keys = make([]string, 0, len(e.rules))
		for _, rl := range e.rules {
			r.keys = append(r.keys, alertstore.KeyPrefix+modelevent.AlertID(rl.name, m.key.Attrs))
		}
	}
	h.unanswered.Add(1)
	select {
	case h.reqs <- r:
	default:
		h.unanswered.Add(-1)
		e.tel.RecordStateError(e.ctx, telemetry.OpQueueFull, 1)
		return false
	}
	mh.asking, mh.gen, mh.deadline = q, gen, e.now+int64(h.timeout)
	if q == askLoad {
		// Owner questions time out in ownedUntil, at the ticks that wait
		// for them.
		s := e.shards[m.shard]
		s.waiting = append(s.waiting, m)
	}
	return true
}

// trackHandoff gives a model its handoff state; a model created by data
// asks for the alerts other gateways saved for it. The caller holds mu.
func (e *worker) trackHandoff(m *model, fromData bool) {
	m.ho = &modelHandoff{ownerKey: ownerKey(m.key.Attrs)}
	if fromData {
		e.ask(m, askLoad)
	}
}

// applyHandoffs applies the storage answers that arrived and lets models
// whose answer is overdue go on from memory. Called at the start of every
// batch and tick; the caller holds mu.
func (e *worker) applyHandoffs(s *shard) {
	h := e.ho
	if h.ready.Load() {
		h.mu.Lock()
		var mine []handoffAnswer
		kept := h.answers[:0]
		for _, a := range h.answers {
			if e.shards[a.m.shard] == s {
				mine = append(mine, a)
			} else {
				kept = append(kept, a)
			}
		}
		clear(h.answers[len(kept):])
		h.answers = kept
		h.ready.Store(len(kept) > 0)
		h.mu.Unlock()
		for i := range mine {
			e.applyAnswer(&mine[i])
		}
	}
	if len(s.waiting) == 0 {
		return
	}
	kept := s.waiting[:0]
	for _, m := range s.waiting {
		mh := m.ho
		switch {
		case mh.asking == askNone:
			continue
		case mh.asking == askLoad && e.now >= mh.deadline:
			e.tel.RecordHandoff(e.ctx, telemetry.HandoffTimeout, 1)
			e.adopt(m, nil)
			continue
		}
		kept = append(kept, m)
	}
	clear(s.waiting[len(kept):])
	s.waiting = kept
}

func (e *worker) applyAnswer(a *handoffAnswer) {
	m, h := a.m, e.ho
	mh := m.ho
	if mh.asking != a.asking || mh.gen != a.gen {
		// Answered after its timeout, or for an evicted model.
		return
	}
	if a.err != nil {
		e.tel.RecordStateError(e.ctx, telemetry.OpRead, 1)
		if h.warned.CompareAndSwap(false, true) {
			e.logger.Warn("storage did not answer a handoff question; going on from memory",
				zap.String("model", m.key.ID), zap.Error(a.err))
		}
	} else {
		h.warned.Store(false)
	}
	if a.asking == askLoad {
		e.adopt(m, a.saved)
		return
	}
	mh.asking = askNone
	if mh.askMark != m.watermark {
		// Data arrived since the question: the model is served here.
		return
	}
	if a.err == nil && a.found && a.owner.Watermark > m.dataMark {
		mh.moved = true
		return
	}
	mh.checkedMark, mh.checkedAt = mh.askMark, mh.askAt
}

// adopt ends m's load with the saved alerts found (none when storage failed
// or timed out). A saved alert continues here: its lifecycle fires with the
// saved start and alert id, and the firing event made meanwhile is dropped,
// so downstream sees one episode. Other held events leave in order. The
// caller holds mu.
func (e *worker) adopt(m *model, saved []savedAlert) {
	mh := m.ho
	held := mh.held
	mh.held, mh.asking = nil, askNone
	var byRule map[int]*savedAlert
	for i := range saved {
		if ri := e.ruleIndex(saved[i].v.Rule); ri >= 0 {
			if byRule == nil {
				byRule = make(map[int]*savedAlert, len(saved))
			}
			byRule[ri] = &saved[i]
		}
	}
	// merged: 1 once a rule's held firing event was dropped, 2 once the
	// resolution of that episode was released with the saved start.
	var merged map[int]uint8
	if byRule != nil {
		merged = make(map[int]uint8, len(byRule))
	}
	for _, v := range held {
		ri := -1
		if byRule != nil {
			ri = e.ruleIndex(v.Rule)
		}
		if s := byRule[ri]; s != nil {
			switch {
			case merged[ri] == 0 && v.State == modelevent.StateFiring:
				merged[ri] = 1
				continue
			case merged[ri] == 1 && v.State == modelevent.StateResolved:
				v.StartedAt = s.v.StartedAt.UTC()
				merged[ri] = 2
			}
		}
		e.queue(m, v)
	}
	for ri, s := range byRule {
		if merged[ri] == 2 {
			continue
		}
		e.continueAlert(m, ri, s)
	}
	e.tel.RecordHandoff(e.ctx, telemetry.HandoffAdopted, len(byRule))
}

// continueAlert puts a saved firing alert into m's lifecycle of rule ri, as
// a restore does, then steps it with what this gateway knows: a condition
// judged false here resolves it, once, with the saved start. The caller
// holds mu.
func (e *worker) continueAlert(m *model, ri int, s *savedAlert) {
	r, rs := e.rules[ri], &m.rules[ri]
	at := max(rs.tracker.Last(), m.clock)
	rs.tracker.Restore(s.v.StartedAt)
	rs.alertID = s.v.AlertID
	if r.noData() {
		if m.lastData(r.sig) == 0 {
			// Nothing of the signal arrived here: the absence goes on.
			putBackResult(m, r, rs, &s.v)
			rs.cond = true
		}
	} else if !rs.evaluated {
		// No verdict here yet: hold it as a restore does until the window
		// can judge.
		putBackResult(m, r, rs, &s.v)
		rs.cond, rs.restored = true, true
		if m.holdUntil <= 0 {
			m.holdUntil = m.clock + int64(e.cfg.Window.Duration)
		}
	}
	e.step(m, r, rs, at)
}

// ownedUntil is the data time up to which the ticker may advance m: past
// each checkpoint of its silence (the horizon, then stale_after) the gateway
// first asks storage whether another gateway received newer data of m. moved
// reports that one did: m is dropped without events. The caller holds mu.
func (e *worker) ownedUntil(m *model, limit int64) (until int64, moved bool) {
	mh := m.ho
	if mh.moved {
		return limit, true
	}
	for _, cp := range [2]int64{m.watermark + e.ho.horizon, m.watermark + int64(e.cfg.StaleAfter)} {
		if limit < cp {
			return limit, false
		}
		if mh.checkedMark == m.watermark && mh.checkedAt >= cp {
			continue
		}
		switch {
		case mh.asking == askLoad:
		case mh.asking == askOwner && mh.askMark == m.watermark && mh.askAt == cp:
			if e.now < mh.deadline {
				break
			}
			// No answer in time: go on as the owner, as without handoff.
			e.tel.RecordHandoff(e.ctx, telemetry.HandoffTimeout, 1)
			mh.asking = askNone
			mh.checkedMark, mh.checkedAt = m.watermark, cp
			continue
		default:
			if e.ask(m, askOwner) {
				mh.askMark, mh.askAt = m.watermark, cp
			} else {
				mh.checkedMark, mh.checkedAt = m.watermark, cp
				continue
			}
		}
		return cp - 1, false
	}
	return limit, false
}

// forget removes m from the table. With handoff its held events leave
// first, and when its alerts expired here (owned) its owner record goes
// with it. The caller holds mu.
func (e *worker) forget(m *model, owned bool) {
	if mh := m.ho; mh != nil {
		for _, v := range mh.held {
			e.queue(m, v)
		}
		mh.held, mh.asking = nil, askNone
		if owned {
			e.ho.saver.Put(mh.ownerKey, nil)
		} else {
			e.tel.RecordHandoff(e.ctx, telemetry.HandoffMoved, 1)
		}
	}
	e.shards[m.shard].models.Delete(m.key)
	m.gone = true
	e.nModels.Add(-1)
}

// writeOwners queues the owner records of the models that received data
// since theirs was written: at once for a model new here, then every
// stale_after/2 of data time. The refresh is what keeps a model that came
// back to a gateway still holding it safe: that gateway writes a newer
// watermark within stale_after/2 of data after the model's return, before
// the gateway it came from checks, stale_after after its last point. The
// caller holds mu.
func (e *worker) writeOwners(s *shard) {
	h := e.ho
	n := 0
	for _, m := range s.order {
		mh := m.ho
		if m.dataMark == 0 || (mh.ownerMark != 0 && m.dataMark-mh.ownerMark < h.refresh) {
			continue
		}
		b, err := json.Marshal(ownerRecord{Instance: h.instance, Watermark: m.dataMark})
		if err != nil {
			continue
		}
		mh.ownerMark = m.dataMark
		h.saver.Put(mh.ownerKey, b)
		n++
	}
	if n > 0 {
		h.saver.Kick()
	}
}

// restoresHere reports whether this gateway restores a saved alert at
// start: with handoff, only those of models it served last (or that no
// gateway claimed); the others continue where their models are now served.
// mark is the newest data time this gateway is known to have received.
func (e *worker) restoresHere(owners map[string]ownerRecord, v *modelevent.Violation) (mark int64, ok bool) {
	rec, found := owners[ownerKey(v.ModelKey)]
	switch {
	case !found:
		return v.Time.UnixNano(), true
	case rec.Instance == e.ho.instance:
		return rec.Watermark, true
	}
	return 0, false
}
