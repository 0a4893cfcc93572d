// Package health builds the processor's health metrics, modelmon.alert.active
// and modelmon.rule.value, into the batch that passes through: one
// ResourceMetrics per distinct resource among the models reported, so that
// each model's points carry its resource, sized up front so that a batch
// allocates only what pdata needs for the points themselves.
package health // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/health"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Metric names and descriptions.
const (
	// MetricAlertActive is 1 per pending or firing (rule, model), like
	// Prometheus' ALERTS series.
	MetricAlertActive = "modelmon.alert.active"
	// MetricRuleValue is the aggregated value each rule last compared.
	MetricRuleValue = "modelmon.rule.value"

	descAlertActive = "1 for each pending or firing alert of a rule for a model."
	descRuleValue   = "The aggregated value each rule last compared with its threshold."
)

// Builder is the working memory of one batch's health metrics, kept across
// batches so that grouping allocates nothing once warmed up. Use: Add for
// every model (in order), Layout once, then Value and Active for the points
// of each model added with a group, and Reset. Not safe for concurrent use.
type Builder struct {
	groups []group
	// byHash maps a resource hash to its first group; groups whose
	// resources differ but hash alike are chained through next.
	byHash map[uint64]int
	// of holds the group of each model added, -1 for none.
	of []int
}

// group is the ResourceMetrics shared by the models with one resource.
type group struct {
	res  pcommon.Resource
	hash uint64
	next int
	// values and actives count the points of each gauge, to size them once.
	values, actives int
	sm              pmetric.ScopeMetrics
	value, active   pmetric.NumberDataPointSlice
}

// Skip records a model that reports nothing in this batch.
func (b *Builder) Skip() { b.of = append(b.of, -1) }

// Add records a model of resource res (whose attributes hash to hash) with
// values rule-value and actives alert-active points.
func (b *Builder) Add(res pcommon.Resource, hash uint64, values, actives int) {
	g := b.group(res, hash)
	b.groups[g].values += values
	b.groups[g].actives += actives
	b.of = append(b.of, g)
}

// Len is the number of groups so far.
func (b *Builder) Len() int { return len(b.groups) }

// Layout appends one ResourceMetrics per group to md, with a scope named
// scope, in the order the groups were first added.
func (b *Builder) Layout(md pmetric.Metrics, scope string) {
	rms := md.ResourceMetrics()
	rms.EnsureCapacity(rms.Len() + len(b.groups))
	for i := range b.groups {
		g := &b.groups[i]
		rm := rms.AppendEmpty()
		g.res.CopyTo(rm.Resource())
		g.sm = rm.ScopeMetrics().AppendEmpty()
		g.sm.Scope().SetName(scope)
		g.sm.Metrics().EnsureCapacity(2)
	}
}

// Reported reports whether the i-th model added has points.
func (b *Builder) Reported(i int) bool { return b.of[i] >= 0 }

// Value appends a rule-value point for the i-th model added.
func (b *Builder) Value(i int) pmetric.NumberDataPoint {
	g := &b.groups[b.of[i]]
	if g.value == (pmetric.NumberDataPointSlice{}) {
		g.value = newGauge(g.sm, MetricRuleValue, descRuleValue, "")
		g.value.EnsureCapacity(g.values)
	}
	return g.value.AppendEmpty()
}

// Active appends an alert-active point for the i-th model added.
func (b *Builder) Active(i int) pmetric.NumberDataPoint {
	g := &b.groups[b.of[i]]
	if g.active == (pmetric.NumberDataPointSlice{}) {
		g.active = newGauge(g.sm, MetricAlertActive, descAlertActive, "1")
		g.active.EnsureCapacity(g.actives)
	}
	return g.active.AppendEmpty()
}

// Reset empties the builder for the next batch, dropping its references to
// the batch's pdata so that they do not outlive it.
func (b *Builder) Reset() {
	clear(b.groups)
	b.groups = b.groups[:0]
	clear(b.byHash)
	b.of = b.of[:0]
}

// group returns the index of the group for res, adding one if no model so
// far had an equal resource. Maps are compared only when their hashes
// match. The newest group is tried first: models of one resource usually
// arrive together, and then no map lookup is needed.
func (b *Builder) group(res pcommon.Resource, hash uint64) int {
	if n := len(b.groups) - 1; n >= 0 && b.groups[n].hash == hash && sameResource(b.groups[n].res, res) {
		return n
	}
	if b.byHash == nil {
		b.byHash = make(map[uint64]int)
	}
	first, ok := b.byHash[hash]
	if ok {
		last := first
		for g := first; g >= 0; g = b.groups[g].next {
			if sameResource(b.groups[g].res, res) {
				return g
			}
			last = g
		}
		b.groups[last].next = len(b.groups)
	} else {
		b.byHash[hash] = len(b.groups)
	}
	b.groups = append(b.groups, group{res: res, hash: hash, next: -1})
	return len(b.groups) - 1
}

func sameResource(a, b pcommon.Resource) bool {
	return a.DroppedAttributesCount() == b.DroppedAttributesCount() &&
		a.Attributes().Equal(b.Attributes())
}

func newGauge(sm pmetric.ScopeMetrics, name, desc, unit string) pmetric.NumberDataPointSlice {
	m := sm.Metrics().AppendEmpty()
	m.SetName(name)
	m.SetDescription(desc)
	m.SetUnit(unit)
	return m.SetEmptyGauge().DataPoints()
}

// Due reports whether a batch at now carries a model's health points under
// health_metrics_interval every: at its first emission (lastAt zero), after
// one of its alert states changed or a rule got its first value (changes
// differs from what it was at the last emission), and once every has passed
// since the last emission. A clock that went back counts as passed, so that
// it cannot silence a model.
func Due(lastAt int64, changes, lastChanges uint32, now int64, every time.Duration) bool {
	if lastAt == 0 || changes != lastChanges {
		return true
	}
	since := now - lastAt
	return since >= int64(every) || since < 0
}
