package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

// driftEngine is the engine's state for rules with a drift aggregation.
// Such a rule keeps, per model and group (the values of its group_by
// attributes), a window of histogram points, a reference and a lifecycle of
// its own; it evaluates at every histogram point of its group, at that
// point's data time, as a static rule does, so batching never changes its
// events. The caller of every method holds the engine's mu.
type driftEngine struct {
	// rules are the engine's rule indices of the drift rules, in the order
	// of driftRule.index.
	rules []int
	// bySignal lists, per signal, the drift rules reading it.
	bySignal [][]int
	// only marks the signals no other rule reads: their gauge and sum
	// points can feed no rule at all and are counted invalid_value.
	only []bool
	// versionAt is the position of model.version in the model key, -1 when
	// the key has none (no rule may then use previous_version).
	versionAt int
	// versions holds the previous_version memory per rule, model name (the
	// model key without its version) and group; entries go when the last
	// version of a name is evicted. The map is shared by the shards and
	// guarded by versionsMu; a name's versions share a shard (see
	// shardOf), which guards each entry.
	versionsMu sync.Mutex
	versions   map[string]*drift.Versions

	// statusScratch serves the status page, which holds every shard.
	statusScratch drift.Scratch
	// warned marks, per drift rule, that an incompatible grid was logged;
	// warnedLimit that max_groups was; warnedGauge, per signal, that a gauge
	// reached a signal only drift rules read.
	warned, warnedLimit []atomic.Bool
	warnedGauge         []atomic.Bool
}

// modelDrift is one model's state of the drift rules, by driftRule.index.
type modelDrift struct {
	rules []driftRuleState
}

// driftRuleState holds the groups of one drift rule for one model.
type driftRuleState struct {
	groups map[string]*driftGroup
	// order keeps creation order, so that ticks step groups the same way
	// on every replica.
	order []*driftGroup
}

// driftGroup is one drift rule's state for one model and group.
type driftGroup struct {
	// key is the group's values as driftGroupFor packs them.
	key     string
	attrs   []modelevent.Attribute
	rs      ruleState
	win     *drift.Window
	learned drift.LearnedReference
	// versions is the rule's previous_version memory for this model name
	// and group (shared by the name's versions), versionsKey its key in
	// driftEngine.versions.
	versions    *drift.Versions
	versionsKey string
	// res is the last comparison and refFrom the version it compared with
	// (previous_version).
	res     drift.Result
	refFrom string
	// last is the newest point time of the group.
	last int64
}

// newDriftEngine collects the drift rules of e, or returns nil when there
// are none, so that other signals pay one nil check per histogram point.
func newDriftEngine(e *engine) *driftEngine {
	var d *driftEngine
	for ri, r := range e.rules {
		if r.dist == nil || r.sig < 0 {
			continue
		}
		if d == nil {
			d = &driftEngine{
				bySignal:    make([][]int, len(e.signals.names)),
				only:        make([]bool, len(e.signals.names)),
				warnedGauge: make([]atomic.Bool, len(e.signals.names)),
				versionAt:   -1,
				versions:    map[string]*drift.Versions{},
			}
		}
		r.dist.index, r.dist.ri = len(d.rules), ri
		d.rules = append(d.rules, ri)
		d.bySignal[r.sig] = append(d.bySignal[r.sig], ri)
		d.only[r.sig] = true
	}
	if d == nil {
		return nil
	}
	for _, r := range e.rules {
		if r.dist == nil && r.sig >= 0 && !r.noData() {
			d.only[r.sig] = false
		}
	}
	for i, k := range e.cfg.ModelKey {
		if k == modelevent.AttrModelVersion {
			d.versionAt = i
		}
	}
	d.warned = make([]atomic.Bool, len(d.rules))
	d.warnedLimit = make([]atomic.Bool, len(d.rules))
	return d
}

// driftNumber reports whether a gauge or sum point of signal sig has no
// rule to feed: only drift rules read the signal, and they need histograms.
// The first such point is logged.
func (e *worker) driftNumber(sig int) (refused bool) {
	return e.drift != nil && e.drift.only[sig] && e.warnNumber(sig)
}

// warnNumber logs the first gauge or sum point of a drift-only signal.
func (e *worker) warnNumber(sig int) bool {
	if e.drift.warnedGauge[sig].CompareAndSwap(false, true) {
		e.logger.Warn("a drift rule reads a signal that arrives as a gauge or sum; drift needs histogram points, these are counted invalid_value",
			zap.String("signal", e.signals.names[sig]))
	}
	return true
}

