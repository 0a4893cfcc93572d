package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// refKind says how a filed point is read back.
type refKind uint8

const (
	refNumber refKind = iota
	refHistogram
	refExponential
	refRate
)

// pointRef is a point the first pass of a batch filed under its model's
// shard: where it is in the batch and what it feeds.
type pointRef struct {
	m *model
	// metric and idx locate a histogram or rate point; a gauge or sum
	// point's time and value are read while its data point is at hand.
	metric pmetric.Metric
	idx    int32
	sig    int32
	ts     pcommon.Timestamp
	val    float64
	scale  float64
	// pos numbers the points filed in the batch, in batch order.
	pos        int32
	kind       refKind
	typed      bool
	cumulative bool
}

// file keeps a point of m for its shard's turn in applyFiles.
func (e *worker) file(m *model, r pointRef) {
	if e.files == nil {
		e.files = make([][]pointRef, len(e.shards))
	}
	r.m, r.pos = m, e.filed
	e.filed++
	e.files[m.shard] = append(e.files[m.shard], r)
}

// applyFiles applies the filed points shard by shard, each shard's in
// batch order under its lock, taking first whichever shard is free: two
// batches over the same shards then work side by side instead of in step.
func (e *worker) applyFiles(now time.Time) {
	left := 0
	for _, f := range e.files {
		if len(f) > 0 {
			left++
		}
	}
	n := len(e.files)
	first := int(e.batch % uint64(max(n, 1)))
	for left > 0 {
		done := false
		for j := range n {
			si := (first + j) % n
			if len(e.files[si]) == 0 {
				continue
			}
			s := e.shards[si]
			if !s.mu.TryLock() {
				continue
			}
			e.applyShard(si, s, now)
			s.mu.Unlock()
			left--
			done = true
		}
		if done {
			continue
		}
		// Every shard left is busy: wait for one.
		for j := range n {
			si := (first + j) % n
			if len(e.files[si]) == 0 {
				continue
			}
			s := e.shards[si]
			s.mu.Lock()
			e.applyShard(si, s, now)
			s.mu.Unlock()
			left--
			break
		}
	}
	e.filed = 0
	if len(e.touched) > 1 {
		// The touched models in the order the batch first lists them, as
		// one pass would list them: health metrics keep that order.
		sort.Sort(byFirstPoint{e})
	}
	e.touchedAt = e.touchedAt[:0]
}

// byFirstPoint orders a worker's touched models by their first point.
type byFirstPoint struct{ w *worker }

func (b byFirstPoint) Len() int           { return len(b.w.touched) }
func (b byFirstPoint) Less(i, j int) bool { return b.w.touchedAt[i] < b.w.touchedAt[j] }
func (b byFirstPoint) Swap(i, j int) {
	b.w.touched[i], b.w.touched[j] = b.w.touched[j], b.w.touched[i]
	b.w.touchedAt[i], b.w.touchedAt[j] = b.w.touchedAt[j], b.w.touchedAt[i]
}

// applyShard applies the points filed under shard si. The caller holds it.
func (e *worker) applyShard(si int, s *shard, now time.Time) {
	if e.ho != nil {
		e.applyHandoffs(s)
	}
	refs := e.files[si]
	from := len(e.touched)
	for i := range refs {
		e.applyRef(si, &refs[i], now)
	}
	if len(e.ratePending) > 0 {
		e.flushRates()
	}
	e.keepHealthDue(from)
	clear(refs)
	e.files[si] = refs[:0]
}

// keepHealthDue keeps, of the models touched since position from, those
// whose health points the batch carries under health_metrics_interval
// (appendHealth checks again): the batch then holds every shard for its
// health metrics only when some model is due. The caller holds their shard.
func (e *worker) keepHealthDue(from int) {
	every := e.cfg.HealthMetricsInterval
	if every <= 0 {
		return
	}
	kept := from
	for i := from; i < len(e.touched); i++ {
		if m := e.touched[i]; m.healthDue(e.now, every) {
			e.touched[kept], e.touchedAt[kept] = m, e.touchedAt[i]
			kept++
		}
	}
	clear(e.touched[kept:])
	e.touched, e.touchedAt = e.touched[:kept], e.touchedAt[:kept]
}

// applyRef applies one filed point. A model evicted since the first pass
// found it is looked up, or created, again.
func (e *worker) applyRef(si int, r *pointRef, now time.Time) {
	m := r.m
	if m.gone {
		if m = e.refind(si, m); m == nil {
			return
		}
	}
	if e.cfg.HealthMetrics && m.batch != e.batch {
		m.batch = e.batch
		e.touched = append(e.touched, m)
		e.touchedAt = append(e.touchedAt, r.pos)
	}
	switch r.kind {
	case refNumber:
		e.addNumber(m, int(r.sig), r.ts, r.val, r.typed, r.scale, now)
	case refHistogram:
		e.addHistogram(m, int(r.sig), r.metric.Histogram().DataPoints().At(int(r.idx)), r.cumulative, r.scale, now)
	case refExponential:
		e.addExponential(m, int(r.sig), r.metric.ExponentialHistogram().DataPoints().At(int(r.idx)), r.cumulative, r.scale, now)
	case refRate:
		attrs, start, ts, v := rateInput(r.metric, int(r.idx))
		e.addRate(m, e.inputs.feeds[r.metric.Name()], attrs, start, ts, v, now)
	}
}

// refind returns the model now tracked under gone's key in shard si,
// creating it when there is room. The caller holds the shard.
func (e *worker) refind(si int, gone *model) *model {
	s := e.shards[si]
	if m, ok := s.models.Lookup(gone.key); ok {
		return m
	}
	if !e.reserveModel() {
		e.counts[telemetry.OverLimit]++
		return nil
	}
	m := e.addModel(si, gone.key, gone.resource, true)
	m.anchor = e.now
	return m
}
