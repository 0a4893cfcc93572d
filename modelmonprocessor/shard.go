package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"runtime"
	"sync"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/health"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// The engine's models are spread over shards by a hash of their key, each
// shard with a lock of its own, so that batches of different models proceed
// in parallel. A batch is read in two passes when there is more than one
// shard: the first, holding no lock for long, finds each point's model and
// files the point under the model's shard; the second takes the shards one
// at a time, whichever is free first, and applies their points in batch
// order. A model's points thus always meet its state under one lock, in the
// order the batch lists them. With one shard, a batch is read in one pass
// under that shard's lock, as a single-core collector needs no more.

// maxShards bounds the shards a config or the CPU count may ask for.
const maxShards = 256

// shardsFor is the number of shards for a config: its own, else 32 per CPU
// the runtime may use, so that two batches rarely want the same shard at
// once (at 8 shards on 2 CPUs, batches waited on each other more than they
// ran, see BENCHMARKS.md "Cores"); one on a single CPU, where a second pass
// would only cost.
func shardsFor(cfg *Config) int {
	n := cfg.Shards
	if n == 0 {
		if procs := runtime.GOMAXPROCS(0); procs > 1 {
			n = 32 * procs
		} else {
			n = 1
		}
	}
	return min(n, maxShards)
}

// shard is one lock's share of the models.
type shard struct {
	mu     sync.Mutex
	models *identity.Table[*model]
	order  []*model // the shard's models in creation order, for deterministic ticks
	// events holds the events made under mu until a delivery takes them:
	// one model's events are queued in the order they were made, whichever
	// batch made them.
	events eventBatch
	// waiting lists the models whose saved alerts are being read (handoff).
	waiting []*model
	// Keeps the next shard's lock off this one's cache line.
	_ [64]byte
}

// worker is the state of one batch, tick or restore in progress: the
// arrival time, counts and scratch buffers. Methods that read or change
// models run on a worker and hold the lock of the model's shard; the
// engine's configuration is reached through the embedded engine.
type worker struct {
	*engine
	now   int64
	batch uint64
	// fused is set while the worker holds every shard it may touch: points
	// are applied as they are read.
	fused   bool
	touched []*model
	counts  telemetry.Counts
	scratch identity.Scratch
	// recent guesses each point's model from the points of the batch's
	// earlier metrics; emptied after each batch.
	recent identity.Recent[*model]
	// buffers reused across histogram points.
	bounds    []float64
	rawCounts []uint64
	health    health.Builder
	// healthPoints, healthReads and healthOrder hold what appendHealth
	// read of the touched models.
	healthPoints []healthPoint
	healthReads  []healthRead
	healthOrder  []int32
	// ratePending holds the increments of the current batch until it is
	// in, and dueRates the rate signals that took increments at the time
	// being applied (see flushRates).
	ratePending []rateIncrement
	dueRates    []rateDue
	ds          driftScratch
	// files holds, per shard, the points of the batch's first pass; filed
	// counts them, and touchedAt holds the position of each touched
	// model's first point.
	files     [][]pointRef
	filed     int32
	touchedAt []int32
	// made counts the events this worker queued.
	made int
}

// driftScratch holds the buffers of one worker's drift rules.
type driftScratch struct {
	scratch drift.Scratch
	key     []byte
	bounds  []float64
	neg     []uint64
}

// newShards makes the engine's n shards.
func (e *engine) newShards(n int) {
	e.shards = make([]*shard, n)
	for i := range e.shards {
		e.shards[i] = &shard{models: identity.NewTable[*model]()}
	}
}

// getWorker returns a worker for one batch or tick at arrival time now.
func (e *engine) getWorker(now int64) *worker {
	var w *worker
	e.idleMu.Lock()
	if n := len(e.idle); n > 0 {
		w = e.idle[n-1]
		e.idle = e.idle[:n-1]
	}
	e.idleMu.Unlock()
	if w == nil {
		w = &worker{engine: e}
	}
	w.now, w.made = now, 0
	w.counts = telemetry.Counts{}
	w.touched = w.touched[:0]
	return w
}

func (e *engine) putWorker(w *worker) {
	clear(w.touched)
	w.touched = w.touched[:0]
	w.fused = false
	e.idleMu.Lock()
	e.idle = append(e.idle, w)
	e.idleMu.Unlock()
}

// shardOf is the shard of the model whose key values are in s.
func (e *worker) shardOf() int {
	if len(e.shards) == 1 {
		return 0
	}
	return int(e.extractor.HashWithout(&e.scratch, e.versionAt) % uint64(len(e.shards)))
}

// lockAll takes every shard's lock, in order; unlockAll releases them.
func (e *engine) lockAll() {
	for _, s := range e.shards {
		s.mu.Lock()
	}
}

func (e *engine) unlockAll() {
	for _, s := range e.shards {
		s.mu.Unlock()
	}
}

// emit queues an event of m with m's shard, which the caller holds, or
// holds it while m's saved alerts load.
func (e *worker) emit(m *model, v *modelevent.Violation) {
	if m.ho != nil && m.ho.asking == askLoad {
		m.ho.held = append(m.ho.held, v)
		return
	}
	e.queue(m, v)
}

// queue adds an event of m to its shard's queue. The caller holds the shard.
func (e *worker) queue(m *model, v *modelevent.Violation) {
	e.shards[m.shard].events.add(m, v)
	e.made++
}

// takeEvents moves the events queued in every shard into one batch in
// data-time order. Each shard's lock is held only while its queue is taken.
// The caller holds sendMu, so the batches taken leave in the order taken.
func (e *engine) takeEvents() *eventBatch {
	ev := newEventBatch()
	for _, s := range e.shards {
		s.mu.Lock()
		ev.take(&s.events)
		s.mu.Unlock()
	}
	ev.finish()
	return ev
}

// deliverQueued delivers the events every shard queued, in order with
// other batches' events.
func (e *engine) deliverQueued() {
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	e.deliver(e.takeEvents())
}
