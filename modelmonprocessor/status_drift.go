package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
)

// The status page's view of drift rules: a drift rule has no state of its
// own per model but one per group, so the fleet shows each drift rule's
// worst group, the alerts list has one alert per active group, and a
// model's page draws every group's window against its reference.

// scanDrift adds m's active drift groups to the fleet scan and returns
// m's worst state over them. The caller holds mu.
func (e *engine) scanDrift(m *model, worst alertstate.State, c *status.Counts, alerts []alertRow) (alertstate.State, []alertRow) {
	if m.drift == nil {
		return worst, alerts
	}
	for i, ri := range e.drift.rules {
		for _, g := range m.drift.rules[i].order {
			st := g.rs.tracker.State()
			if st == alertstate.Inactive {
				continue
			}
			worst = tallyAlert(st, worst, c)
			alerts = append(alerts, alertRow{m: m, id: m.key.ID, rule: ri, group: g, state: st, activeAt: g.rs.tracker.ActiveAt().UnixNano()})
		}
	}
	return worst, alerts
}

// driftRuleStatus sums up drift rule r's groups for m in one rule status:
// the worst group's (by state, then distance), so that the fleet shows a
// drifting feature however many are quiet. The caller holds mu.
func (e *engine) driftRuleStatus(m *model, r *rule) (status.RuleStatus, alertstate.State) {
	st := status.RuleStatus{Rule: r.name, Signal: r.signal, State: status.StateInactive, Threshold: r.threshold}
	if m.drift == nil {
		return st, alertstate.Inactive
	}
	var worst *driftGroup
	for _, g := range m.drift.rules[r.dist.index].order {
		if worst == nil || driftGroupOrder(g, worst) < 0 {
			worst = g
		}
	}
	if worst == nil {
		return st, alertstate.Inactive
	}
	return driftGroupRuleStatus(r, worst), worst.rs.tracker.State()
}

func driftGroupRuleStatus(r *rule, g *driftGroup) status.RuleStatus {
	rs := &g.rs
	st := status.RuleStatus{
		Rule: r.name, Signal: r.signal, State: rs.tracker.State().String(),
		Evaluated: rs.evaluated, Samples: rs.samples, Threshold: r.threshold,
	}
	if rs.evaluated || rs.restored {
		st.Value, st.Threshold = rs.res.Observed, rs.res.Threshold
	}
	if rs.tracker.State() != alertstate.Inactive {
		st.ActiveAt = rs.tracker.ActiveAt()
	}
	return st
}

