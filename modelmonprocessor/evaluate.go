package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

// noDataAggregation names what a no_data rule compares: the age of the
// newest point, in seconds.
const noDataAggregation = "age"

func isActive(t *alertstate.Tracker) bool { return t.State() != alertstate.Inactive }

// onPoint evaluates the rules reading signal sig of m at the time t of a
// point just admitted to the signal's window, whose value is v, and steps
// their lifecycles at t. Static rules evaluate at every point and adaptive
// rules on a raw value observe every point, so the same points give the same
// events however they are batched; adaptive rules on a window aggregate learn
// from one evaluation per evaluation_interval of data time. The caller holds
// mu.
func (e *worker) onPoint(m *model, sig int, t int64, v float64) {
	for _, ri := range e.rulesBySignal[sig] {
		r, rs := e.rules[ri], &m.rules[ri]
		if r.stepped {
			if rs.nextEval != 0 && t < rs.nextEval {
				continue
			}
			rs.nextEval = t + int64(e.cfg.EvaluationInterval)
		}
		// Transitions due before this point happen as the ticker would have
		// made them, with the condition as it was.
		e.advance(m, r, rs, t)
		evaluated := rs.evaluated
		if r.perPoint {
			e.observeValue(rs, v, t)
		} else {
			e.evaluateValue(m, r, rs)
		}
		if rs.evaluated != evaluated {
			// A rule's first value is a new health series, shown at once
			// like a state change (health_metrics_interval).
			m.changes++
		}
		e.step(m, r, rs, t)
	}
}

// present ends the absence a no_data rule reported: data of the signal it
// watches arrived at t. The caller holds mu.
func (e *worker) present(m *model, r *rule, rs *ruleState, t int64) {
	if !rs.cond && rs.tracker.State() == alertstate.Inactive {
		return
	}
	e.advance(m, r, rs, t)
	rs.cond = false
	rs.res = strategy.Result{Ready: true, Threshold: r.threshold}
	e.step(m, r, rs, t)
}

// absence starts the absence of a no_data rule once its signal's newest
// point is absent_for behind limit: at exactly that data time, so that the
// event does not depend on when the ticker looked. The caller holds mu.
func (e *worker) absence(m *model, r *rule, rs *ruleState, limit int64) {
	if rs.cond {
		return
	}
	last := m.lastData(r.sig)
	if last == 0 {
		// The model never sent this signal: absence of something never seen
		// is not an outage.
		return
	}
	at := last + int64(r.absentFor)
	if at > limit {
		return
	}
	rs.cond = true
	rs.res = strategy.Result{Breach: true, Ready: true, Observed: r.absentFor.Seconds(), Threshold: r.threshold}
	if !rs.evaluated {
		rs.evaluated = true
		m.changes++
	}
	e.step(m, r, rs, at)
}

// lastData is the newest data-point time of signal sig, or of the model when
// sig < 0.
func (m *model) lastData(sig int) int64 {
	if sig < 0 {
		return m.watermark
	}
	return m.signals[sig].lastData
}

// advance makes the transitions due up to limit with the last condition:
// a pending alert fires at ActiveAt + for, a kept alert resolves when
// keep_firing_for runs out. Each is stamped with the time it fell due. The
// caller holds mu.
func (e *worker) advance(m *model, r *rule, rs *ruleState, limit int64) {
	// Each due transition leaves a state with no due time, or one that the
	// other condition would need: two rounds suffice, a third is a guard.
	for range 3 {
		at, ok := rs.tracker.Due(r.forDur, r.keepFiring)
		if !ok || at > limit {
			return
		}
		if r.noData() && rs.cond {
			rs.res.Observed = float64(at-m.lastData(r.sig)) / float64(time.Second)
		}
		e.step(m, r, rs, at)
	}
}

// observeValue feeds a raw value to the detector of a rule that watches
// every point.
func (e *worker) observeValue(rs *ruleState, v float64, t int64) {
	if rs.restored {
		rs.cond = observeRestored(rs, v, t)
		return
	}
	rs.res = rs.det.Observe(strategy.Input{Value: v, Time: time.Unix(0, t), Active: isActive(&rs.tracker)})
	rs.evaluated = true
	rs.cond = rs.res.Ready && rs.res.Breach
}

func (e *worker) evaluateValue(m *model, r *rule, rs *ruleState) {
	v, n, start, end, ok := e.aggregate(m, r.sig, r.agg)
	rs.samples, rs.winStart, rs.winEnd = n, start, end
	if !ok || n < r.minSamples {
		// After a restart the window refills from nothing: too few samples
		// then say nothing about a restored alert, which keeps firing.
		rs.cond = rs.cond && rs.restored
		return
	}
	if rs.restored {
		rs.restored = false
		rs.cond = observeRestored(rs, v, end)
		return
	}
	rs.res = rs.det.Observe(strategy.Input{Value: v, Time: time.Unix(0, end), Active: isActive(&rs.tracker)})
	rs.evaluated = true
	rs.cond = rs.res.Ready && rs.res.Breach
}

// observeRestored feeds a value to the detector of a lifecycle restored from
// storage and reports whether it breached. A detector still warming up
// after the restart does not replace the verdict the restored alert fired
// with, so that its resolved event carries values, not zeros.
func observeRestored(rs *ruleState, v float64, t int64) (breach bool) {
	res := rs.det.Observe(strategy.Input{Value: v, Time: time.Unix(0, t), Active: isActive(&rs.tracker)})
	if res.Ready {
		rs.res = res
	}
	rs.evaluated = true
	return res.Ready && res.Breach
}