// driftPoint is one histogram point as drift windows take it.
type driftPoint struct {
	t      int64
	attrs  pcommon.Map
	exp    bool
	bounds []float64
	counts []uint64
	count  uint64
	ep     drift.ExpPoint
}

// driftExplicit feeds an explicit histogram point (deltas of a cumulative
// stream) to the drift rules of signal sig. It returns the point's outcome
// and whether the point goes on to the signal's other rules (false for an
// invalid point). Callers check e.drift != nil first, so that a histogram
// signal without drift rules pays one nil check.
func (e *worker) driftExplicit(m *model, sig int, t int64, attrs pcommon.Map, bounds []float64, counts []uint64, count uint64, scale float64) (telemetry.Outcome, bool) {
	if len(e.drift.bySignal[sig]) == 0 || count == 0 {
		return telemetry.Matched, true
	}
	if drift.CheckPoint(bounds, counts, count) != nil {
		return telemetry.InvalidValue, false
	}
	p := driftPoint{t: t, attrs: attrs, bounds: e.ds.scaled(bounds, scale), counts: counts, count: count}
	return e.driftFeed(m, sig, &p), true
}

// driftExponential feeds an exponential histogram point as driftExplicit
// does; pos are its positive buckets (deltas of a cumulative stream). The
// negative buckets are read from a delta point only: cumulative streams keep
// the positive buckets, so a cumulative point with negative observations is
// counted invalid_value.
func (e *worker) driftExponential(m *model, sig int, t int64, attrs pcommon.Map, scale int32, zero uint64, offset int32, pos []uint64, cumulative bool, neg pmetric.ExponentialHistogramDataPointBuckets, count uint64) (telemetry.Outcome, bool) {
	if len(e.drift.bySignal[sig]) == 0 || count == 0 {
		return telemetry.Matched, true
	}
	d := &e.ds
	d.neg = d.neg[:0]
	for i := 0; i < neg.BucketCounts().Len(); i++ {
		d.neg = append(d.neg, neg.BucketCounts().At(i))
	}
	if cumulative {
		for _, c := range d.neg {
			if c > 0 {
				return telemetry.InvalidValue, false
			}
		}
		d.neg = d.neg[:0]
	}
	p := driftPoint{t: t, attrs: attrs, exp: true, count: count, ep: drift.ExpPoint{
		Scale: scale, ZeroCount: zero, PositiveOffset: offset, Positive: pos,
		NegativeOffset: neg.Offset(), Negative: d.neg, Count: count,
	}}
	if !validExp(&p.ep) {
		return telemetry.InvalidValue, false
	}
	return e.driftFeed(m, sig, &p), true
}

// validExp checks what drift.Window would refuse of an exponential point,
// before any window takes it: a scale OpenTelemetry allows, bounded bucket
// counts, and buckets adding up to the count.
func validExp(p *drift.ExpPoint) bool {
	if p.Scale < drift.MinScale || p.Scale > drift.MaxScale || len(p.Positive) > drift.MaxBounds || len(p.Negative) > drift.MaxBounds {
		return false
	}
	sum := p.ZeroCount
	for _, b := range [2][]uint64{p.Positive, p.Negative} {
		for _, c := range b {
			if sum+c < sum {
				return false
			}
			sum += c
		}
	}
	return sum == p.Count
}

// scaled returns bounds in the signal's unit (milliseconds for time units),
// as the other windows keep them.
func (d *driftScratch) scaled(bounds []float64, scale float64) []float64 {
	if scale == 1 || scale <= 0 {
		return bounds
	}
	d.bounds = d.bounds[:0]
	for _, b := range bounds {
		d.bounds = append(d.bounds, b*scale)
	}
	return d.bounds
}

