package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// maxAPIText bounds every string from telemetry in an API answer, as
// maxText does on the pages; the API gives more room for machine readers.
const maxAPIText = 1024

// apiResponse is Prometheus' envelope: status "success" with data, or
// status "error" with errorType and error.
type apiResponse struct {
	Status    string `json:"status"`
	Data      any    `json:"data,omitempty"`
	ErrorType string `json:"errorType,omitempty"`
	Error     string `json:"error,omitempty"`
}

// apiAlert is one alert in the shape of Prometheus' /api/v1/alerts, plus
// modelmon's own fields.
type apiAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	ActiveAt    time.Time         `json:"activeAt"`
	// Value is a string, as Prometheus writes it.
	Value      string     `json:"value"`
	Threshold  float64    `json:"threshold"`
	Comparison string     `json:"comparison"`
	For        string     `json:"for"`
	ID         string     `json:"id"`
	Processor  string     `json:"processor"`
	Model      string     `json:"model"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
}

type apiAlertsData struct {
	Alerts []apiAlert `json:"alerts"`
	// Total is the number of pending and firing alerts over all processors;
	// alerts holds one page of each processor's.
	Total int `json:"total"`
	// Resolved are the recently resolved alerts, when ?resolved=true.
	Resolved []apiAlert `json:"resolved,omitempty"`
}

func (x *statusExtension) apiAlerts(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		apiError(w, bad)
		return
	}
	d := apiAlertsData{Alerts: []apiAlert{}}
	withResolved := r.URL.Query().Get("resolved") == "true"
	for _, s := range x.snapshots(req) {
		d.Total += s.Snap.AlertsTotal
		for _, a := range s.Snap.Alerts {
			d.Alerts = append(d.Alerts, toAPIAlert(a, s.ID))
		}
		if withResolved {
			for _, a := range s.Snap.Resolved {
				d.Resolved = append(d.Resolved, toAPIAlert(a, s.ID))
			}
		}
	}
	writeJSON(w, http.StatusOK, apiResponse{Status: "success", Data: d})
}

func toAPIAlert(a status.Alert, processor string) apiAlert {
	out := apiAlert{
		Labels: map[string]string{
			"alertname": clipAPI(a.Rule), "signal": clipAPI(a.Signal), "kind": a.Kind, "severity": a.Severity,
		},
		Annotations: map[string]string{},
		State:       a.State, ActiveAt: a.ActiveAt.UTC(),
		Value: strconv.FormatFloat(a.Value, 'e', -1, 64), Threshold: a.Threshold, Comparison: a.Comparison,
		For: a.For.String(), ID: clipAPI(a.ID), Processor: processor, Model: clipAPI(a.Model),
	}
	for _, l := range a.Labels {
		out.Labels[clipAPI(l.Name)] = clipAPI(l.Value)
	}
	for _, l := range a.Annotations {
		out.Annotations[clipAPI(l.Name)] = clipAPI(l.Value)
	}
	if !a.ResolvedAt.IsZero() {
		t := a.ResolvedAt.UTC()
		out.ResolvedAt = &t
	}
	return out
}

type apiModelsData struct {
	Processors []apiProcessor `json:"processors"`
}

type apiProcessor struct {
	ID     string    `json:"id"`
	Counts apiCounts `json:"counts"`
	// Matched counts the models the filter kept; models holds the page.
	Matched int        `json:"matched"`
	Offset  int        `json:"offset"`
	Limit   int        `json:"limit"`
	Models  []apiModel `json:"models"`
}

// apiCounts are the fleet-wide totals of one processor.
type apiCounts struct {
	Models        int `json:"models"`
	Inactive      int `json:"inactive"`
	Pending       int `json:"pending"`
	Firing        int `json:"firing"`
	PendingAlerts int `json:"pendingAlerts"`
	FiringAlerts  int `json:"firingAlerts"`
}

func toAPICounts(c status.Counts) apiCounts {
	return apiCounts{c.Models, c.Inactive, c.Pending, c.Firing, c.PendingAlerts, c.FiringAlerts}
}

type apiModel struct {
	ID       string            `json:"id"`
	Labels   map[string]string `json:"labels"`
	Resource map[string]string `json:"resource,omitempty"`
	State    string            `json:"state"`
	LastSeen time.Time         `json:"lastSeen"`
	LastData *time.Time        `json:"lastData,omitempty"`
	Rules    []apiRule         `json:"rules"`
	Signals  []apiSignal       `json:"signals,omitempty"`
	// Drift holds the model's drift groups (single-model answers only),
	// driftGroups how many it has in all.
	Drift       []apiDriftGroup `json:"drift,omitempty"`
	DriftGroups int             `json:"driftGroups,omitempty"`
}

type apiRule struct {
	Rule      string     `json:"rule"`
	Signal    string     `json:"signal"`
	State     string     `json:"state"`
	Evaluated bool       `json:"evaluated"`
	Value     float64    `json:"value"`
	Threshold float64    `json:"threshold"`
	Statistic bool       `json:"statistic,omitempty"`
	Samples   int        `json:"samples"`
	ActiveAt  *time.Time `json:"activeAt,omitempty"`
	Band      *apiBand   `json:"baseline,omitempty"`
}

type apiBand struct {
	Mean float64 `json:"mean"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