// endHold ends the hold of m's restored lifecycles once one window duration
// of data time has passed since the first data after the restore: the
// window then holds what it would have without the restart. The ticker
// calls it, keeping the check off the path of every batch.
func endHold(m *model, now int64) {
	if m.holdUntil <= 0 || now < m.holdUntil {
		return
	}
	m.holdUntil = 0
	for i := range m.rules {
		m.rules[i].restored = false
	}
}

// step advances one lifecycle at data time at and records the event of a
// transition to firing or to resolved; pending and its clearing are visible
// in health metrics only, like Prometheus' ALERTS series. A time behind the
// lifecycle's last step is taken as that step's: its clock never runs
// backwards.
func (e *worker) step(m *model, r *rule, rs *ruleState, at int64) {
	activeBefore := rs.tracker.ActiveAt()
	tr := rs.tracker.Step(rs.cond, time.Unix(0, at), r.forDur, r.keepFiring)
	if tr == alertstate.None {
		return
	}
	// Every transition changes the state health metrics report.
	m.changes++
	when := time.Unix(0, rs.tracker.Last()).UTC()
	switch tr {
	case alertstate.ToFiring:
		e.emit(m, e.violation(m, r, rs, modelevent.StateFiring, when, rs.tracker.ActiveAt(), ""))
	case alertstate.Resolved:
		e.emit(m, e.violation(m, r, rs, modelevent.StateResolved, when, activeBefore, ""))
		if rs.det != nil {
			// Adaptive strategies relearn normal after an incident.
			rs.det.Reset()
		}
	}
}

// tickModel advances m's lifecycles to its clock at arrival time now: due
// transitions, absences of no_data rules and, stale_after past its newest
// data, eviction. It reports whether m was evicted. The caller holds mu.
func (e *worker) tickModel(m *model, now int64) (evicted bool) {
	clock := m.clockAt(now)
	evictAt := m.watermark + int64(e.cfg.StaleAfter)
	limit := min(clock, evictAt)
	if m.ho != nil {
		// With handoff, a silent model may be served by another gateway now.
		var moved bool
		if limit, moved = e.ownedUntil(m, limit); moved {
			e.forget(m, false)
			return true
		}
	}
	endHold(m, limit)
	for ri, r := range e.rules {
		rs := &m.rules[ri]
		if r.noData() {
			e.absence(m, r, rs, limit)
		}
		e.advance(m, r, rs, limit)
	}
	e.tickDrift(m, limit)
	if limit < evictAt {
		return false
	}
	e.evict(m, evictAt)
	return true
}

// evict forgets a model that sent nothing for stale_after; its firing alerts
// resolve with reason expired, stale_after past its newest data, so that no
// alert is left open downstream.
func (e *worker) evict(m *model, at int64) {
	for ri, r := range e.rules {
		rs := &m.rules[ri]
		activeAt := rs.tracker.ActiveAt()
		when := time.Unix(0, max(at, rs.tracker.Last())).UTC()
		if rs.tracker.ForceResolve() {
			e.emit(m, e.violation(m, r, rs, modelevent.StateResolved, when, activeAt, modelevent.ResolvedExpired))
		}
	}
	e.evictDrift(m, at)
	e.forget(m, true)
}

func comparison(dir strategy.Direction, res *strategy.Result) modelevent.Comparison {
	switch dir {
	case strategy.Below:
		return modelevent.ComparisonBelow
	case strategy.Above:
		return modelevent.ComparisonAbove
	}
	// A two-sided detector's Observed is a statistic, not the value: the
	// detector itself says which side of its baseline the value moved to.
	if res.HasBaseline {
		if res.Side == strategy.Below {
			return modelevent.ComparisonBelow
		}
		return modelevent.ComparisonAbove
	}
	if res.Observed < res.Threshold {
		return modelevent.ComparisonBelow
	}
	return modelevent.ComparisonAbove
}

func (e *worker) violation(m *model, r *rule, rs *ruleState, state modelevent.State, at, startedAt time.Time, reason string) *modelevent.Violation {
	if rs.alertID == "" {
		rs.alertID = modelevent.AlertID(r.name, m.key.Attrs)
	}
	v := &modelevent.Violation{
		Time:           at,
		State:          state,
		AlertID:        rs.alertID,
		EventID:        newEventID(),
		StartedAt:      startedAt.UTC(),
		ModelKey:       m.key.Attrs,
		Rule:           r.name,
		Signal:         r.signal,
		Kind:           r.kind,
		Strategy:       r.strategy,
		Aggregation:    r.aggregationName(),
		Comparison:     comparison(r.dir, &rs.res),
		Observed:       rs.res.Observed,
		Threshold:      rs.res.Threshold,
		WindowSamples:  int64(rs.samples),
		Severity:       r.severity,
		Actions:        r.actions,
		ResolvedReason: reason,
	}
	if r.noData() {
		v.Aggregation = noDataAggregation
	}
	if rs.winEnd != 0 {
		v.WindowStart, v.WindowEnd = time.Unix(0, rs.winStart).UTC(), time.Unix(0, rs.winEnd).UTC()
	}
	if rs.res.HasBaseline {
		v.Baseline = &modelevent.Baseline{Mean: rs.res.BaselineMean, Stddev: rs.res.BaselineStddev}
	}
	if len(r.annotations) > 0 {
		key := make(map[string]string, len(m.key.Attrs))
		for _, a := range m.key.Attrs {
			key[a.Key] = a.Value
		}
		v.Annotations = r.render(&templateData{
			Rule: r.name, Signal: r.signal, Model: m.key.ID, Key: key, Aggregation: v.Aggregation,
			Observed: v.Observed, Threshold: v.Threshold, State: string(state),
		})
	}
	return v
}
