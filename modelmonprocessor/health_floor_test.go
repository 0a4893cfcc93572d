package modelmonprocessor

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"
)

// healthPlan is the health output the engine appends to one batch, held as
// plain values: what any implementation of the health-metrics contract must
// turn into pdata. Floor H builds exactly this, with pdata alone.
type healthPlan struct {
	groups []healthPlanGroup
}

// healthPlanGroup is one appended ResourceMetrics.
type healthPlanGroup struct {
	res     pcommon.Resource
	scope   string
	metrics []healthPlanMetric
}

type healthPlanMetric struct {
	name, desc, unit string
	points           []healthPlanPoint
}

type healthPlanPoint struct {
	ts    pcommon.Timestamp
	isInt bool
	dv    float64
	iv    int64
	attrs []healthPlanAttr
}

// healthPlanAttr is a string attribute, or a double one when isDouble.
type healthPlanAttr struct {
	key      string
	str      string
	isDouble bool
	dv       float64
}

// planFrom reads the ResourceMetrics of md from index from on into a plan,
// refusing anything the health metrics never contain, so that a plan built
// from it is the same output.
func planFrom(md pmetric.Metrics, from int) (healthPlan, error) {
	var p healthPlan
	rms := md.ResourceMetrics()
	for i := from; i < rms.Len(); i++ {
		rm := rms.At(i)
		if rm.ScopeMetrics().Len() != 1 {
			return p, fmt.Errorf("resource %d: %d scopes", i, rm.ScopeMetrics().Len())
		}
		sm := rm.ScopeMetrics().At(0)
		g := healthPlanGroup{res: pcommon.NewResource(), scope: sm.Scope().Name()}
		rm.Resource().CopyTo(g.res)
		for k := 0; k < sm.Metrics().Len(); k++ {
			m := sm.Metrics().At(k)
			if m.Type() != pmetric.MetricTypeGauge {
				return p, fmt.Errorf("metric %s: type %s", m.Name(), m.Type())
			}
			pm := healthPlanMetric{name: m.Name(), desc: m.Description(), unit: m.Unit()}
			dps := m.Gauge().DataPoints()
			for d := 0; d < dps.Len(); d++ {
				dp := dps.At(d)
				pp := healthPlanPoint{ts: dp.Timestamp()}
				switch dp.ValueType() {
				case pmetric.NumberDataPointValueTypeInt:
					pp.isInt, pp.iv = true, dp.IntValue()
				case pmetric.NumberDataPointValueTypeDouble:
					pp.dv = dp.DoubleValue()
				default:
					return p, fmt.Errorf("metric %s: point without value", m.Name())
				}
				for k, v := range dp.Attributes().All() {
					switch v.Type() {
					case pcommon.ValueTypeStr:
						pp.attrs = append(pp.attrs, healthPlanAttr{key: k, str: v.Str()})
					case pcommon.ValueTypeDouble:
						pp.attrs = append(pp.attrs, healthPlanAttr{key: k, isDouble: true, dv: v.Double()})
					default:
						return p, fmt.Errorf("metric %s: attribute %s of type %s", m.Name(), k, v.Type())
					}
				}
				pm.points = append(pm.points, pp)
			}
			g.metrics = append(g.metrics, pm)
		}
		p.groups = append(p.groups, g)
	}
	return p, nil
}

