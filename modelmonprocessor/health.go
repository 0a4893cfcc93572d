package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// Health metric names appended to each batch when health_metrics is on.
const (
	// MetricAlertActive is 1 per pending or firing (rule, model), like
	// Prometheus' ALERTS series.
	MetricAlertActive = "modelmon.alert.active"
	// MetricRuleValue is the aggregated value each rule last compared.
	MetricRuleValue = "modelmon.rule.value"
)

// healthScratch is appendHealth's working memory, kept on the engine so that
// a batch allocates no grouping state once the engine has warmed up.
type healthScratch struct {
	groups []healthGroup
	// byHash maps a resource hash to its first group; groups whose
	// resources differ but hash alike are chained through next.
	byHash map[uint64]int
	// of holds the group of each touched model, -1 for none.
	of []int
}

// healthGroup is the ResourceMetrics shared by the touched models with one
// resource.
type healthGroup struct {
	res  pcommon.Resource
	hash uint64
	next int
	// values and actives count the points of each gauge, to size them once.
	values, actives int
	sm              pmetric.ScopeMetrics
	value, active   pmetric.NumberDataPointSlice
}

// appendHealth adds the two health gauges for every model in this batch
// (with health_metrics_interval, every model due: see healthDue), in one
// ResourceMetrics per distinct resource among those models (in the order the
// resources were first touched), so that each model's points carry its
// resource. The caller holds mu.
func (e *engine) appendHealth(md pmetric.Metrics, now time.Time) {
	hs := &e.health
	if hs.byHash == nil {
		hs.byHash = make(map[uint64]int)
	}
	defer hs.reset()
	every, nowNs := e.cfg.HealthMetricsInterval, now.UnixNano()
	for _, m := range e.touched {
		if every > 0 && !m.healthDue(nowNs, every) {
			hs.of = append(hs.of, -1)
			continue
		}
		values, actives := e.healthCounts(m)
		if values == 0 && actives == 0 {
			// Nothing to report is no emission: the model stays due.
			hs.of = append(hs.of, -1)
			continue
		}
		if every > 0 {
			m.healthAt, m.healthChanges = nowNs, m.changes
		}
		g := hs.group(m)
		hs.groups[g].values += values
		hs.groups[g].actives += actives
		hs.of = append(hs.of, g)
	}
	if len(hs.groups) == 0 {
		return
	}
	rms := md.ResourceMetrics()
	rms.EnsureCapacity(rms.Len() + len(hs.groups))
	for i := range hs.groups {
		g := &hs.groups[i]
		rm := rms.AppendEmpty()
		g.res.CopyTo(rm.Resource())
		g.sm = rm.ScopeMetrics().AppendEmpty()
		g.sm.Scope().SetName(metadata.ScopeName)
		g.sm.Metrics().EnsureCapacity(2)
	}
	ts := pcommon.NewTimestampFromTime(now)
	for mi, m := range e.touched {
		if hs.of[mi] < 0 {
			continue
		}
		g := &hs.groups[hs.of[mi]]
		for ri, r := range e.rules {
			rs := &m.rules[ri]
			if v, ok := e.healthValue(m, r, rs); ok {
				if g.value == (pmetric.NumberDataPointSlice{}) {
					g.value = newGauge(g.sm, MetricRuleValue, "The aggregated value each rule last compared with its threshold.", "")
					g.value.EnsureCapacity(g.values)
				}
				dp := g.value.AppendEmpty()
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(v)
				// Sized up front: growing attribute maps was a third of the
				// allocations of a batch with health metrics on.
				dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs))
				putKey(dp.Attributes(), m, r)
				dp.Attributes().PutDouble(modelevent.AttrThreshold, healthThreshold(r, rs))
			}
			state := rs.tracker.State()
			if state == alertstate.Inactive {
				continue
			}
			if g.active == (pmetric.NumberDataPointSlice{}) {
				g.active = newGauge(g.sm, MetricAlertActive, "1 for each pending or firing alert of a rule for a model.", "1")
				g.active.EnsureCapacity(g.actives)
			}
			dp := g.active.AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs))
			putKey(dp.Attributes(), m, r)
			dp.Attributes().PutStr(modelevent.AttrAlertState, state.String())
		}
	}
}

// healthDue reports whether a batch at now carries m's health points under
// health_metrics_interval every: at m's first emission, after an alert state
// of m changed or a rule of m got its first value, and once every has passed
// since the last emission. A clock that went back counts as passed, so that
// it cannot silence a model.
func (m *model) healthDue(now int64, every time.Duration) bool {
	if m.healthAt == 0 || m.changes != m.healthChanges {
		return true
	}
	since := now - m.healthAt
	return since >= int64(every) || since < 0
}

// group returns the index of the group for m's resource, adding one if no
// touched model so far had an equal resource. Maps are compared only when
// their hashes match. The newest group is tried first: models of one
// resource usually arrive together, and then no map lookup is needed.
func (hs *healthScratch) group(m *model) int {
	if n := len(hs.groups) - 1; n >= 0 && hs.groups[n].hash == m.resHash && sameResource(hs.groups[n].res, m.resource) {
		return n
	}
	first, ok := hs.byHash[m.resHash]
	if ok {
		last := first
		for g := first; g >= 0; g = hs.groups[g].next {
			if sameResource(hs.groups[g].res, m.resource) {
				return g
			}
			last = g
		}
		hs.groups[last].next = len(hs.groups)
	} else {
		hs.byHash[m.resHash] = len(hs.groups)
	}
	hs.groups = append(hs.groups, healthGroup{res: m.resource, hash: m.resHash, next: -1})
	return len(hs.groups) - 1
}

// reset empties the scratch for the next batch, dropping its references to
// the batch's pdata so that they do not outlive it.
func (hs *healthScratch) reset() {
	clear(hs.groups)
	hs.groups = hs.groups[:0]
	clear(hs.byHash)
	hs.of = hs.of[:0]
}

func sameResource(a, b pcommon.Resource) bool {
	return a.DroppedAttributesCount() == b.DroppedAttributesCount() &&
		a.Attributes().Equal(b.Attributes())
}

// healthValue is what a rule reports in modelmon.rule.value: the value it
// last compared, or for a no_data rule the age in seconds of its signal's
// newest point on the model's clock; ok is false before there is one.
func (e *engine) healthValue(m *model, r *rule, rs *ruleState) (v float64, ok bool) {
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

// healthCounts returns how many rule-value and alert-active points m
// contributes to the health metrics.
func (e *engine) healthCounts(m *model) (values, actives int) {
	for i, r := range e.rules {
		if _, ok := e.healthValue(m, r, &m.rules[i]); ok {
			values++
		}
		if m.rules[i].tracker.State() != alertstate.Inactive {
			actives++
		}
	}
	return values, actives
}

func newGauge(sm pmetric.ScopeMetrics, name, desc, unit string) pmetric.NumberDataPointSlice {
	m := sm.Metrics().AppendEmpty()
	m.SetName(name)
	m.SetDescription(desc)
	m.SetUnit(unit)
	return m.SetEmptyGauge().DataPoints()
}

func putKey(attrs pcommon.Map, m *model, r *rule) {
	attrs.PutStr(modelevent.AttrRule, r.name)
	for _, a := range m.key.Attrs {
		attrs.PutStr(a.Key, a.Value)
	}
}
