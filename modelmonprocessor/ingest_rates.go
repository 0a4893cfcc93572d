package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/counter"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// maxRateStreams bounds the counter series remembered per model and rate
// signal. A model's series differ by labels outside the model key
// (finished_reason, err, status): a handful in practice. Beyond the bound,
// new series are refused and counted (over_limit) so that one label with
// unbounded values cannot grow memory.
const maxRateStreams = 256

// inputTable is what the config says about input metrics beyond their
// signal: units that replace the metric's own, and the metrics that feed
// error-rate and ratio signals.
type inputTable struct {
	// units maps a metric name to the scale of its configured unit.
	units map[string]float64
	// feeds maps a metric name to the rate signals its points feed; nil
	// without any, so that ingest skips the lookup.
	feeds map[string][]rateFeed
	// filter has a bit per (length, first byte, last byte) of the feeds'
	// metric names: most metrics of a batch are no source of a rate, and
	// the filter turns them away without hashing their names.
	filter [64]uint64
	// slotOf maps a signal number to its rate slot (index of model.rates),
	// -1 for value signals.
	slotOf []int
	nRates int
}

type rateDue struct {
	m         *model
	sig, slot int
}

// rateIncrement is one increment of one rate signal of one model, waiting
// for the end of its batch.
type rateIncrement struct {
	rateDue
	t        int64
	num, den float64
}

type rateFeed struct {
	sig, slot int
	// seed separates the series of different metrics (and roles) feeding
	// one signal.
	seed uint64
	src  rateSource
}

// rateState is one rate signal of one model: the window of increments and
// the previous point of each counter series.
type rateState struct {
	win     *window.Ratio
	streams *counter.Streams
	// due is set while the signal waits in inputTable.due.
	due bool
}

// initInputs registers the rate signals in the signal table (they are fed
// by no metric of their own) and indexes their sources and the units.
func (e *engine) initInputs(cfg *Config) {
	t := &e.inputs
	for m, spec := range cfg.SignalSpecs {
		if spec.Unit != "" {
			if t.units == nil {
				t.units = map[string]float64{}
			}
			t.units[m] = unitScale(spec.Unit)
		}
	}
	rates := cfg.rateSignals()
	if len(rates) == 0 {
		return
	}
	t.feeds = map[string][]rateFeed{}
	for slot, r := range rates {
		sig := e.signals.add(r.name, nonNegative)
		for metric, srcs := range r.sources {
			h := fnv.New64a()
			_, _ = h.Write([]byte(metric))
			for _, src := range srcs {
				// A metric can feed one signal twice (Triton's failures are in
				// both terms of their share): each feed keeps its own series.
				seed := h.Sum64() ^ (uint64(src.role)+1)*0x9e3779b97f4a7c15
				t.feeds[metric] = append(t.feeds[metric], rateFeed{sig: sig, slot: slot, seed: seed, src: src})
			}
		}
	}
	for metric := range t.feeds {
		i := filterBit(metric)
		t.filter[i/64] |= 1 << (i % 64)
	}
	t.nRates = len(rates)
	t.slotOf = make([]int, len(e.signals.names))
	for i := range t.slotOf {
		t.slotOf[i] = -1
	}
	for _, fs := range t.feeds {
		for _, f := range fs {
			t.slotOf[f.sig] = f.slot
		}
	}
}

func filterBit(name string) uint {
	if name == "" {
		return 0
	}
	return (uint(len(name))*31 + uint(name[0])*7 + uint(name[len(name)-1])) % 4096
}

// add appends a signal that no metric maps to directly and returns its number.
func (t *signalTable) add(name string, d domain) int {
	if i := t.index(name); i >= 0 {
		return i
	}
	t.names = append(t.names, name)
	t.domains = append(t.domains, d)
	return len(t.names) - 1
}

// scale returns the factor that brings m's values to the signal's unit:
// the configured unit of the metric, else the metric's own.
func (t *inputTable) scale(m pmetric.Metric) float64 {
	if t.units != nil {
		if s, ok := t.units[m.Name()]; ok {
			return s
		}
	}
	return unitScale(m.Unit())
}

// rateSlot returns the rate slot of signal sig, or -1.
func (t *inputTable) rateSlot(sig int) int {
	if sig < 0 || sig >= len(t.slotOf) {
		return -1
	}
	return t.slotOf[sig]
}