type apiSignal struct {
	Name        string      `json:"name"`
	Unit        string      `json:"unit,omitempty"`
	Points      [][2]any    `json:"points,omitempty"`
	Percentiles []apiSeries `json:"percentiles,omitempty"`
}

type apiSeries struct {
	Name   string   `json:"name"`
	Points [][2]any `json:"points"`
}

func (x *statusExtension) apiModels(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		apiError(w, bad)
		return
	}
	d := apiModelsData{Processors: []apiProcessor{}}
	for _, s := range x.snapshots(req) {
		p := apiProcessor{ID: s.ID, Counts: toAPICounts(s.Snap.Counts), Matched: s.Snap.Matched, Offset: req.query.Offset, Limit: req.query.PageLimit(), Models: []apiModel{}}
		for _, m := range s.Snap.Models {
			p.Models = append(p.Models, toAPIModel(m))
		}
		d.Processors = append(d.Processors, p)
	}
	writeJSON(w, http.StatusOK, apiResponse{Status: "success", Data: d})
}

// apiModel answers one model with its windows, one entry per processor
// tracking it.
func (x *statusExtension) apiModel(w http.ResponseWriter, r *http.Request) {
	req, bad := x.parseRequest(r)
	if bad != "" {
		apiError(w, bad)
		return
	}
	req.query.Model = r.PathValue("id")
	d := apiModelsData{Processors: []apiProcessor{}}
	for _, s := range x.snapshots(req) {
		if len(s.Snap.Models) == 0 {
			continue
		}
		d.Processors = append(d.Processors, apiProcessor{ID: s.ID, Counts: toAPICounts(s.Snap.Counts), Matched: 1, Limit: 1, Models: []apiModel{toAPIModel(s.Snap.Models[0])}})
	}
	if len(d.Processors) == 0 {
		writeJSON(w, http.StatusNotFound, apiResponse{Status: "error", ErrorType: "not_found", Error: "no processor tracks this model"})
		return
	}
	writeJSON(w, http.StatusOK, apiResponse{Status: "success", Data: d})
}

func toAPIModel(m status.Model) apiModel {
	out := apiModel{ID: clipAPI(m.ID), Labels: map[string]string{}, State: m.State, LastSeen: m.LastSeen.UTC()}
	if !m.LastData.IsZero() {
		t := m.LastData.UTC()
		out.LastData = &t
	}
	for _, l := range m.Labels {
		out.Labels[clipAPI(l.Name)] = clipAPI(l.Value)
	}
	if len(m.Resource) > 0 {
		out.Resource = map[string]string{}
		for _, l := range m.Resource {
			out.Resource[clipAPI(l.Name)] = clipAPI(l.Value)
		}
	}
	for _, r := range m.Rules {
		ar := apiRule{
			Rule: clipAPI(r.Rule), Signal: clipAPI(r.Signal), State: r.State, Evaluated: r.Evaluated,
			Value: finite(r.Value), Threshold: finite(r.Threshold), Statistic: r.Statistic, Samples: r.Samples,
		}
		if !r.ActiveAt.IsZero() {
			t := r.ActiveAt.UTC()
			ar.ActiveAt = &t
		}
		if r.Band != nil {
			ar.Band = &apiBand{Mean: finite(r.Band.Mean), Lo: finite(r.Band.Lo), Hi: finite(r.Band.Hi)}
		}
		out.Rules = append(out.Rules, ar)
	}
	for _, s := range m.Signals {
		as := apiSignal{Name: clipAPI(s.Name), Unit: s.Unit, Points: points(s.Points)}
		for _, p := range s.Percentiles {
			as.Percentiles = append(as.Percentiles, apiSeries{Name: p.Name, Points: points(p.Points)})
		}
		out.Signals = append(out.Signals, as)
	}
	if len(m.Drift) > 0 {
		out.Drift, out.DriftGroups = toAPIDrift(m.Drift), m.DriftGroups
	}
	return out
}

