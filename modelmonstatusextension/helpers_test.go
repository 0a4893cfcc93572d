package modelmonstatusextension

import (
	"cmp"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/visutility/otelcol-modelmon/internal/status"
	"github.com/visutility/otelcol-modelmon/modelmonstatusextension/internal/metadata"
)

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// fakeSource is a processor's state held in memory: it filters, sorts and
// pages as the processor does, so the pages see what they would in a
// collector.
type fakeSource struct {
	rules    []status.Rule
	models   []status.Model
	alerts   []status.Alert
	resolved []status.Alert
}

func (f *fakeSource) Snapshot(q status.Query) status.Snapshot {
	s := status.Snapshot{Taken: now, Rules: f.rules, Resolved: f.resolved}
	if q.Model != "" {
		for _, m := range f.models {
			if m.ID == q.Model {
				s.Models, s.Matched = []status.Model{m}, 1
			}
		}
		return s
	}
	var kept []status.Model
	for _, m := range f.models {
		s.Counts.Models++
		switch m.State {
		case status.StateFiring:
			s.Counts.Firing++
		case status.StatePending:
			s.Counts.Pending++
		default:
			s.Counts.Inactive++
		}
		if q.State == "" || q.State == m.State {
			kept = append(kept, m)
		}
	}
	for _, a := range f.alerts {
		if a.State == status.StateFiring {
			s.Counts.FiringAlerts++
		} else {
			s.Counts.PendingAlerts++
		}
	}
	rank := map[string]int{status.StateFiring: 0, status.StatePending: 1, status.StateInactive: 2}
	if q.Sort == status.SortName {
		slices.SortFunc(kept, func(a, b status.Model) int { return cmp.Compare(a.ID, b.ID) })
	} else {
		slices.SortStableFunc(kept, func(a, b status.Model) int { return cmp.Compare(rank[a.State], rank[b.State]) })
	}
	s.Matched, s.AlertsTotal = len(kept), len(f.alerts)
	off := min(q.Offset, len(kept))
	s.Models = kept[off:min(off+q.PageLimit(), len(kept))]
	aoff := min(q.Offset, len(f.alerts))
	s.Alerts = f.alerts[aoff:min(aoff+q.PageLimit(), len(f.alerts))]
	return s
}

var accuracyRule = status.Rule{
	Name: "accuracy_low", Signal: "accuracy", Kind: "degradation", Strategy: "static", Aggregation: "mean",
	Comparison: "below", Threshold: 0.94, HasThreshold: true, Severity: "warning",
}

// fleet is a source with n models named by name(i), every seventh firing.
func fleet(n int, name func(int) string) *fakeSource {
	f := &fakeSource{rules: []status.Rule{accuracyRule}}
	for i := range n {
		id := name(i)
		st, v := status.StateInactive, 0.97
		if i%7 == 3 {
			st, v = status.StateFiring, 0.81
		}
		m := status.Model{
			ID: id, State: st, LastSeen: now.Add(-time.Duration(i%60) * time.Second),
			Labels: []status.Label{{Name: "model.name", Value: id}, {Name: "model.version", Value: "v7"}},
			Rules: []status.RuleStatus{{
				Rule: "accuracy_low", Signal: "accuracy", State: st, Evaluated: true, Value: v, Threshold: 0.94, Samples: 12,
			}},
		}
		if st == status.StateFiring {
			m.Rules[0].ActiveAt = now.Add(-5 * time.Minute)
			f.alerts = append(f.alerts, status.Alert{
				ID: "a" + strconv.Itoa(i), Rule: "accuracy_low", Signal: "accuracy", Kind: "degradation", Model: id,
				Labels: m.Labels, State: st, Severity: "warning", ActiveAt: now.Add(-5 * time.Minute), For: time.Minute,
				Value: v, Threshold: 0.94, Comparison: "below",
				Annotations: []status.Label{{Name: "runbook_url", Value: "https://runbooks.example/accuracy"}, {Name: "summary", Value: "accuracy of " + id + " is low"}},
			})
		}
		f.models = append(f.models, m)
	}
	return f
}

// serve starts the extension's handler over httptest with src registered
// under modelmon.
func serve(t testing.TB, srcs map[string]status.Source) *httptest.Server {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	x := newExtension(cfg, extensiontest.NewNopSettings(metadata.Type))
	x.now = func() time.Time { return now }
	for name, src := range srcs {
		x.Register(component.MustNewIDWithName("modelmon", name), src)
	}
	srv := httptest.NewServer(x.handler())
	t.Cleanup(srv.Close)
	return srv
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}
