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

// appendHealth adds, for every model in this batch, one ResourceMetrics with
// the model's resource and the two health gauges. The caller holds mu.
func (e *engine) appendHealth(md pmetric.Metrics, now time.Time) {
	ts := pcommon.NewTimestampFromTime(now)
	for _, m := range e.touched {
		if !hasHealth(m) {
			continue
		}
		rm := md.ResourceMetrics().AppendEmpty()
		m.resource.CopyTo(rm.Resource())
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(metadata.ScopeName)
		sm.Metrics().EnsureCapacity(2)
		var active, value pmetric.NumberDataPointSlice
		for ri, r := range e.rules {
			rs := &m.rules[ri]
			if rs.evaluated {
				if value == (pmetric.NumberDataPointSlice{}) {
					value = newGauge(sm, MetricRuleValue, "The aggregated value each rule last compared with its threshold.", "")
					value.EnsureCapacity(len(e.rules))
				}
				dp := value.AppendEmpty()
				dp.SetTimestamp(ts)
				dp.SetDoubleValue(rs.res.Observed)
				// Sized up front: growing attribute maps was a third of the
				// allocations of a batch with health metrics on.
				dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs))
				putKey(dp.Attributes(), m, r)
				dp.Attributes().PutDouble(modelevent.AttrThreshold, rs.res.Threshold)
			}
			state := rs.tracker.State()
			if state == alertstate.Inactive {
				continue
			}
			if active == (pmetric.NumberDataPointSlice{}) {
				active = newGauge(sm, MetricAlertActive, "1 for each pending or firing alert of a rule for a model.", "1")
			}
			dp := active.AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			dp.Attributes().EnsureCapacity(2 + len(m.key.Attrs))
			putKey(dp.Attributes(), m, r)
			dp.Attributes().PutStr(modelevent.AttrAlertState, state.String())
		}
	}
}

func hasHealth(m *model) bool {
	for i := range m.rules {
		if m.rules[i].evaluated || m.rules[i].tracker.State() != alertstate.Inactive {
			return true
		}
	}
	return false
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