// driftGroupOrder puts the worst state first, then the larger distance,
// then an evaluated group before one without a verdict.
func driftGroupOrder(a, b *driftGroup) int {
	return cmp.Or(
		cmp.Compare(b.rs.tracker.State(), a.rs.tracker.State()),
		boolOrder(b.rs.evaluated, a.rs.evaluated),
		cmp.Compare(b.rs.res.Observed, a.rs.res.Observed))
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// statusDrift copies m's drift groups for its page, the worst first, at
// most status.MaxDriftGroups, each with its bars: the window's and the
// reference's counts, laid onto one grid in the engine's comparison
// buffers, summed down to status.MaxDriftBuckets runs and then made
// shares, so that the copy is small whatever the grid. The caller holds mu.
func (e *engine) statusDrift(m *model) (groups []status.DriftGroup, total int) {
	if m.drift == nil {
		return nil, 0
	}
	type ref struct {
		r *rule
		g *driftGroup
	}
	var all []ref
	for i, ri := range e.drift.rules {
		for _, g := range m.drift.rules[i].order {
			all = append(all, ref{e.rules[ri], g})
		}
	}
	// Stable: equal groups keep rule, then creation order.
	slices.SortStableFunc(all, func(a, b ref) int { return driftGroupOrder(a.g, b.g) })
	total = len(all)
	all = all[:min(len(all), status.MaxDriftGroups)]
	groups = make([]status.DriftGroup, len(all))
	for i, x := range all {
		groups[i] = driftGroupStatus(x.r, x.g)
		refHist, ok := e.currentReference(m, x.r, x.g)
		if !ok || x.g.win.Len() == 0 {
			continue
		}
		if bounds, cur, rc, err := e.drift.statusScratch.Align(x.g.win.Hist(), refHist); err == nil {
			groups[i].Buckets, groups[i].Merged = mergeBuckets(bounds, cur, rc)
		}
	}
	return groups, total
}

// driftGroupStatus copies one group's state. The caller holds mu.
func driftGroupStatus(r *rule, g *driftGroup) status.DriftGroup {
	rs := driftGroupRuleStatus(r, g)
	dg := status.DriftGroup{
		Rule: r.name, Signal: r.signal, Aggregation: r.aggregationName(),
		Group: make([]status.Label, len(g.attrs)), AlertID: g.rs.alertID,
		State: rs.State, Evaluated: rs.Evaluated, Distance: rs.Value, Threshold: rs.Threshold,
		Samples: rs.Samples, ActiveAt: rs.ActiveAt,
		Reference: r.dist.ref.String(),
	}
	if r.dist.ref == drift.PreviousVersion {
		dg.ReferenceVersion = g.refFrom
	}
	for i, a := range g.attrs {
		dg.Group[i] = status.Label{Name: a.Key, Value: a.Value}
	}
	for _, b := range g.res.Buckets() {
		dg.Top = append(dg.Top, status.DriftBucket{Lower: b.Lower, Upper: b.Upper, Cur: b.Cur, Ref: b.Ref, Contribution: b.Contribution})
	}
	return dg
}

// currentReference is what the group's window is compared with now,
// without changing any state (driftReference records the window too).
func (e *engine) currentReference(m *model, r *rule, g *driftGroup) (*drift.Hist, bool) {
	switch r.dist.ref {
	case drift.Pinned:
		return r.dist.pinned, r.dist.pinned != nil
	case drift.PreviousVersion:
		if g.versions == nil {
			return nil, false
		}
		ref, _, ok := g.versions.Reference(e.version(m))
		return ref, ok
	}
	return g.learned.Reference()
}

// mergeBuckets sums runs of adjacent buckets of the two sides' counts so
// that at most status.MaxDriftBuckets remain, as shares of each side's total; it returns
// them and how many buckets each run holds. Sides without a positive,
// finite total give no bars.
func mergeBuckets(bounds, cur, ref []float64) ([]status.DriftBucket, int) {
	const limit = status.MaxDriftBuckets
	n := len(cur)
	if n == 0 || len(ref) != n {
		return nil, 0
	}
	k := (n + limit - 1) / limit
	out := make([]status.DriftBucket, 0, (n+k-1)/k)
	var curTotal, refTotal float64
	for lo := 0; lo < n; lo += k {
		hi := min(lo+k, n)
		b := status.DriftBucket{Lower: bucketBound(bounds, lo-1), Upper: bucketBound(bounds, hi-1)}
		for j := lo; j < hi; j++ {
			b.Cur += cur[j]
			b.Ref += ref[j]
		}
		curTotal += b.Cur
		refTotal += b.Ref
		out = append(out, b)
	}
	if !(curTotal > 0) || !(refTotal > 0) || math.IsInf(curTotal, 0) || math.IsInf(refTotal, 0) {
		return nil, 0
	}
	for i := range out {
		out[i].Cur /= curTotal
		out[i].Ref /= refTotal
	}
	return out, k
}

// bucketBound is the upper bound of bucket i: −Inf below the first, +Inf
// for the last.
func bucketBound(bounds []float64, i int) float64 {
	switch {
	case i < 0:
		return math.Inf(-1)
	case i >= len(bounds):
		return math.Inf(1)
	}
	return bounds[i]
}

// statusDriftAlert copies one active drift group and the data its
// annotations are rendered from, as driftViolation renders them. The
// caller holds mu.
func (e *engine) statusDriftAlert(m *model, r *rule, g *driftGroup, now time.Time) (status.Alert, templateData) {
	rs := &g.rs
	a := status.Alert{
		ID: rs.alertID, Rule: r.name, Signal: r.signal, Kind: string(r.kind), Model: m.key.ID,
		Labels: make([]status.Label, 0, len(m.key.Attrs)+len(g.attrs)), State: rs.tracker.State().String(),
		Severity: string(r.severity), ActiveAt: rs.tracker.ActiveAt(), For: r.forDur,
		Clock: time.Unix(0, m.clockAt(now.UnixNano())).UTC(),
		Value: rs.res.Observed, Threshold: rs.res.Threshold, Comparison: string(modelevent.ComparisonAbove),
	}
	key := make(map[string]string, len(m.key.Attrs)+len(g.attrs))
	for _, kv := range m.key.Attrs {
		a.Labels = append(a.Labels, status.Label{Name: kv.Key, Value: kv.Value})
		key[kv.Key] = kv.Value
	}
	for _, kv := range g.attrs {
		a.Labels = append(a.Labels, status.Label{Name: kv.Key, Value: kv.Value})
		key[kv.Key] = kv.Value
	}
	d := templateData{
		Rule: r.name, Signal: r.signal, Model: m.key.ID, Key: key, Aggregation: r.aggregationName(),
		Observed: a.Value, Threshold: a.Threshold, State: a.State,
	}
	return a, d
}
