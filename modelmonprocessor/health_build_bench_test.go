package modelmonprocessor

import (
	"bytes"
	"runtime"
	"testing"

	"go.opentelemetry.io/collector/featuregate"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// healthBuildVariant is one way of turning a plan into pdata.
type healthBuildVariant struct {
	name string
	// prepare runs once per payload, outside the timing.
	prepare func(tb testing.TB, plans []healthPlan) any
	build   func(md pmetric.Metrics, plan *healthPlan, i int, prepared any)
}

// healthBuildVariants are the ways pdata v1.71.0 offers to fill the same
// health points; BenchmarkHealthBuild measures them against each other.
// Every variant produces the same output (TestHealthBuildVariantsAgree).
func healthBuildVariants() []healthBuildVariant {
	direct := func(o buildOptions) func(pmetric.Metrics, *healthPlan, int, any) {
		return func(md pmetric.Metrics, plan *healthPlan, _ int, _ any) { buildHealth(md, plan, o) }
	}
	return []healthBuildVariant{
		{name: "floor", build: func(md pmetric.Metrics, plan *healthPlan, _ int, _ any) { buildHealthFloor(md, plan) }},
		{name: "maps_unsized", build: direct(buildOptions{sizeSlices: true})},
		{name: "slices_unsized", build: direct(buildOptions{sizeMaps: true})},
		{name: "nothing_sized", build: direct(buildOptions{})},
		{name: "putempty_setstr", build: direct(buildOptions{sizeSlices: true, sizeMaps: true, putEmpty: true})},
		{
			// One prepared attribute map per point (as an engine could keep
			// per rule and model), copied in.
			name: "attrs_copyto",
			prepare: func(_ testing.TB, plans []healthPlan) any {
				out := make([][]pcommon.Map, len(plans))
				for i := range plans {
					for _, g := range plans[i].groups {
						for _, m := range g.metrics {
							for _, p := range m.points {
								a := pcommon.NewMap()
								putPlanAttrs(a, p.attrs, false)
								out[i] = append(out[i], a)
							}
						}
					}
				}
				return out
			},
			build: func(md pmetric.Metrics, plan *healthPlan, i int, prepared any) {
				maps := prepared.([][]pcommon.Map)[i]
				buildHealth(md, plan, buildOptions{sizeSlices: true, attrs: maps})
			},
		},
		{
			// Each group's whole ResourceMetrics prepared, deep-copied in.
			name: "resource_copyto",
			prepare: func(_ testing.TB, plans []healthPlan) any {
				out := make([]pmetric.Metrics, len(plans))
				for i := range plans {
					out[i] = pmetric.NewMetrics()
					buildHealthFloor(out[i], &plans[i])
				}
				return out
			},
			build: func(md pmetric.Metrics, _ *healthPlan, i int, prepared any) {
				src := prepared.([]pmetric.Metrics)[i].ResourceMetrics()
				rms := md.ResourceMetrics()
				rms.EnsureCapacity(rms.Len() + src.Len())
				for j := 0; j < src.Len(); j++ {
					src.At(j).CopyTo(rms.AppendEmpty())
				}
			},
		},
		{
			// Built in a fresh pmetric.Metrics, then moved onto the batch.
			name: "fresh_move",
			build: func(md pmetric.Metrics, plan *healthPlan, _ int, _ any) {
				fresh := pmetric.NewMetrics()
				buildHealthFloor(fresh, plan)
				fresh.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
			},
		},
		{
			// The same output decoded from its OTLP encoding, then moved:
			// what the protobuf path allocates for the same objects.
			name: "proto_decode_move",
			prepare: func(tb testing.TB, plans []healthPlan) any {
				out := make([][]byte, len(plans))
				for i := range plans {
					md := pmetric.NewMetrics()
					buildHealthFloor(md, &plans[i])
					buf, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
					if err != nil {
						tb.Fatal(err)
					}
					out[i] = buf
				}
				return out
			},
			build: func(md pmetric.Metrics, _ *healthPlan, i int, prepared any) {
				dec, err := (&pmetric.ProtoUnmarshaler{}).UnmarshalMetrics(prepared.([][]byte)[i])
				if err != nil {
					panic(err)
				}
				dec.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
			},
		},
	}
}

// buildOptions turn buildHealthFloor's choices on and off.
type buildOptions struct {
	sizeSlices, sizeMaps bool
	// putEmpty puts each attribute as PutEmpty(k).SetStr(v).
	putEmpty bool
	// attrs, when set, holds each point's prepared attributes in order.
	attrs []pcommon.Map
}

// buildHealth is buildHealthFloor with its choices made by o.
func buildHealth(md pmetric.Metrics, plan *healthPlan, o buildOptions) {
	rms := md.ResourceMetrics()
	if o.sizeSlices {
		rms.EnsureCapacity(rms.Len() + len(plan.groups))
	}
	n := 0
	for gi := range plan.groups {
		g := &plan.groups[gi]
		rm := rms.AppendEmpty()
		g.res.CopyTo(rm.Resource())
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(g.scope)
		ms := sm.Metrics()
		if o.sizeSlices {
			ms.EnsureCapacity(len(g.metrics))
		}
		for mi := range g.metrics {
			pm := &g.metrics[mi]
			m := ms.AppendEmpty()
			m.SetName(pm.name)
			m.SetDescription(pm.desc)
			m.SetUnit(pm.unit)
			dps := m.SetEmptyGauge().DataPoints()
			if o.sizeSlices {
				dps.EnsureCapacity(len(pm.points))
			}
			for pi := range pm.points {
				pp := &pm.points[pi]
				dp := dps.AppendEmpty()
				dp.SetTimestamp(pp.ts)
				if pp.isInt {
					dp.SetIntValue(pp.iv)
				} else {
					dp.SetDoubleValue(pp.dv)
				}
				if o.attrs != nil {
					o.attrs[n].CopyTo(dp.Attributes())
					n++
					continue
				}
				if o.sizeMaps {
					dp.Attributes().EnsureCapacity(len(pp.attrs))
				}
				putPlanAttrs(dp.Attributes(), pp.attrs, o.putEmpty)
			}
		}
	}
}

func putPlanAttrs(attrs pcommon.Map, as []healthPlanAttr, putEmpty bool) {
	for _, a := range as {
		switch {
		case a.isDouble && putEmpty:
			attrs.PutEmpty(a.key).SetDouble(a.dv)
		case a.isDouble:
			attrs.PutDouble(a.key, a.dv)
		case putEmpty:
			attrs.PutEmpty(a.key).SetStr(a.str)
		default:
			attrs.PutStr(a.key, a.str)
		}
	}
}

// checkEngineAppend fails the benchmark unless replaying appendHealth on
// the fixture's recorded models builds exactly the fixture's plans.
func checkEngineAppend(b *testing.B, f *healthFloorFixture, batches []pmetric.Metrics) {
	b.Helper()
	enc := &pmetric.ProtoMarshaler{}
	for k, md := range batches {
		keep := md.ResourceMetrics().Len()
		f.appendHealth(md, k)
		got, err := enc.MarshalMetrics(md)
		if err != nil {
			b.Fatal(err)
		}
		cutTo(md, keep)
		buildHealthFloor(md, &f.plans[k])
		want, err := enc.MarshalMetrics(md)
		if err != nil {
			b.Fatal(err)
		}
		cutTo(md, keep)
		if !bytes.Equal(got, want) {
			b.Fatalf("batch %d: appendHealth replayed differs from the plan", k)
		}
	}
}

// BenchmarkHealthBuild compares ways of building the health metrics of the
// per-point payloads with pdata, per health point and per input point. The
// engine the plans come from stays alive (the same live heap as the
// processor's benchmarks) except in the no_live_heap case, which repeats
// the floor after dropping it, to show what the collector's marking of that
// heap adds.
func BenchmarkHealthBuild(b *testing.B) {
	for _, pl := range perPointPayloads() {
		if !pl.floorH {
			continue
		}
		f := newHealthFloorFixture(b, benchConfig(pl.models, true), pl.batches, pl.warm)
		health := 0
		for i := range f.plans {
			health += f.plans[i].healthPoints()
		}
		perBatch := float64(health) / float64(len(f.plans))
		points := pl.batches[0].DataPointCount()
		run := func(name string, v healthBuildVariant) {
			var prepared any
			if v.prepare != nil {
				prepared = v.prepare(b, f.plans)
			}
			b.Run(pl.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				cpu := startCPU()
				for i := 0; i < b.N; i++ {
					k := i % len(pl.batches)
					md := pl.batches[k]
					keep := md.ResourceMetrics().Len()
					v.build(md, &f.plans[k], k, prepared)
					cutTo(md, keep)
				}
				if ns, ok := cpu.perOp(b); ok {
					b.ReportMetric(ns/float64(points), "cpu-ns/point")
					b.ReportMetric(ns/perBatch, "cpu-ns/health-point")
				}
				reportPerPoint(b, points)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/perBatch, "ns/health-point")
				b.ReportMetric(perBatch, "health-points/op")
			})
		}
		for _, v := range healthBuildVariants() {
			run(v.name, v)
		}
		// The engine's own health path on the same models and state:
		// appendHealth alone, without ingest or evaluation.
		checkEngineAppend(b, f, pl.batches)
		run("engine_append", healthBuildVariant{build: func(md pmetric.Metrics, _ *healthPlan, k int, _ any) {
			f.appendHealth(md, k)
		}})
		// With the collector's alpha gate pdata.useProtoPooling on, pdata
		// takes objects from pools, and the sink's cut returns them: what
		// the floor would be if every batch were recycled after export.
		pooling := featuregate.GlobalRegistry()
		if err := pooling.Set("pdata.useProtoPooling", true); err != nil {
			b.Fatal(err)
		}
		run("floor_proto_pooling", healthBuildVariants()[0])
		if err := pooling.Set("pdata.useProtoPooling", false); err != nil {
			b.Fatal(err)
		}
		f.release(b)
		runtime.GC()
		run("no_live_heap", healthBuildVariants()[0])
	}
}

// appendHealth runs the engine's appendHealth on the models recorded for
// batch k, taking each model's shard as a batch over several shards does.
func (f *healthFloorFixture) appendHealth(md pmetric.Metrics, k int) {
	e := f.engine
	w := e.getWorker(f.now[k].UnixNano())
	defer e.putWorker(w)
	w.touched = append(w.touched, f.touched[k]...)
	w.appendHealth(md, f.now[k], false)
}