// ingestRates feeds the points of m to the error-rate and ratio signals it
// is a source of. The caller holds mu.
func (e *worker) ingestRates(m pmetric.Metric, scope pcommon.Map, res pcommon.Resource, now time.Time) {
	name := m.Name()
	if i := filterBit(name); e.inputs.filter[i/64]&(1<<(i%64)) == 0 {
		return
	}
	feeds, ok := e.inputs.feeds[name]
	if !ok {
		return
	}
	switch m.Type() {
	case pmetric.MetricTypeSum:
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.Flags().NoRecordedValue() {
				continue
			}
			v := dp.DoubleValue()
			if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
				v = float64(dp.IntValue())
			}
			e.ratePoint(m, i, feeds, dp.Attributes(), scope, res, uint64(dp.StartTimestamp()), dp.Timestamp(), v, now)
		}
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.Flags().NoRecordedValue() {
				continue
			}
			e.ratePoint(m, i, feeds, dp.Attributes(), scope, res, uint64(dp.StartTimestamp()), dp.Timestamp(), float64(dp.Count()), now)
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if dp.Flags().NoRecordedValue() {
				continue
			}
			e.ratePoint(m, i, feeds, dp.Attributes(), scope, res, uint64(dp.StartTimestamp()), dp.Timestamp(), float64(dp.Count()), now)
		}
	default:
		// A gauge has no increments to count; its points are refused here
		// and still pass through.
		e.counts[telemetry.InvalidValue]++
	}
}

// ratePoint turns one cumulative point (a counter value or a histogram's
// count) into increments of each rate signal it feeds. Delta temporality
// is not handled apart: the prometheus receiver and the GenAI SDKs send
// cumulative series, and a delta series reads as a run of resets, each
// counting its whole value, which is its increment.
func (e *worker) ratePoint(m pmetric.Metric, pos int, feeds []rateFeed, attrs, scope pcommon.Map, res pcommon.Resource, start uint64, ts pcommon.Timestamp, v float64, now time.Time) {
	md := e.modelFor(attrs, scope, res, pos)
	switch {
	case md == nil:
	case e.fused:
		e.addRate(md, feeds, attrs, start, ts, v, now)
	default:
		e.file(md, pointRef{metric: m, idx: int32(pos), kind: refRate})
	}
}

// rateInput reads the pos-th point of a source metric of rate signals as
// ingestRates does: its attributes, start, time and total.
func rateInput(m pmetric.Metric, pos int) (attrs pcommon.Map, start uint64, ts pcommon.Timestamp, v float64) {
	switch m.Type() {
	case pmetric.MetricTypeSum:
		dp := m.Sum().DataPoints().At(pos)
		v = dp.DoubleValue()
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			v = float64(dp.IntValue())
		}
		return dp.Attributes(), uint64(dp.StartTimestamp()), dp.Timestamp(), v
	case pmetric.MetricTypeHistogram:
		dp := m.Histogram().DataPoints().At(pos)
		return dp.Attributes(), uint64(dp.StartTimestamp()), dp.Timestamp(), float64(dp.Count())
	default:
		dp := m.ExponentialHistogram().DataPoints().At(pos)
		return dp.Attributes(), uint64(dp.StartTimestamp()), dp.Timestamp(), float64(dp.Count())
	}
}

