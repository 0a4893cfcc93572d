package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// maxText bounds every string from telemetry on a page (model names, label
// values, annotations): a 100 KiB label value shows its first characters,
// and a page's size stays a function of the page size alone.
const maxText = 200

// clip shortens s to maxText characters, marking the cut.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	n := 0
	for i := range s {
		if n == maxText {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// label is a name and value ready to show.
type label struct{ Name, Value string }

func labels(ls []status.Label) []label {
	out := make([]label, len(ls))
	for i, l := range ls {
		out[i] = label{clip(l.Name), clip(l.Value)}
	}
	return out
}

// pageBase is what every page's layout shows.
type pageBase struct {
	Title string
	Nav   string
	Now   string
	// Empty is true when no modelmon processor is registered.
	Empty bool
}

func base(title, nav string, now time.Time, n int) pageBase {
	return pageBase{Title: title, Nav: nav, Now: now.UTC().Format(time.RFC3339), Empty: n == 0}
}

// pager links to the neighbouring pages of a list.
type pager struct {
	From, To, Of int
	Prev, Next   string
}

func newPager(path string, req request, processor string, shown, total int) pager {
	q := req.query
	p := pager{From: min(q.Offset+1, total), To: q.Offset + shown, Of: total}
	link := func(off int) string {
		v := url.Values{}
		v.Set("processor", processor)
		if q.State != "" {
			v.Set("state", q.State)
		}
		if q.Sort != "" {
			v.Set("sort", q.Sort)
		}
		v.Set("offset", strconv.Itoa(off))
		v.Set("limit", strconv.Itoa(q.PageLimit()))
		return path + "?" + v.Encode()
	}
	if q.Offset > 0 {
		p.Prev = link(max(q.Offset-q.PageLimit(), 0))
	}
	if q.Offset+shown < total {
		p.Next = link(q.Offset + shown)
	}
	return p
}

// fleetPageView is the fleet page.
type fleetPageView struct {
	pageBase
	State, Sort string
	Sections    []fleetSection
}

type fleetSection struct {
	Processor string
	Counts    status.Counts
	Filters   []filterLink
	Sorts     []filterLink
	Rules     []string
	Models    []modelRow
	Pager     pager
}

type filterLink struct {
	Label, State, URL string
	Count             int
	Active            bool
}

type modelRow struct {
	ID, URL  string
	Labels   []label
	State    string
	LastSeen string
	Ago      string
	Rules    []ruleCell
}

type ruleCell struct {
	Rule, State, Value, Threshold, Comparison, Since string
	Samples                                          int
	Evaluated                                        bool
}

func fleetView(req request, snaps []snapshot, now time.Time) fleetPageView {
	v := fleetPageView{pageBase: base("Fleet", "fleet", now, len(snaps)), State: req.query.State, Sort: req.query.Sort}
	for _, s := range snaps {
		sec := fleetSection{Processor: s.ID, Counts: s.Snap.Counts}
		link := func(state, sort string) string {
			q := url.Values{}
			q.Set("processor", s.ID)
			if state != "" {
				q.Set("state", state)
			}
			if sort != "" {
				q.Set("sort", sort)
			}
			return "/?" + q.Encode()
		}
		c := s.Snap.Counts
		for _, f := range []struct {
			label, state string
			n            int
		}{{"all", "", c.Models}, {"firing", status.StateFiring, c.Firing}, {"pending", status.StatePending, c.Pending}, {"inactive", status.StateInactive, c.Inactive}} {
			sec.Filters = append(sec.Filters, filterLink{Label: f.label, State: f.state, URL: link(f.state, req.query.Sort), Count: f.n, Active: req.query.State == f.state})
		}
		for _, so := range []struct{ label, by string }{{"state", status.SortState}, {"name", status.SortName}, {"last seen", status.SortLastSeen}} {
			active := req.query.Sort == so.by || (req.query.Sort == "" && so.by == status.SortState)
			sec.Sorts = append(sec.Sorts, filterLink{Label: so.label, URL: link(req.query.State, so.by), Active: active})
		}
		comparison := map[string]string{}
		for _, r := range s.Snap.Rules {
			sec.Rules = append(sec.Rules, clip(r.Name))
			comparison[r.Name] = r.Comparison
		}
		for _, m := range s.Snap.Models {
			row := modelRow{
				ID: clip(m.ID), URL: modelURL(m.ID, s.ID), Labels: labels(m.Labels), State: m.State,
				LastSeen: m.LastSeen.UTC().Format(time.RFC3339), Ago: ago(now, m.LastSeen),
			}
			for _, r := range m.Rules {
				row.Rules = append(row.Rules, cell(r, comparison[r.Rule], modelClock(m.Clock, now)))
			}
			sec.Models = append(sec.Models, row)
		}
		sec.Pager = newPager("/", req, s.ID, len(s.Snap.Models), s.Snap.Matched)
		v.Sections = append(v.Sections, sec)
	}
	return v
}

func cell(r status.RuleStatus, comparison string, now time.Time) ruleCell {
	c := ruleCell{
		Rule: clip(r.Rule), State: r.State, Samples: r.Samples, Evaluated: r.Evaluated,
		Value: num(r.Value), Threshold: num(r.Threshold), Comparison: symbol(comparison, r.Value, r.Threshold),
	}
	if !r.ActiveAt.IsZero() {
		c.Since = ago(now, r.ActiveAt)
	}
	return c
}

// symbol is the comparison between a value and its threshold as the rule
// sees it: < for a rule watching the low side, > for the high side.
func symbol(comparison string, v, threshold float64) string {
	switch comparison {
	case "below":
		return "<"
	case "above":
		return ">"
	}
	if v < threshold {
		return "<"
	}
	return ">"
}

// alertsPageView is the alerts page.
type alertsPageView struct {
	pageBase
	Sections []alertsSection
}

type alertsSection struct {
	Processor string
	Counts    status.Counts
	Alerts    []alertRow
	Resolved  []alertRow
	Pager     pager
}

type alertRow struct {
	ID, Rule, Signal, Kind, Model, URL, State, Severity string
	Labels                                              []label
	Summary                                             string
	Annotations                                         []label
	Runbook                                             string
	Since, SinceAgo, Resolved, For                      string
	Value, Threshold, Comparison                        string
}

func alertsView(req request, snaps []snapshot, now time.Time) alertsPageView {
	v := alertsPageView{pageBase: base("Alerts", "alerts", now, len(snaps))}
	for _, s := range snaps {
		sec := alertsSection{Processor: s.ID, Counts: s.Snap.Counts}
		for _, a := range s.Snap.Alerts {
			sec.Alerts = append(sec.Alerts, alertView(a, s.ID, now))
		}
		for _, a := range s.Snap.Resolved {
			sec.Resolved = append(sec.Resolved, alertView(a, s.ID, now))
		}
		sec.Pager = newPager("/alerts", req, s.ID, len(s.Snap.Alerts), s.Snap.AlertsTotal)
		v.Sections = append(v.Sections, sec)
	}
	return v
}

func alertView(a status.Alert, processor string, now time.Time) alertRow {
	r := alertRow{
		ID: clip(a.ID), Rule: clip(a.Rule), Signal: clip(a.Signal), Kind: a.Kind, Model: clip(a.Model),
		URL: modelURL(a.Model, processor), State: a.State, Severity: a.Severity, Labels: labels(a.Labels),
		Since: a.ActiveAt.UTC().Format(time.RFC3339), SinceAgo: ago(modelClock(a.Clock, now), a.ActiveAt), For: a.For.String(),
		Value: num(a.Value), Threshold: num(a.Threshold), Comparison: symbol(a.Comparison, a.Value, a.Threshold),
	}
	if !a.ResolvedAt.IsZero() {
		r.Resolved = a.ResolvedAt.UTC().Format(time.RFC3339)
	}
	for _, an := range a.Annotations {
		switch an.Name {
		case "summary":
			r.Summary = clip(an.Value)
		case "runbook_url":
			// Only a web address becomes a link (html/template would also
			// refuse javascript: and the like); a very long one is cut,
			// so it is shown as text instead.
			if (strings.HasPrefix(an.Value, "https://") || strings.HasPrefix(an.Value, "http://")) && len(an.Value) <= 2048 {
				r.Runbook = an.Value
				continue
			}
			r.Annotations = append(r.Annotations, label{an.Name, clip(an.Value)})
		default:
			r.Annotations = append(r.Annotations, label{clip(an.Name), clip(an.Value)})
		}
	}
	return r
}

// modelPageView is one model's page.
type modelPageView struct {
	pageBase
	ID       string
	Sections []modelSection
}

type modelSection struct {
	Processor string
	State     string
	Labels    []label
	Resource  []label
	LastSeen  string
	Ago       string
	// LastData is the newest data-point time, the right end of the charts.
	LastData string
	Rules    []ruleCell
	Charts   []chart
	// Drift holds a chart per drift group; DriftNote says when the model
	// has more groups than are shown.
	Drift     []driftChart
	DriftNote string
}

func modelView(req request, snaps []snapshot, now time.Time) modelPageView {
	v := modelPageView{pageBase: base("Model "+clip(req.query.Model), "model", now, len(snaps)), ID: clip(req.query.Model)}
	v.Empty = false
	for _, s := range snaps {
		if len(s.Snap.Models) == 0 {
			continue
		}
		m := s.Snap.Models[0]
		sec := modelSection{
			Processor: s.ID, State: m.State, Labels: labels(m.Labels), Resource: labels(m.Resource),
			LastSeen: m.LastSeen.UTC().Format(time.RFC3339), Ago: ago(now, m.LastSeen),
		}
		if !m.LastData.IsZero() {
			sec.LastData = m.LastData.UTC().Format(time.RFC3339Nano)
		}
		comparison, static := map[string]string{}, map[string]bool{}
		for _, r := range s.Snap.Rules {
			comparison[r.Name], static[r.Name] = r.Comparison, r.HasThreshold
		}
		for _, r := range m.Rules {
			sec.Rules = append(sec.Rules, cell(r, comparison[r.Rule], modelClock(m.Clock, now)))
		}
		for _, sig := range m.Signals {
			sec.Charts = append(sec.Charts, newChart(sig, static))
		}
		drift := m.Drift[:min(len(m.Drift), status.MaxDriftGroups)]
		for _, g := range drift {
			sec.Drift = append(sec.Drift, newDriftChart(g, modelClock(m.Clock, now)))
		}
		if m.DriftGroups > len(drift) {
			sec.DriftNote = "Showing " + strconv.Itoa(len(drift)) + " of " + strconv.Itoa(m.DriftGroups) +
				" groups: the firing and pending first, then the largest distances."
		}
		v.Sections = append(v.Sections, sec)
	}
	return v
}

// num formats a value with four significant digits.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// modelClock is the clock an alert's age is read on: the model's own (data
// time), which the processor stamps alert times with, or the collector's
// when the processor gave none.
func modelClock(clock, now time.Time) time.Time {
	if clock.IsZero() {
		return now
	}
	return clock
}

// ago is the time since t, rounded for reading ("3m12s ago").
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + (-d).Round(time.Second).String()
	}
	return d.Round(time.Second).String() + " ago"
}
