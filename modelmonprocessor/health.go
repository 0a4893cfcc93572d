package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
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
// resources were first touched). The caller holds mu.
func (e *worker) appendHealth(md pmetric.Metrics, now time.Time) {
	hb := &e.health
	defer hb.Reset()
	every, nowNs := e.cfg.HealthMetricsInterval, now.UnixNano()
	for _, m := range e.touched {
		if every > 0 && !m.healthDue(nowNs, every) {
			hb.Skip()
			continue
		}
		values, actives := e.healthCounts(m)
		if values == 0 && actives == 0 {
			// Nothing to report is no emission: the model stays due.
			hb.Skip()
			continue
		}
		if every > 0 {
			m.healthAt, m.healthChanges = nowNs, m.changes
		}
		hb.Add(m.resource, m.resHash, values, actives)
	}
	if hb.Len() == 0 {
		return
	}
	hb.Layout(md, metadata.ScopeName)
	ts := pcommon.NewTimestampFromTime(now)
	for mi, m := range e.touched {
		if !hb.Reported(mi) {
			continue
		}
		for ri, r := range e.rules {
			rs := &m.rules[ri]
			if v, ok := e.healthValue(m, r, rs); ok {
				dp := hb.Value(mi)
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
			dp := hb.Active(mi)
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs))
			putKey(dp.Attributes(), m, r)
			dp.Attributes().PutStr(modelevent.AttrAlertState, state.String())
		}
		if m.drift != nil {
			e.appendDriftHealth(hb, mi, m, ts)
		}
	}
}

// appendDriftHealth adds the points of m's drift groups: each group is a
// lifecycle of its own, told apart by its group attributes.
func (e *worker) appendDriftHealth(hb *health.Builder, mi int, m *model, ts pcommon.Timestamp) {
	for i, ri := range e.drift.rules {
		r := e.rules[ri]
		for _, g := range m.drift.rules[i].order {
			rs := &g.rs
			if rs.evaluated {
				dp := hb.Value(mi)
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(rs.res.Observed)
				dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs) + len(g.attrs))
				putKey(dp.Attributes(), m, r)
				putGroup(dp.Attributes(), g)
				dp.Attributes().PutDouble(modelevent.AttrThreshold, rs.res.Threshold)
			}
			state := rs.tracker.State()
			if state == alertstate.Inactive {
				continue
			}
			dp := hb.Active(mi)
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs) + len(g.attrs))
			putKey(dp.Attributes(), m, r)
			putGroup(dp.Attributes(), g)
			dp.Attributes().PutStr(modelevent.AttrAlertState, state.String())
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

// healthCounts returns how many rule-value and alert-active points m
// contributes to the health metrics.
func (e *worker) healthCounts(m *model) (values, actives int) {
	for i, r := range e.rules {
		if _, ok := e.healthValue(m, r, &m.rules[i]); ok {
			values++
		}
		if m.rules[i].tracker.State() != alertstate.Inactive {
			actives++
		}
	}
	if m.drift != nil {
		for i := range m.drift.rules {
			for _, g := range m.drift.rules[i].order {
				if g.rs.evaluated {
					values++
				}
				if g.rs.tracker.State() != alertstate.Inactive {
					actives++
				}
			}
		}
	}
	return values, actives
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