// addRate turns one point of md into increments of the rate signals feeds.
func (e *worker) addRate(md *model, feeds []rateFeed, attrs pcommon.Map, start uint64, ts pcommon.Timestamp, v float64, now time.Time) {
	t, ok := e.pointTime(ts, now)
	if !ok {
		e.counts[telemetry.InvalidValue]++
		return
	}
	if md.rates == nil {
		md.rates = make([]rateState, e.inputs.nRates)
	}
	var attrHash uint64
	hashed := false
	for _, f := range feeds {
		e.seen(md, f.sig, t)
		rs := &md.rates[f.slot]
		if rs.win == nil {
			rs.win = window.NewRatio(e.cfg.Window.Size, e.cfg.Window.Duration)
			rs.streams = counter.New(maxRateStreams)
		}
		if !hashed {
			attrHash, hashed = identity.HashAttributes(attrs), true
		}
		inc, out := rs.streams.Observe(attrHash^f.seed, start, v, e.freshStream(start, t))
		switch out {
		case counter.Invalid:
			e.counts[telemetry.InvalidValue]++
			continue
		case counter.Refused:
			e.counts[telemetry.OverLimit]++
			continue
		case counter.Baseline:
			e.counts[telemetry.Matched]++
			continue
		}
		var num, den float64
		switch f.src.role {
		case roleRequests:
			den = inc
			if f.src.failure.matches(attrs) {
				num = inc
			}
		case roleNumerator:
			num = inc * f.src.scale
		case roleDenominator:
			den = inc
		}
		e.ratePending = append(e.ratePending, rateIncrement{rateDue{m: md, sig: f.sig, slot: f.slot}, t, num, den})
	}
}

// flushRates applies the increments of the batch in data-time order and
// evaluates the rules of each rate signal at every time it took
// increments, once all of that time's increments are in. A share is only
// whole once every series of a scrape is in (the abort counter alone would
// read as 100 % failures, a duration total before its request count as an
// endless request), and a batch lists its points metric by metric, so a
// backlog carrying many scrapes would otherwise be judged on the wrong
// mixture; in time order, it is judged scrape by scrape, as live traffic
// is. The caller holds mu.
func (e *worker) flushRates() {
	inc := e.ratePending
	slices.SortStableFunc(inc, func(a, b rateIncrement) int { return cmp.Compare(a.t, b.t) })
	for i := range inc {
		p := &inc[i]
		rs := &p.m.rates[p.slot]
		if !rs.win.Add(p.t, p.num, p.den) {
			e.counts[telemetry.Late]++
		} else {
			e.counts[telemetry.Matched]++
			if !rs.due {
				rs.due = true
				e.dueRates = append(e.dueRates, p.rateDue)
			}
		}
		if i+1 < len(inc) && inc[i+1].t == p.t {
			continue
		}
		for j, d := range e.dueRates {
			d.m.rates[d.slot].due = false
			v, _, _ := d.m.rates[d.slot].win.Value()
			e.onPoint(d.m, d.sig, p.t, v)
			e.dueRates[j] = rateDue{}
		}
		e.dueRates = e.dueRates[:0]
	}
	clear(inc)
	e.ratePending = inc[:0]
}

// matches reports whether a point's attributes mark a failed request.
func (f *FailureMarker) matches(attrs pcommon.Map) bool {
	v, ok := attrs.Get(f.Attribute)
	if !ok {
		return false
	}
	if len(f.Values) == 0 && f.AtLeast == nil {
		return true
	}
	var buf [24]byte
	var text []byte
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		for _, want := range f.Values {
			if s == want {
				return true
			}
		}
		if f.AtLeast != nil {
			if x, err := strconv.ParseFloat(s, 64); err == nil {
				return x >= *f.AtLeast
			}
		}
		return false
	case pcommon.ValueTypeInt:
		if f.AtLeast != nil && float64(v.Int()) >= *f.AtLeast {
			return true
		}
		text = strconv.AppendInt(buf[:0], v.Int(), 10)
	case pcommon.ValueTypeDouble:
		if f.AtLeast != nil && v.Double() >= *f.AtLeast {
			return true
		}
		return false
	case pcommon.ValueTypeBool:
		text = strconv.AppendBool(buf[:0], v.Bool())
	default:
		return false
	}
	for _, want := range f.Values {
		if string(text) == want {
			return true
		}
	}
	return false
}

// aggregateRate is aggregate for a rate signal: the window's share (or
// ratio) for any aggregation but count, which is the denominator's total;
// the sample count is the denominator's total too (requests), so that
// min_samples reads as a number of requests.
func (e *engine) aggregateRate(m *model, slot int, a window.Aggregation) (v float64, n int, start, end int64, ok bool) {
	if m.rates == nil || m.rates[slot].win == nil {
		return 0, 0, 0, 0, false
	}
	w := m.rates[slot].win
	v, den, ok := w.Value()
	if a == window.Count {
		v, ok = den, w.Len() > 0
	}
	return v, int(min(den, float64(1<<31))), w.Start(), w.End(), ok
}
