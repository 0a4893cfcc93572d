package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstate"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// resolvedKept is how many recently resolved alerts the status page shows.
const resolvedKept = 50

// histQuantiles are the percentile lines drawn for a histogram signal.
var histQuantiles = []float64{0.5, 0.95, 0.99}

var histQuantileNames = []string{"p50", "p95", "p99"}

// statusBoard is the engine's side of the status page: its registrations
// with status extensions and the recently resolved alerts, which no model
// keeps (a resolved lifecycle is inactive like one that never fired).
type statusBoard struct {
	mu         sync.Mutex
	unregister []func()
	resolved   [resolvedKept]status.Alert
	next, n    int
	// rowsHint and alertsHint are the sizes of the last fleet scan.
	rowsHint, alertsHint int
}

// register offers e's state to every extension of host that shows it.
// Extensions start before pipelines, so they are all there.
func (b *statusBoard) register(e *engine, host component.Host) {
	if host == nil {
		return
	}
	src := &statusSource{e: e}
	for _, ext := range host.GetExtensions() {
		if r, ok := ext.(status.Registry); ok {
			u := r.Register(e.id, src)
			b.mu.Lock()
			b.unregister = append(b.unregister, u)
			b.mu.Unlock()
		}
	}
}

// unregisterAll withdraws e's state from the extensions it registered with.
func (b *statusBoard) unregisterAll() {
	b.mu.Lock()
	us := b.unregister
	b.unregister = nil
	b.mu.Unlock()
	for _, u := range us {
		u()
	}
}

// noteResolved keeps the resolved events of ev for the status page. Called
// with every batch of events; it costs nothing when none resolved.
func (b *statusBoard) noteResolved(ev *eventBatch) {
	if ev.resolved == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, rl := range ev.ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				v, err := modelevent.Decode(lr)
				if err != nil || v.State != modelevent.StateResolved {
					continue
				}
				b.resolved[b.next] = resolvedAlert(&v)
				b.next = (b.next + 1) % resolvedKept
				b.n = min(b.n+1, resolvedKept)
			}
		}
	}
}

func resolvedAlert(v *modelevent.Violation) status.Alert {
	a := status.Alert{
		ID: v.AlertID, Rule: v.Rule, Signal: v.Signal, Kind: string(v.Kind),
		Model: v.ModelID(), State: "resolved", Severity: string(v.Severity),
		ActiveAt: v.StartedAt, ResolvedAt: v.Time,
		Value: v.Observed, Threshold: v.Threshold, Comparison: string(v.Comparison),
	}
	for _, kv := range v.ModelKey {
		a.Labels = append(a.Labels, status.Label{Name: kv.Key, Value: kv.Value})
	}
	for _, kv := range v.Group {
		a.Labels = append(a.Labels, status.Label{Name: kv.Key, Value: kv.Value})
	}
	a.Annotations = sortedLabels(v.Annotations)
	return a
}

// recentResolved returns the kept resolved alerts, newest first.
func (b *statusBoard) recentResolved() []status.Alert {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]status.Alert, 0, b.n)
	for i := 1; i <= b.n; i++ {
		out = append(out, b.resolved[(b.next-i+resolvedKept)%resolvedKept])
	}
	return out
}

