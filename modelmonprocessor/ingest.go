package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// ingest feeds every data point of a mapped metric into its model's window;
// fused, at once, else filed by shard for applyFiles (shard.go).
func (e *worker) ingest(md pmetric.Metrics, now time.Time) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource()
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			scope := sms.At(j).Scope().Attributes()
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				if e.inputs.feeds != nil {
					e.ingestRates(m, scope, res, now)
				}
				sig, ok := e.signals.byMetric[m.Name()]
				if !ok {
					continue
				}
				e.ingestMetric(m, sig, scope, res, now)
			}
		}
	}
	if e.fused && len(e.ratePending) > 0 {
		e.flushRates()
	}
	e.recent.Forget()
}

func (e *worker) ingestMetric(m pmetric.Metric, sig int, scope pcommon.Map, res pcommon.Resource, now time.Time) {
	scale := e.inputs.scale(m)
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		e.ingestNumbers(m.Gauge().DataPoints(), sig, scale, scope, res, now)
	case pmetric.MetricTypeSum:
		e.ingestNumbers(m.Sum().DataPoints(), sig, scale, scope, res, now)
	case pmetric.MetricTypeHistogram:
		h := m.Histogram()
		cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		dps := h.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.Flags().NoRecordedValue() {
				continue
			}
			if md := e.modelFor(dp.Attributes(), scope, res, i); md != nil {
				if e.fused {
					e.addHistogram(md, sig, dp, cumulative, scale, now)
				} else {
					e.file(md, pointRef{metric: m, idx: int32(i), sig: int32(sig), kind: refHistogram, cumulative: cumulative, scale: scale})
				}
			}
		}
	case pmetric.MetricTypeExponentialHistogram:
		h := m.ExponentialHistogram()
		cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		dps := h.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.Flags().NoRecordedValue() {
				continue
			}
			if md := e.modelFor(dp.Attributes(), scope, res, i); md != nil {
				if e.fused {
					e.addExponential(md, sig, dp, cumulative, scale, now)
				} else {
					e.file(md, pointRef{metric: m, idx: int32(i), sig: int32(sig), kind: refExponential, cumulative: cumulative, scale: scale})
				}
			}
		}
	}
}

func (e *worker) ingestNumbers(dps pmetric.NumberDataPointSlice, sig int, scale float64, scope pcommon.Map, res pcommon.Resource, now time.Time) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		if dp.Flags().NoRecordedValue() {
			// A staleness marker says the series ended; it carries no value.
			continue
		}
		md := e.modelFor(dp.Attributes(), scope, res, i)
		if md == nil {
			continue
		}
		v, typed := numberValue(dp)
		if e.fused {
			e.addNumber(md, sig, dp.Timestamp(), v, typed, scale, now)
		} else {
			e.file(md, pointRef{ts: dp.Timestamp(), val: v, typed: typed, sig: int32(sig), kind: refNumber, scale: scale})
		}
	}
}

// numberValue reads a gauge or sum point's value; ok is false for a point
// without one.
func numberValue(dp pmetric.NumberDataPoint) (v float64, ok bool) {
	switch dp.ValueType() {
	case pmetric.NumberDataPointValueTypeDouble:
		return dp.DoubleValue(), true
	case pmetric.NumberDataPointValueTypeInt:
		return float64(dp.IntValue()), true
	}
	return 0, false
}

// addNumber feeds one gauge or sum point (its time, and its value when
// typed) to md's signal sig.
func (e *worker) addNumber(md *model, sig int, ts pcommon.Timestamp, v float64, typed bool, scale float64, now time.Time) {
	t, ok := e.pointTime(ts, now)
	if !ok {
		e.counts[telemetry.InvalidValue]++
		return
	}
	e.seen(md, sig, t)
	if !typed {
		e.counts[telemetry.InvalidValue]++
		return
	}
	v *= scale
	if !e.signals.domains[sig].valid(v) || e.driftNumber(sig) {
		e.counts[telemetry.InvalidValue]++
		return
	}
	if !e.admit(md, sig, t, v) {
		e.counts[telemetry.Late]++
		return
	}
	e.counts[telemetry.Matched]++
	e.onPoint(md, sig, t, v)
}