// points writes samples as Prometheus writes range vectors: [unix seconds,
// "value"].
func points(ps []status.Point) [][2]any {
	if len(ps) == 0 {
		return nil
	}
	out := make([][2]any, len(ps))
	for i, p := range ps {
		out[i] = [2]any{float64(p.T.UnixNano()) / 1e9, strconv.FormatFloat(p.V, 'g', -1, 64)}
	}
	return out
}

// finite keeps NaN and infinities, which JSON cannot carry, out of numbers.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func clipAPI(s string) string {
	if len(s) <= maxAPIText {
		return s
	}
	n := 0
	for i := range s {
		if n == maxAPIText {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func apiError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, apiResponse{Status: "error", ErrorType: "bad_data", Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// apiDriftGroup is one drift rule's group of a model: its distance against
// the threshold, its reference and the bars of the model page.
type apiDriftGroup struct {
	Rule             string            `json:"rule"`
	Signal           string            `json:"signal"`
	Aggregation      string            `json:"aggregation"`
	Group            map[string]string `json:"group"`
	AlertID          string            `json:"alertId"`
	State            string            `json:"state"`
	Evaluated        bool              `json:"evaluated"`
	Distance         float64           `json:"distance"`
	Threshold        float64           `json:"threshold"`
	Samples          int               `json:"samples"`
	ActiveAt         *time.Time        `json:"activeAt,omitempty"`
	Reference        string            `json:"reference"`
	ReferenceVersion string            `json:"referenceVersion,omitempty"`
	Top              []apiDriftBucket  `json:"top,omitempty"`
	Buckets          []apiDriftBucket  `json:"buckets,omitempty"`
	Merged           int               `json:"merged,omitempty"`
}

// apiDriftBucket is a bucket (lower, upper] with both shares. Bounds are
// strings, as Prometheus writes le, since the edge buckets reach ±Inf.
type apiDriftBucket struct {
	Lower        string   `json:"lower"`
	Upper        string   `json:"upper"`
	Current      float64  `json:"current"`
	Reference    float64  `json:"reference"`
	Contribution *float64 `json:"contribution,omitempty"`
}

func toAPIDrift(groups []status.DriftGroup) []apiDriftGroup {
	out := make([]apiDriftGroup, 0, len(groups))
	for _, g := range groups[:min(len(groups), status.MaxDriftGroups)] {
		ag := apiDriftGroup{
			Rule: clipAPI(g.Rule), Signal: clipAPI(g.Signal), Aggregation: clipAPI(g.Aggregation), Group: map[string]string{},
			AlertID: clipAPI(g.AlertID), State: g.State, Evaluated: g.Evaluated,
			Distance: finite(g.Distance), Threshold: finite(g.Threshold), Samples: g.Samples,
			Reference: clipAPI(g.Reference), ReferenceVersion: clipAPI(g.ReferenceVersion), Merged: g.Merged,
		}
		for _, l := range g.Group {
			ag.Group[clipAPI(l.Name)] = clipAPI(l.Value)
		}
		if !g.ActiveAt.IsZero() {
			t := g.ActiveAt.UTC()
			ag.ActiveAt = &t
		}
		for _, b := range g.Top {
			c := finite(b.Contribution)
			ag.Top = append(ag.Top, apiDriftBucket{bound(b.Lower), bound(b.Upper), finite(b.Cur), finite(b.Ref), &c})
		}
		for _, b := range g.Buckets[:min(len(g.Buckets), status.MaxDriftBuckets)] {
			ag.Buckets = append(ag.Buckets, apiDriftBucket{bound(b.Lower), bound(b.Upper), finite(b.Cur), finite(b.Ref), nil})
		}
		out = append(out, ag)
	}
	return out
}

func bound(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
