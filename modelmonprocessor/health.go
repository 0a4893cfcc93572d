package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"cmp"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/health"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// Health metric names appended to each batch when health_metrics is on.
const (
	// MetricAlertActive is 1 per pending or firing (rule, model), like
	// Prometheus' ALERTS series.
	MetricAlertActive = health.MetricAlertActive
	// MetricRuleValue is the aggregated value each rule last compared.
	MetricRuleValue = health.MetricRuleValue
)

// appendHealth adds the two health gauges for every model in this batch
// (with health_metrics_interval, every model due: see healthDue), in one
// ResourceMetrics per distinct resource among those models (in the order the
// resources were first touched). locked says the caller holds every shard;
// otherwise appendHealth takes each model's shard while it reads the
// model, and builds the points holding none: building them with pdata costs
// more than the batch's own points (BENCHMARKS.md, floor H), and other
// batches go on meanwhile.
func (e *worker) appendHealth(md pmetric.Metrics, now time.Time, locked bool) {
	e.readHealth(now.UnixNano(), locked)
	e.buildHealth(md, now)
}

// healthPoint is what one lifecycle (a rule of a model, or a drift group of
// a rule) reports: its value when it has one, and its alert state.
type healthPoint struct {
	rule      *rule
	group     *driftGroup // nil for a model's own rule
	value     float64
	threshold float64
	hasValue  bool
	state     alertstate.State
}

// healthRead is what readHealth took of the i-th touched model: its points
// are healthPoints[from:to], none for a model not reported.
type healthRead struct {
	from, to        int32
	values, actives int32
}

// due reports whether the model is reported in this batch.
func (rd *healthRead) due() bool { return rd.to > rd.from }

// readHealth reads the health points of every touched model due at now,
// each under its shard's lock unless locked, and marks them reported.
func (e *worker) readHealth(now int64, locked bool) {
	e.healthPoints = e.healthPoints[:0]
	e.healthReads = append(e.healthReads[:0], make([]healthRead, len(e.touched))...)
	if locked {
		for i, m := range e.touched {
			e.readModelHealth(i, m, now)
		}
		return
	}
	// One lock per shard: the touched models in shard order, read into
	// their own places.
	e.healthOrder = e.healthOrder[:0]
	for i := range e.touched {
		e.healthOrder = append(e.healthOrder, int32(i))
	}
	slices.SortFunc(e.healthOrder, func(a, b int32) int {
		return cmp.Compare(e.touched[a].shard, e.touched[b].shard)
	})
	held := int32(-1)
	for _, i := range e.healthOrder {
		m := e.touched[i]
		if m.shard != held {
			if held >= 0 {
				e.shards[held].mu.Unlock()
			}
			held = m.shard
			e.shards[held].mu.Lock()
		}
		e.readModelHealth(int(i), m, now)
	}
	if held >= 0 {
		e.shards[held].mu.Unlock()
	}
}

// readModelHealth reads the health points of m, the i-th touched model.
// The caller holds m's shard.
func (e *worker) readModelHealth(i int, m *model, now int64) {
	every := e.cfg.HealthMetricsInterval
	if every > 0 && !m.healthDue(now, every) {
		return
	}
	rd := healthRead{from: int32(len(e.healthPoints))}
	for ri, r := range e.rules {
		rs := &m.rules[ri]
		v, ok := e.healthValue(m, r, rs)
		e.healthPoints = append(e.healthPoints, healthPoint{
			rule: r, value: v, threshold: healthThreshold(r, rs), hasValue: ok, state: rs.tracker.State(),
		})
	}
	if m.drift != nil {
		for di, ri := range e.drift.rules {
			r := e.rules[ri]
			for _, g := range m.drift.rules[di].order {
				rs := &g.rs
				e.healthPoints = append(e.healthPoints, healthPoint{
					rule: r, group: g, value: rs.res.Observed, threshold: rs.res.Threshold,
					hasValue: rs.evaluated, state: rs.tracker.State(),
				})
			}
		}
	}
	rd.to = int32(len(e.healthPoints))
	for _, p := range e.healthPoints[rd.from:rd.to] {
		if p.hasValue {
			rd.values++
		}
		if p.state != alertstate.Inactive {
			rd.actives++
		}
	}
	if rd.values == 0 && rd.actives == 0 {
		// Nothing to report is no emission: the model stays due.
		e.healthPoints = e.healthPoints[:rd.from]
		return
	}
	e.healthReads[i] = rd
	if every > 0 {
		m.healthAt, m.healthChanges = now, m.changes
	}
}