func sortedLabels(m map[string]string) []status.Label {
	if len(m) == 0 {
		return nil
	}
	out := make([]status.Label, 0, len(m))
	for k, v := range m {
		out = append(out, status.Label{Name: k, Value: v})
	}
	slices.SortFunc(out, func(a, b status.Label) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// statusSource is an engine seen through status.Source.
type statusSource struct{ e *engine }

var _ status.Source = (*statusSource)(nil)

// fleetRow is what the first, fleet-wide pass copies per model: enough to
// filter, count and sort without holding the lock.
type fleetRow struct {
	m     *model
	id    string
	worst alertstate.State
	seen  int64
}

// alertRow is one active lifecycle found in the first pass: a rule's for
// a model, or a drift rule's for one of the model's groups.
type alertRow struct {
	m        *model
	id       string
	rule     int
	group    *driftGroup
	state    alertstate.State
	activeAt int64
}

// Snapshot copies the state in two short holds of the engine's lock: one
// pass over the fleet copying a few words per model (counts, filter and sort
// keys), then, after sorting outside the lock, the details of one page of
// models and alerts. A model evicted between the two holds shows its last
// state.
func (s *statusSource) Snapshot(q status.Query) status.Snapshot {
	e := s.e
	snap := status.Snapshot{Rules: e.statusRules(), Resolved: e.status.recentResolved()}
	if q.Model != "" {
		// Every shard is held: the drift charts share one scratch.
		e.lockAll()
		snap.Taken = e.clock()
	find:
		for _, sh := range e.shards {
			for _, m := range sh.order {
				if m.key.ID == q.Model {
					sm := e.statusModel(m, snap.Taken, true)
					sm.Drift, sm.DriftGroups = e.statusDrift(m)
					snap.Models = []status.Model{sm}
					break find
				}
			}
		}
		e.unlockAll()
		snap.Matched = len(snap.Models)
		return snap
	}

	rows, alerts := e.scanFleet(q, &snap)
	snap.Matched, snap.AlertsTotal = len(rows), len(alerts)
	rows = page(smallest(rows, q, fleetOrder(q.Sort)), q)
	alerts = page(smallest(alerts, q, func(a, b alertRow) int {
		return cmp.Or(cmp.Compare(b.state, a.state), cmp.Compare(a.activeAt, b.activeAt),
			cmp.Compare(a.id, b.id), cmp.Compare(a.rule, b.rule), cmp.Compare(groupKey(a.group), groupKey(b.group)))
	}), q)

	e.lockAll()
	snap.Models = make([]status.Model, len(rows))
	for i, r := range rows {
		snap.Models[i] = e.statusModel(r.m, snap.Taken, false)
	}
	snap.Alerts = make([]status.Alert, len(alerts))
	data := make([]templateData, len(alerts))
	for i, a := range alerts {
		if a.group != nil {
			snap.Alerts[i], data[i] = e.statusDriftAlert(a.m, e.rules[a.rule], a.group, snap.Taken)
			continue
		}
		snap.Alerts[i], data[i] = e.statusAlert(a.m, a.rule, snap.Taken)
	}
	e.unlockAll()
	// Templates run outside the lock: rules do not change once compiled.
	for i, a := range alerts {
		snap.Alerts[i].Annotations = sortedLabels(e.rules[a.rule].render(&data[i]))
	}
	return snap
}

// groupKey orders alerts of one drift rule and model by group.
func groupKey(g *driftGroup) string {
	if g == nil {
		return ""
	}
	return g.key
}

// scanFleet is the first hold of the lock: one pass over the fleet
// copying counts, filter and sort keys, and the active lifecycles.
//
// The slices are sized from the previous scan before the lock is taken, so
// that the hold does not wait on allocating and zeroing them.
func (e *engine) scanFleet(q status.Query, snap *status.Snapshot) ([]fleetRow, []alertRow) {
	b := &e.status
	b.mu.Lock()
	rows := make([]fleetRow, 0, b.rowsHint+b.rowsHint/8)
	alerts := make([]alertRow, 0, b.alertsHint+b.alertsHint/8)
	b.mu.Unlock()
	snap.Taken = e.clock()
	c := &snap.Counts
	for _, sh := range e.shards {
		sh.mu.Lock()
		rows, alerts = e.scanShard(sh, q, c, rows, alerts)
		c.Models += len(sh.order)
		sh.mu.Unlock()
	}
	b.mu.Lock()
	b.rowsHint, b.alertsHint = c.Models, len(alerts)
	b.mu.Unlock()
	return rows, alerts
}

// scanShard adds the rows and active lifecycles of sh's models. The caller
// holds sh.
func (e *engine) scanShard(sh *shard, q status.Query, c *status.Counts, rows []fleetRow, alerts []alertRow) ([]fleetRow, []alertRow) {
	for _, m := range sh.order {
		worst := alertstate.Inactive
		for ri := range m.rules {
			t := &m.rules[ri].tracker
			st := t.State()
			if st == alertstate.Inactive {
				continue
			}
			worst = tallyAlert(st, worst, c)
			alerts = append(alerts, alertRow{m: m, id: m.key.ID, rule: ri, state: st, activeAt: t.ActiveAt().UnixNano()})
		}
		worst, alerts = e.scanDrift(m, worst, c, alerts)
		switch worst {
		case alertstate.Firing:
			c.Firing++
		case alertstate.Pending:
			c.Pending++
		default:
			c.Inactive++
		}
		if q.State == "" || q.State == worst.String() {
			rows = append(rows, fleetRow{m: m, id: m.key.ID, worst: worst, seen: m.anchor})
		}
	}
	return rows, alerts
}

func fleetOrder(by string) func(a, b fleetRow) int {
	switch by {
	case status.SortName:
		return func(a, b fleetRow) int { return cmp.Compare(a.id, b.id) }
	case status.SortLastSeen:
		return func(a, b fleetRow) int { return cmp.Or(cmp.Compare(b.seen, a.seen), cmp.Compare(a.id, b.id)) }
	}
	return func(a, b fleetRow) int { return cmp.Or(cmp.Compare(b.worst, a.worst), cmp.Compare(a.id, b.id)) }
}

// smallest orders the rows up to the end of the query's page: a page of 100
// out of 10k models keeps a heap of 100 instead of sorting 10k, and most
// rows cost one comparison with the heap's top. The rows after the page
// are left in no particular order.
func smallest[T any](rows []T, q status.Query, order func(a, b T) int) []T {
	k := max(q.Offset, 0) + q.PageLimit()
	if k >= len(rows)/4 {
		slices.SortFunc(rows, order)
		return rows
	}
	// rows[:k] becomes a max-heap of the k smallest seen so far.
	h := rows[:k]
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= k {
				return
			}
			if c+1 < k && order(h[c+1], h[c]) > 0 {
				c++
			}
			if order(h[c], h[i]) <= 0 {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for i := k; i < len(rows); i++ {
		if order(rows[i], h[0]) < 0 {
			h[0], rows[i] = rows[i], h[0]
			down(0)
		}
	}
	slices.SortFunc(h, order)
	return rows
}

// page returns the query's page of rows.
func page[T any](rows []T, q status.Query) []T {
	off := min(max(q.Offset, 0), len(rows))
	return rows[off:min(off+q.PageLimit(), len(rows))]
}

func (e *engine) statusRules() []status.Rule {
	out := make([]status.Rule, len(e.rules))
	for i, r := range e.rules {
		agg := r.aggregationName()
		if r.noData() {
			agg = noDataAggregation
		}
		out[i] = status.Rule{
			Name: r.name, Signal: r.signal, Kind: string(r.kind), Strategy: r.strategy, Aggregation: agg,
			Comparison: r.dir.String(), Threshold: r.threshold, HasThreshold: r.strategy == strategy.Static,
			For: r.forDur, KeepFiringFor: r.keepFiring, Severity: string(r.severity),
		}
	}
	return out
}

// statusModel copies one model; with windows, its signals too. The model's
// clock is read at the collector's time now. The caller holds mu.
func (e *engine) statusModel(m *model, now time.Time, windows bool) status.Model {
	sm := status.Model{
		ID:       m.key.ID,
		Labels:   make([]status.Label, len(m.key.Attrs)),
		State:    status.StateInactive,
		LastSeen: time.Unix(0, m.anchor).UTC(),
		LastData: time.Unix(0, m.watermark).UTC(),
		Clock:    time.Unix(0, m.clockAt(now.UnixNano())).UTC(),
		Rules:    make([]status.RuleStatus, len(e.rules)),
	}
	for i, a := range m.key.Attrs {
		sm.Labels[i] = status.Label{Name: a.Key, Value: a.Value}
	}
	worst := alertstate.Inactive
	for ri, r := range e.rules {
		if r.dist != nil {
			var st alertstate.State
			sm.Rules[ri], st = e.driftRuleStatus(m, r)
			worst = max(worst, st)
			continue
		}
		rs := &m.rules[ri]
		worst = max(worst, rs.tracker.State())
		sm.Rules[ri] = ruleStatus(r, rs)
	}
	sm.State = worst.String()
	if !windows {
		return sm
	}
	for k, v := range m.resource.Attributes().All() {
		sm.Resource = append(sm.Resource, status.Label{Name: k, Value: v.AsString()})
	}
	for sig, name := range e.signals.names {
		s := status.Signal{Name: name}
		if name == SignalLatency {
			s.Unit = "ms"
		}
		if slot := e.winSlot[sig]; slot >= 0 {
			s.Points = windowPoints(&m.wins[slot])
		}
		if h := m.signals[sig].hist; h != nil {
			s.Percentiles = histSeries(h)
		}
		for ri, r := range e.rules {
			// A drift rule's threshold is a distance, not in the
			// signal's units: its groups have charts of their own.
			if r.sig == sig && !r.noData() && r.dist == nil {
				s.Lines = append(s.Lines, sm.Rules[ri])
			}
		}
		if len(s.Points) > 0 || len(s.Percentiles) > 0 || len(s.Lines) > 0 {
			sm.Signals = append(sm.Signals, s)
		}
	}
	return sm
}

func windowPoints(w *scalarWindow) []status.Point {
	if w.Len() == 0 {
		return nil
	}
	ts, vs := w.AppendSamples(make([]int64, 0, w.Len()), make([]float64, 0, w.Len()))
	out := make([]status.Point, len(ts))
	for i := range ts {
		out[i] = status.Point{T: time.Unix(0, ts[i]).UTC(), V: vs[i]}
	}
	return out
}

func histSeries(h *window.HistWindow) []status.Series {
	if h.Len() == 0 {
		return nil
	}
	out := make([]status.Series, len(histQuantiles))
	for i := range out {
		out[i] = status.Series{Name: histQuantileNames[i], Points: make([]status.Point, 0, h.Len())}
	}
	h.EachPointQuantiles(histQuantiles, func(t int64, qs []float64, ok bool) {
		if !ok {
			return
		}
		for i, v := range qs {
			out[i].Points = append(out[i].Points, status.Point{T: time.Unix(0, t).UTC(), V: v})
		}
	})
	return out
}

func ruleStatus(r *rule, rs *ruleState) status.RuleStatus {
	st := status.RuleStatus{
		Rule: r.name, Signal: r.signal, State: rs.tracker.State().String(),
		Evaluated: rs.evaluated, Samples: rs.samples,
		Threshold: r.threshold,
	}
	if rs.evaluated {
		st.Value, st.Threshold = rs.res.Observed, rs.res.Threshold
	}
	if rs.tracker.State() != alertstate.Inactive {
		st.ActiveAt = rs.tracker.ActiveAt()
	}
	switch r.strategy {
	case strategy.CUSUM, strategy.PageHinkley:
		// Their value and threshold are a change statistic, not the signal:
		// the chart shows the learned reference, mean ± σ, instead.
		st.Statistic = true
		if rs.res.HasBaseline {
			m, sd := rs.res.BaselineMean, rs.res.BaselineStddev
			st.Band = &status.Band{Mean: m, Lo: m - sd, Hi: m + sd}
		}
	default:
		if rs.res.HasBaseline {
			// Baseline and EWMA bounds are symmetric around the reference
			// mean; the threshold is the side the rule watches.
			m := rs.res.BaselineMean
			d := rs.res.Threshold - m
			if d < 0 {
				d = -d
			}
			st.Band = &status.Band{Mean: m, Lo: m - d, Hi: m + d}
		}
	}
	return st
}

// statusAlert copies one active lifecycle and the data its annotations are
// rendered from. The caller holds mu.
func (e *engine) statusAlert(m *model, ri int, now time.Time) (status.Alert, templateData) {
	r, rs := e.rules[ri], &m.rules[ri]
	if rs.alertID == "" {
		rs.alertID = modelevent.AlertID(r.name, m.key.Attrs)
	}
	a := status.Alert{
		ID: rs.alertID, Rule: r.name, Signal: r.signal, Kind: string(r.kind), Model: m.key.ID,
		Labels: make([]status.Label, len(m.key.Attrs)), State: rs.tracker.State().String(),
		Severity: string(r.severity), ActiveAt: rs.tracker.ActiveAt(), For: r.forDur,
		Clock: time.Unix(0, m.clockAt(now.UnixNano())).UTC(),
		Value: rs.res.Observed, Threshold: rs.res.Threshold, Comparison: string(comparison(r.dir, &rs.res)),
	}
	key := make(map[string]string, len(m.key.Attrs))
	for i, kv := range m.key.Attrs {
		a.Labels[i] = status.Label{Name: kv.Key, Value: kv.Value}
		key[kv.Key] = kv.Value
	}
	agg := r.agg.String()
	if r.noData() {
		agg = noDataAggregation
	}
	d := templateData{
		Rule: r.name, Signal: r.signal, Model: m.key.ID, Key: key, Aggregation: agg,
		Observed: a.Value, Threshold: a.Threshold, State: a.State,
	}
	return a, d
}

// tallyAlert counts an active lifecycle of state st in the fleet counts and
// returns the worse of st and worst.
func tallyAlert(st, worst alertstate.State, c *status.Counts) alertstate.State {
	if st == alertstate.Firing {
		c.FiringAlerts++
	} else {
		c.PendingAlerts++
	}
	return max(worst, st)
}