// worse ranks outcomes: a point refused by one drift rule is counted as
// refused, the most serious refusal first.
func worse(a, b telemetry.Outcome) telemetry.Outcome {
	rank := func(o telemetry.Outcome) int {
		switch o {
		case telemetry.InvalidValue:
			return 3
		case telemetry.OverLimit:
			return 2
		case telemetry.Late:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// driftFeed adds a valid point to the window of each drift rule of sig for
// the point's group and evaluates the rule there.
func (e *worker) driftFeed(m *model, sig int, p *driftPoint) telemetry.Outcome {
	d := e.drift
	if m.drift == nil {
		m.drift = &modelDrift{rules: make([]driftRuleState, len(d.rules))}
	}
	outcome := telemetry.Matched
	for _, ri := range d.bySignal[sig] {
		r := e.rules[ri]
		g, o := e.driftGroupFor(m, r, p.attrs)
		if g == nil {
			outcome = worse(outcome, o)
			continue
		}
		var err error
		if p.exp {
			err = g.win.AddExponential(p.t, &p.ep)
		} else {
			err = g.win.AddExplicit(p.t, p.bounds, p.counts, p.count)
		}
		if err != nil {
			outcome = worse(outcome, e.driftRefusal(r, err))
			continue
		}
		g.last = max(g.last, p.t)
		if err := e.evaluateDrift(m, r, g, p.t); err != nil {
			outcome = worse(outcome, e.driftRefusal(r, err))
		}
	}
	return outcome
}

// driftRefusal is the outcome of a point a drift window or comparison
// refused; grids that cannot be merged are logged once per rule.
func (e *worker) driftRefusal(r *rule, err error) telemetry.Outcome {
	switch {
	case errors.Is(err, drift.ErrLate):
		return telemetry.Late
	case errors.Is(err, drift.ErrIncompatibleBounds), errors.Is(err, drift.ErrLayout):
		if e.drift.warned[r.dist.index].CompareAndSwap(false, true) {
			e.logger.Warn("a drift rule got histograms whose buckets cannot be compared; such points are counted invalid_value",
				zap.String("rule", r.name), zap.String("signal", r.signal), zap.Error(err))
		}
	}
	return telemetry.InvalidValue
}

// driftGroupFor returns the group of a point's attributes for rule r,
// creating it; nil with the outcome when the group cannot be had (max_groups
// reached, or a value longer than a model-key value may be).
func (e *worker) driftGroupFor(m *model, r *rule, attrs pcommon.Map) (*driftGroup, telemetry.Outcome) {
	d, ds := e.drift, &e.ds
	st := &m.drift.rules[r.dist.index]
	ds.key = ds.key[:0]
	for _, name := range r.dist.groupBy {
		if v, ok := attrs.Get(name); ok {
			s := v.Str()
			if v.Type() != pcommon.ValueTypeStr {
				s = v.AsString()
			}
			if len(s) > identity.MaxValueLen {
				return nil, telemetry.InvalidValue
			}
			ds.key = append(ds.key, s...)
		}
		ds.key = append(ds.key, 0xff)
	}
	if g, ok := st.groups[string(ds.key)]; ok {
		return g, telemetry.Matched
	}
	if len(st.order) >= r.dist.maxGroups {
		if d.warnedLimit[r.dist.index].CompareAndSwap(false, true) {
			e.logger.Warn("max_groups reached: points of further groups are not evaluated by this drift rule",
				zap.String("rule", r.name), zap.Int("max_groups", r.dist.maxGroups), zap.String("model", m.key.ID))
		}
		return nil, telemetry.OverLimit
	}
	g := &driftGroup{win: drift.NewWindow(e.cfg.Window.Size, e.cfg.Window.Duration)}
	if len(r.dist.groupBy) > 0 {
		g.attrs = make([]modelevent.Attribute, len(r.dist.groupBy))
		for i, name := range r.dist.groupBy {
			g.attrs[i].Key = name
			if v, ok := attrs.Get(name); ok {
				g.attrs[i].Value = v.AsString()
			}
		}
	}
	g.rs.alertID = modelevent.AlertID(r.name, m.key.Attrs, g.attrs...)
	g.rs.det = e.detector(r.dist.ri, r)
	g.key = string(ds.key)
	if r.dist.ref == drift.PreviousVersion {
		g.versionsKey = e.versionsKey(m, r, ds.key)
		d.versionsMu.Lock()
		g.versions = d.versions[g.versionsKey]
		if g.versions == nil {
			g.versions = &drift.Versions{}
			d.versions[g.versionsKey] = g.versions
		}
		d.versionsMu.Unlock()
	}
	if st.groups == nil {
		st.groups = map[string]*driftGroup{}
	}
	st.groups[g.key] = g
	st.order = append(st.order, g)
	return g, telemetry.Matched
}

// versionsKey names the previous_version memory of rule r, m's model name
// (its key without the version) and a group.
func (e *worker) versionsKey(m *model, r *rule, group []byte) string {
	b := strconv.AppendInt(nil, int64(r.dist.index), 10)
	for i, a := range m.key.Attrs {
		if i == e.drift.versionAt {
			continue
		}
		b = append(b, 0xfe)
		b = append(b, a.Value...)
	}
	b = append(b, 0xfd)
	return string(append(b, group...))
}

// version is m's model.version.
func (e *engine) version(m *model) string {
	if at := e.drift.versionAt; at >= 0 && at < len(m.key.Attrs) {
		return m.key.Attrs[at].Value
	}
	return ""
}

// evaluateDrift compares the group's window with its reference at data time
// t and steps the group's lifecycle there. It returns the comparison's error
// when the point made the distributions incomparable.
func (e *worker) evaluateDrift(m *model, r *rule, g *driftGroup, t int64) error {
	e.advanceDrift(m, r, g, t)
	rs := &g.rs
	n := g.win.Len()
	rs.samples, rs.winStart, rs.winEnd = n, g.win.Start(), g.win.End()
	cur := g.win.Hist()
	full := n >= r.minSamples
	ref, ok := e.driftReference(m, r, g, cur, n, t)
	var cmpErr error
	switch {
	case !full || !ok:
		rs.cond = rs.cond && rs.restored
	default:
		res, err := drift.Compare(r.dist.dist, cur, ref, &e.ds.scratch)
		if err != nil {
			// Too little to compare (an empty side, wasserstein without a
			// finite bucket) says nothing; other errors are the point's.
			if !errors.Is(err, drift.ErrEmpty) && !errors.Is(err, drift.ErrTooFewBounds) {
				cmpErr = err
			}
			break
		}
		g.res = res
		rs.restored = false
		rs.res = rs.det.Observe(strategy.Input{Value: res.Value, Time: time.Unix(0, t), Active: isActive(&rs.tracker)})
		if !rs.evaluated {
			rs.evaluated = true
			m.changes++
		}
		rs.cond = rs.res.Ready && rs.res.Breach
	}
	e.stepDrift(m, r, g, t)
	return cmpErr
}

// driftReference returns what the group's window is compared with.
func (e *worker) driftReference(m *model, r *rule, g *driftGroup, cur *drift.Hist, n int, t int64) (*drift.Hist, bool) {
	switch r.dist.ref {
	case drift.Pinned:
		return r.dist.pinned, r.dist.pinned != nil
	case drift.PreviousVersion:
		v := e.version(m)
		g.versions.Observe(v, cur, n >= r.minSamples)
		ref, from, ok := g.versions.Reference(v)
		g.refFrom = from
		return ref, ok
	}
	g.learned.Offer(cur, n, r.minSamples, t)
	return g.learned.Reference()
}

// advanceDrift makes the group's transitions due up to limit, as advance
// does for a model's rules.
func (e *worker) advanceDrift(m *model, r *rule, g *driftGroup, limit int64) {
	for range 3 {
		at, ok := g.rs.tracker.Due(r.forDur, r.keepFiring)
		if !ok || at > limit {
			return
		}
		e.stepDrift(m, r, g, at)
	}
}

// stepDrift steps the group's lifecycle at data time at, as step does.
func (e *worker) stepDrift(m *model, r *rule, g *driftGroup, at int64) {
	rs := &g.rs
	activeBefore := rs.tracker.ActiveAt()
	tr := rs.tracker.Step(rs.cond, time.Unix(0, at), r.forDur, r.keepFiring)
	when := time.Unix(0, rs.tracker.Last()).UTC()
	switch tr {
	case alertstate.None:
		return
	case alertstate.ToFiring:
		e.emit(m, e.driftViolation(m, r, g, modelevent.StateFiring, when, rs.tracker.ActiveAt(), ""))
	case alertstate.Resolved:
		e.emit(m, e.driftViolation(m, r, g, modelevent.StateResolved, when, activeBefore, ""))
	}
	m.changes++
}

// driftViolation is the event of a group's transition: the rule's event
// plus the group attributes, the reference and the buckets that moved most.
func (e *worker) driftViolation(m *model, r *rule, g *driftGroup, state modelevent.State, at, startedAt time.Time, reason string) *modelevent.Violation {
	v := e.violation(m, r, &g.rs, state, at, startedAt, reason)
	v.Group = g.attrs
	top := g.res.Buckets()
	dv := &modelevent.Drift{Reference: r.dist.ref.String(), ReferenceVersion: g.refFrom, Buckets: make([]string, len(top))}
	for i, b := range top {
		dv.Buckets[i] = b.String()
	}
	v.Drift = dv
	if len(r.annotations) > 0 {
		// Templates see the group attributes beside the model key, e.g.
		// {{ index .Key "feature.name" }}.
		key := make(map[string]string, len(m.key.Attrs)+len(g.attrs))
		for _, a := range m.key.Attrs {
			key[a.Key] = a.Value
		}
		for _, a := range g.attrs {
			key[a.Key] = a.Value
		}
		v.Annotations = r.render(&templateData{
			Rule: r.name, Signal: r.signal, Model: m.key.ID, Key: key, Aggregation: v.Aggregation,
			Observed: v.Observed, Threshold: v.Threshold, State: string(state),
		})
	}
	return v
}

// tickDrift advances m's drift lifecycles to limit, and drops a group that
// sent nothing for stale_after while its model goes on (a feature that was
// removed), resolving its alert as expired.
func (e *worker) tickDrift(m *model, limit int64) {
	if m.drift == nil {
		return
	}
	for i, ri := range e.drift.rules {
		r, st := e.rules[ri], &m.drift.rules[i]
		kept := st.order[:0]
		for _, g := range st.order {
			e.advanceDrift(m, r, g, limit)
			if g.last+int64(e.cfg.StaleAfter) <= limit {
				e.dropGroup(m, r, st, g, g.last+int64(e.cfg.StaleAfter))
				continue
			}
			kept = append(kept, g)
		}
		clear(st.order[len(kept):])
		st.order = kept
	}
}

// evictDrift resolves m's firing drift alerts as expired at data time at
// and forgets its groups, as evict does for the model's rules.
func (e *worker) evictDrift(m *model, at int64) {
	if m.drift == nil {
		return
	}
	for i, ri := range e.drift.rules {
		r, st := e.rules[ri], &m.drift.rules[i]
		for _, g := range st.order {
			e.dropGroup(m, r, st, g, at)
		}
		st.order = nil
	}
	m.drift = nil
}

// dropGroup forgets one group; a firing alert resolves as expired. The
// caller removes g from st.order.
func (e *worker) dropGroup(m *model, r *rule, st *driftRuleState, g *driftGroup, at int64) {
	activeAt := g.rs.tracker.ActiveAt()
	if g.rs.tracker.ForceResolve() {
		when := time.Unix(0, max(at, g.rs.tracker.Last())).UTC()
		e.emit(m, e.driftViolation(m, r, g, modelevent.StateResolved, when, activeAt, modelevent.ResolvedExpired))
		m.changes++
	}
	delete(st.groups, g.key)
	if g.versions != nil {
		g.versions.Forget(e.version(m))
		if g.versions.Len() == 0 {
			e.drift.versionsMu.Lock()
			delete(e.drift.versions, g.versionsKey)
			e.drift.versionsMu.Unlock()
		}
	}
}

// restoreDrift puts a saved firing drift alert back on its group. It keeps
// firing until the group's window can be compared again (min_samples points
// after the restart, and for a learned reference a reference learnt anew
// from them), then resolves or goes on as the data says. The caller holds
// mu. It reports false when the group is beyond max_groups.
func (e *worker) restoreDrift(m *model, r *rule, v *modelevent.Violation) bool {
	if m.drift == nil {
		m.drift = &modelDrift{rules: make([]driftRuleState, len(e.drift.rules))}
	}
	attrs := pcommon.NewMap()
	for _, a := range v.Group {
		attrs.PutStr(a.Key, a.Value)
	}
	g, _ := e.driftGroupFor(m, r, attrs)
	if g == nil {
		return false
	}
	rs := &g.rs
	rs.tracker.Restore(v.StartedAt)
	rs.alertID = v.AlertID
	rs.cond, rs.restored = true, true
	rs.res = strategy.Result{Breach: true, Ready: true, Observed: v.Observed, Threshold: v.Threshold}
	rs.samples = int(v.WindowSamples)
	if !v.WindowEnd.IsZero() {
		rs.winStart, rs.winEnd = v.WindowStart.UnixNano(), v.WindowEnd.UnixNano()
	}
	g.last = v.Time.UnixNano()
	if v.Drift != nil {
		g.refFrom = v.Drift.ReferenceVersion
	}
	return true
}