// seen moves m's clock and signal sig's liveness on to data time t: any
// point with a valid time, even one refused later as invalid or late, shows
// that the model and the signal are alive.
func (e *worker) seen(m *model, sig int, t int64) {
	for _, ri := range e.noDataBySignal[sig] {
		e.dataArrived(m, e.rules[ri], &m.rules[ri], t)
	}
	for _, ri := range e.modelNoData {
		e.dataArrived(m, e.rules[ri], &m.rules[ri], t)
	}
	m.seen(t, e.now)
	ss := &m.signals[sig]
	if t > ss.lastData {
		ss.lastData = t
	}
	if m.holdUntil < 0 {
		m.holdUntil = t + int64(e.cfg.Window.Duration)
	}
}

// dataArrived tells a no_data rule that its data arrived at t. An absence
// the point shows in data time (a gap of absent_for since the newest point
// before it) starts first, as the ticker would have started it had the
// points arrived as they were made, so a backlog gives the events live
// traffic gives; then the data ends the absence. Called before the point
// moves the model's newest time.
func (e *worker) dataArrived(m *model, r *rule, rs *ruleState, t int64) {
	e.absence(m, r, rs, t)
	e.present(m, r, rs, t)
}

// admit adds (t, v) to the signal's window, or only checks t against the
// window's age when no rule reads the signal; false for a late point.
func (e *worker) admit(m *model, sig int, t int64, v float64) bool {
	if slot := e.winSlot[sig]; slot >= 0 {
		return m.wins[slot].Add(t, v)
	}
	return m.signals[sig].floor.Admit(t, int64(e.cfg.Window.Duration))
}

// modelFor returns the model of a data point, the pos-th of its metric,
// creating it when there is room, or nil when the point has no model key or
// the model limit is reached (both counted).
func (e *worker) modelFor(point, scope pcommon.Map, res pcommon.Resource, pos int) *model {
	if !e.extractor.Values(&e.scratch, point, scope, res.Attributes()) {
		e.counts[telemetry.NoModelKey]++
		return nil
	}
	_, m, found := e.recent.Find(&e.scratch, pos)
	if !found {
		if m = e.lookup(res); m == nil {
			return nil
		}
		e.recent.Remember(pos, m.key, m)
	}
	if e.fused && e.cfg.HealthMetrics {
		e.touch(m)
	}
	return m
}

// touch lists m among the models of the batch. The caller holds m's shard.
func (e *worker) touch(m *model) {
	if m.batch != e.batch {
		m.batch = e.batch
		e.touched = append(e.touched, m)
	}
}

// lookup finds the model whose key is in the scratch, creating it when
// there is room; nil (counted) at max_models. Unless fused, it holds the
// model's shard for the lookup only.
func (e *worker) lookup(res pcommon.Resource) *model {
	si := e.shardOf()
	s := e.shards[si]
	if !e.fused {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	h := e.extractor.Hash(&e.scratch)
	if _, m, found := s.models.Get(&e.scratch, h); found {
		return m
	}
	if !e.reserveModel() {
		e.counts[telemetry.OverLimit]++
		if e.warnedOverLimit.CompareAndSwap(false, true) {
			e.logger.Warn("max_models reached: data points of new models pass through unmonitored",
				zap.Int("max_models", e.cfg.MaxModels))
		}
		return nil
	}
	m := e.addModel(si, e.extractor.Intern(&e.scratch, h), res, true)
	// A model whose points never carry a valid time is still evicted
	// stale_after after it appeared.
	m.anchor = e.now
	return m
}

// pointTime is a data point's time, or the arrival time when it has none.
// ok is false for a time further ahead of arrival than one window: a
// producer with a broken clock would otherwise move the window's floor into
// the future and make every correctly stamped point after it late.
func (e *worker) pointTime(ts pcommon.Timestamp, now time.Time) (t int64, ok bool) {
	n := now.UnixNano()
	if ts == 0 {
		return n, true
	}
	if ts > pcommon.Timestamp(n)+pcommon.Timestamp(e.cfg.Window.Duration) {
		return 0, false
	}
	return int64(ts), true
}