// buildHealth appends the points readHealth read. It reads only what a
// model never changes (its resource and key), so it needs no shard.
func (e *worker) buildHealth(md pmetric.Metrics, now time.Time) {
	hb := &e.health
	defer hb.Reset()
	for i, m := range e.touched {
		rd := &e.healthReads[i]
		if !rd.due() {
			hb.Skip()
			continue
		}
		hb.Add(m.resource, m.resHash, int(rd.values), int(rd.actives))
	}
	if hb.Len() == 0 {
		return
	}
	hb.Layout(md, metadata.ScopeName)
	ts := pcommon.NewTimestampFromTime(now)
	for mi, m := range e.touched {
		rd := &e.healthReads[mi]
		if !rd.due() {
			continue
		}
		pts := e.healthPoints[rd.from:rd.to]
		for i := range pts {
			p := &pts[i]
			if p.hasValue {
				dp := hb.Value(mi)
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(p.value)
				putPointKey(dp.Attributes(), m, p)
				dp.Attributes().PutDouble(modelevent.AttrThreshold, p.threshold)
			}
			if p.state == alertstate.Inactive {
				continue
			}
			dp := hb.Active(mi)
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			putPointKey(dp.Attributes(), m, p)
			dp.Attributes().PutStr(modelevent.AttrAlertState, p.state.String())
		}
	}
}

// healthDue reports whether a batch at now carries m's health points under
// health_metrics_interval every (see health.Due).
func (m *model) healthDue(now int64, every time.Duration) bool {
	return health.Due(m.healthAt, m.changes, m.healthChanges, now, every)
}

// healthValue is what a rule reports in modelmon.rule.value: the value it
// last compared, or for a no_data rule the age in seconds of its signal's
// newest point on the model's clock; ok is false before there is one.
func (e *worker) healthValue(m *model, r *rule, rs *ruleState) (v float64, ok bool) {
	if !r.noData() {
		return rs.res.Observed, rs.evaluated
	}
	last := m.lastData(r.sig)
	if last == 0 {
		return 0, false
	}
	return float64(m.clockAt(e.now)-last) / float64(time.Second), true
}

func healthThreshold(r *rule, rs *ruleState) float64 {
	if r.noData() {
		return r.threshold
	}
	return rs.res.Threshold
}

// putPointKey puts the attributes that tell p's lifecycle apart, with room
// for one more: sized up front, as growing attribute maps was a third of the
// allocations of a batch with health metrics on.
func putPointKey(attrs pcommon.Map, m *model, p *healthPoint) {
	if p.group == nil {
		attrs.EnsureCapacity(2 + len(m.key.Attrs))
		putKey(attrs, m, p.rule)
		return
	}
	attrs.EnsureCapacity(2 + len(m.key.Attrs) + len(p.group.attrs))
	putKey(attrs, m, p.rule)
	putGroup(attrs, p.group)
}

func putKey(attrs pcommon.Map, m *model, r *rule) {
	attrs.PutStr(modelevent.AttrRule, r.name)
	for _, a := range m.key.Attrs {
		attrs.PutStr(a.Key, a.Value)
	}
}

func putGroup(attrs pcommon.Map, g *driftGroup) {
	for _, a := range g.attrs {
		attrs.PutStr(a.Key, a.Value)
	}
}
