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

// evaluate steps every rule of m. fromBatch re-evaluates the conditions of
// signals fed in the current batch; otherwise (the ticker) the last
// conditions stand and only time advances. The caller holds mu.
func (e *engine) evaluate(m *model, now time.Time, fromBatch bool, ev *eventBatch) {
	for ri, r := range e.rules {
		rs := &m.rules[ri]
		evaluated := rs.evaluated
		// An event's time is the data-point time that caused it; without new
		// data (the ticker, no_data) it is the evaluation time.
		at := now
		switch {
		case r.noData():
			e.evaluateAbsence(m, r, rs, now)
			if fromBatch && (r.sig < 0 || m.signals[r.sig].batch == e.batch) {
				// Data that ends an absence is the cause of the resolution.
				at = time.Unix(0, m.newest(r.sig, e.batch)).UTC()
			}
		case fromBatch && m.signals[r.sig].batch == e.batch:
			at = time.Unix(0, m.signals[r.sig].newest).UTC()
			e.evaluateValue(m, r, rs)
		}
		if rs.evaluated != evaluated {
			// A rule's first value is a new health series, shown at once
			// like a state change (health_metrics_interval).
			m.changes++
		}
		e.step(m, r, rs, now, at, ev)
	}
}

func (e *engine) evaluateAbsence(m *model, r *rule, rs *ruleState, now time.Time) {
	last := m.lastSeen
	if r.sig >= 0 {
		last = m.signals[r.sig].lastSeen
	}
	if last.IsZero() {
		// The model never sent this signal: absence of something never seen
		// is not an outage.
		rs.cond = false
		return
	}
	age := now.Sub(last)
	rs.cond = age >= r.absentFor
	rs.res = strategy.Result{Breach: rs.cond, Ready: true, Observed: age.Seconds(), Threshold: r.threshold}
	rs.evaluated = true
}

func (e *engine) evaluateValue(m *model, r *rule, rs *ruleState) {
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
		if !r.perPoint {
			rs.cond = observeRestored(rs, v, end)
			return
		}
	}
	if r.perPoint {
		rs.cond = rs.breach
		if rs.breach {
			rs.res = rs.breachRes
		}
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
// has passed: the window then holds what it would have without the restart.
// The ticker calls it, keeping the check off the path of every batch.
func endHold(m *model, now time.Time) {
	if m.holdUntil == 0 || now.UnixNano() < m.holdUntil {
		return
	}
	m.holdUntil = 0
	for i := range m.rules {
		m.rules[i].restored = false
	}
}

// step advances one lifecycle and records the event of a transition to
// firing or to resolved; pending and its clearing are visible in health
// metrics only, like Prometheus' ALERTS series.
func (e *engine) step(m *model, r *rule, rs *ruleState, now, at time.Time, ev *eventBatch) {
	activeBefore := rs.tracker.ActiveAt()
	tr := rs.tracker.Step(rs.cond, now, r.forDur, r.keepFiring)
	if tr != alertstate.None {
		// Every transition changes the state health metrics report.
		m.changes++
	}
	switch tr {
	case alertstate.ToFiring:
		ev.add(m, e.violation(m, r, rs, modelevent.StateFiring, at, rs.tracker.ActiveAt(), ""))
	case alertstate.Resolved:
		ev.add(m, e.violation(m, r, rs, modelevent.StateResolved, at, activeBefore, ""))
		if rs.det != nil {
			// Adaptive strategies relearn normal after an incident.
			rs.det.Reset()
		}
	}
}

// evict forgets a model that sent nothing for stale_after; its firing alerts
// resolve with reason expired so that no alert is left open downstream.
func (e *engine) evict(m *model, now time.Time, ev *eventBatch) {
	for ri, r := range e.rules {
		rs := &m.rules[ri]
		activeAt := rs.tracker.ActiveAt()
		if rs.tracker.ForceResolve() {
			ev.add(m, e.violation(m, r, rs, modelevent.StateResolved, now, activeAt, modelevent.ResolvedExpired))
		}
	}
	e.models.Delete(m.key)
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

func (e *engine) violation(m *model, r *rule, rs *ruleState, state modelevent.State, at, startedAt time.Time, reason string) *modelevent.Violation {
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
		Aggregation:    r.agg.String(),
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