// buildHealthFloor appends plan to md the cheapest way measured with pdata
// v1.71.0 (see BenchmarkHealthBuild): every slice and attribute map sized
// once before it is filled, attributes put in place.
func buildHealthFloor(md pmetric.Metrics, plan *healthPlan) {
	rms := md.ResourceMetrics()
	rms.EnsureCapacity(rms.Len() + len(plan.groups))
	for gi := range plan.groups {
		g := &plan.groups[gi]
		rm := rms.AppendEmpty()
		g.res.CopyTo(rm.Resource())
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(g.scope)
		ms := sm.Metrics()
		ms.EnsureCapacity(len(g.metrics))
		for mi := range g.metrics {
			pm := &g.metrics[mi]
			m := ms.AppendEmpty()
			m.SetName(pm.name)
			m.SetDescription(pm.desc)
			m.SetUnit(pm.unit)
			dps := m.SetEmptyGauge().DataPoints()
			dps.EnsureCapacity(len(pm.points))
			for pi := range pm.points {
				pp := &pm.points[pi]
				dp := dps.AppendEmpty()
				dp.SetTimestamp(pp.ts)
				if pp.isInt {
					dp.SetIntValue(pp.iv)
				} else {
					dp.SetDoubleValue(pp.dv)
				}
				attrs := dp.Attributes()
				attrs.EnsureCapacity(len(pp.attrs))
				for _, a := range pp.attrs {
					if a.isDouble {
						attrs.PutDouble(a.key, a.dv)
					} else {
						attrs.PutStr(a.key, a.str)
					}
				}
			}
		}
	}
}

// healthFloorFixture is a payload's health output per batch, taken from an
// engine with health metrics on in the steady state the benchmarks measure.
// The engine stays alive for as long as the fixture, so that the floor is
// measured over the same live heap (the garbage collector's marking work
// grows with it).
type healthFloorFixture struct {
	plans  []healthPlan
	engine *engine
	// touched and now are the engine's models touched by each batch and
	// its clock then, to replay appendHealth alone.
	touched [][]*model
	now     []time.Time
	lastNow time.Time
}

// newHealthFloorFixture warms an engine over batches for warm rounds, then
// records one more round's health output.
func newHealthFloorFixture(tb testing.TB, cfg *Config, batches []pmetric.Metrics, warm int) *healthFloorFixture {
	tb.Helper()
	cfg.HealthMetrics = true
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	e, err := newEngine(cfg, processortest.NewNopSettings(metadata.Type))
	if err != nil {
		tb.Fatal(err)
	}
	f := &healthFloorFixture{engine: e}
	tb.Cleanup(func() { f.release(tb) })
	e.clock = func() time.Time {
		f.lastNow = time.Now()
		return f.lastNow
	}
	consume := func(md pmetric.Metrics) pmetric.Metrics {
		keep := md.ResourceMetrics().Len()
		out, err := e.processMetrics(context.Background(), md)
		if err != nil {
			tb.Fatal(err)
		}
		health := pmetric.NewMetrics()
		for i := keep; i < out.ResourceMetrics().Len(); i++ {
			out.ResourceMetrics().At(i).CopyTo(health.ResourceMetrics().AppendEmpty())
		}
		cutTo(out, keep)
		return health
	}
	for r := 0; r < warm; r++ {
		for _, md := range batches {
			consume(md)
		}
	}
	var touched []*model
	e.afterBatch = func(w *worker) { touched = slices.Clone(w.touched) }
	defer func() { e.afterBatch = nil }()
	for _, md := range batches {
		plan, err := planFrom(consume(md), 0)
		if err != nil {
			tb.Fatal(err)
		}
		f.plans = append(f.plans, plan)
		f.touched = append(f.touched, slices.Clone(touched))
		f.now = append(f.now, f.lastNow)
	}
	return f
}

// release shuts the engine down and drops it, leaving the plans.
func (f *healthFloorFixture) release(tb testing.TB) {
	if f.engine == nil {
		return
	}
	if err := f.engine.shutdown(context.Background()); err != nil {
		tb.Error(err)
	}
	f.engine = nil
}

// cutTo removes the ResourceMetrics of md after the first keep, as the
// benchmarks' sink does.
func cutTo(md pmetric.Metrics, keep int) {
	i := 0
	md.ResourceMetrics().RemoveIf(func(pmetric.ResourceMetrics) bool {
		i++
		return i > keep
	})
}

// healthPoints counts the points of a plan.
func (p *healthPlan) healthPoints() int {
	n := 0
	for _, g := range p.groups {
		for _, m := range g.metrics {
			n += len(m.points)
		}
	}
	return n
}
