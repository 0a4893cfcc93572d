package modelmonstatusextension

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// featureBuckets are the window's and the reference's shares of a feature
// whose mass moved up: (−∞,10] (10,20] (20,30] (30,40] (40,+∞).
func featureBuckets() []status.DriftBucket {
	bounds := []float64{math.Inf(-1), 10, 20, 30, 40, math.Inf(1)}
	cur := []float64{0.05, 0.05, 0.1, 0.3, 0.5}
	ref := []float64{0.1, 0.2, 0.4, 0.2, 0.1}
	out := make([]status.DriftBucket, len(cur))
	for i := range cur {
		out[i] = status.DriftBucket{Lower: bounds[i], Upper: bounds[i+1], Cur: cur[i], Ref: ref[i]}
	}
	return out
}

func driftSource() *fakeSource {
	f := fleet(1, func(int) string { return "fraud:v1" })
	m := &f.models[0]
	m.Drift = []status.DriftGroup{
		{
			Rule: "feature_drift", Signal: "feature_value", Aggregation: "jensen_shannon",
			Group: []status.Label{{Name: "feature.name", Value: "income"}}, AlertID: "abc", State: status.StateFiring,
			Evaluated: true, Distance: 0.23, Threshold: 0.1, Samples: 16, ActiveAt: now.Add(-time.Minute), Reference: "learned",
			Top:     []status.DriftBucket{{Lower: 40, Upper: math.Inf(1), Cur: 0.5, Ref: 0.1, Contribution: 0.05}},
			Buckets: featureBuckets(), Merged: 1,
		},
		{
			Rule: "canary", Signal: "prediction_score", Aggregation: "psi", Group: []status.Label{},
			State: status.StateInactive, Threshold: 0.2, Samples: 3, Reference: "previous_version",
		},
	}
	m.DriftGroups = 2
	return f
}

func TestModelPageDriftBars(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": driftSource()})
	code, body := get(t, srv.URL+"/models/"+url.PathEscape("fraud:v1"))
	require.Equal(t, http.StatusOK, code)
	checkDOM(t, body)
	assert.Contains(t, body, "Distribution drift")
	assert.Equal(t, 5, strings.Count(body, `<rect class="cur"`), "one window bar per bucket")
	assert.Equal(t, 5, strings.Count(body, `<rect class="ref"`), "one reference bar per bucket")
	// The axis reaches 60%, the tick above the tallest share (50%): that
	// bar is 5/6 of the plot's 178 units.
	assert.Contains(t, body, `height="148.3" fill="#1565c0"`)
	assert.Contains(t, body, `dominant-baseline="middle">60%</text>`)
	assert.Contains(t, body, "jensen_shannon <b>0.23</b> &gt; 0.1")
	assert.Contains(t, body, "reference: learned")
	assert.Contains(t, body, `<span class="lbl">feature.name="income"</span>`)
	for _, l := range []string{"≤ 10", "(20, 30]", "&gt; 40"} {
		assert.Contains(t, body, ">"+l+"</text>", "bucket label %s", l)
	}
	assert.Contains(t, body, "&gt; 40: window 50.0%")
	assert.Contains(t, body, "&gt; 40: reference 10.0%")
	assert.Contains(t, body, "moved most: &gt; 40: 50.0% vs 10.0%")
	assert.Contains(t, body, "no earlier version of this model had a full window", "a group without a reference says why")
	assert.NotContains(t, body, "Showing", "all groups shown")
}

func TestAPIModelDrift(t *testing.T) {
	srv := serve(t, map[string]status.Source{"": driftSource()})
	code, body := get(t, srv.URL+"/api/v1/models/"+url.PathEscape("fraud:v1"))
	require.Equal(t, http.StatusOK, code)
	var r struct {
		Data struct {
			Processors []struct {
				Models []apiModel `json:"models"`
			} `json:"processors"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	require.Len(t, r.Data.Processors, 1)
	m := r.Data.Processors[0].Models[0]
	require.Len(t, m.Drift, 2)
	assert.Equal(t, 2, m.DriftGroups)
	g := m.Drift[0]
	assert.Equal(t, map[string]string{"feature.name": "income"}, g.Group)
	assert.Equal(t, 0.23, g.Distance)
	assert.Equal(t, 0.1, g.Threshold)
	assert.Equal(t, "learned", g.Reference)
	require.Len(t, g.Buckets, 5)
	assert.Equal(t, apiDriftBucket{Lower: "-Inf", Upper: "10", Current: 0.05, Reference: 0.1}, g.Buckets[0])
	assert.Equal(t, "+Inf", g.Buckets[4].Upper)
	require.Len(t, g.Top, 1)
	assert.Equal(t, "40", g.Top[0].Lower)
	require.NotNil(t, g.Top[0].Contribution)
	assert.Empty(t, m.Drift[1].Buckets)
	assert.Equal(t, "previous_version", m.Drift[1].Reference)
}

// TestDriftHostileAndBounded: group names and values from telemetry are
// escaped, and a source that sends more groups and buckets than a page
// shows (or shares out of range) still gives a bounded page.
func TestDriftHostileAndBounded(t *testing.T) {
	f := fleet(1, func(int) string { return "m" })
	m := &f.models[0]
	many := make([]status.DriftBucket, 10*status.MaxDriftBuckets)
	for i := range many {
		many[i] = status.DriftBucket{Lower: float64(i), Upper: float64(i + 1), Cur: 0.001, Ref: math.NaN()}
	}
	many[0].Cur = 7
	n := status.MaxDriftGroups + 30
	for i := range n {
		h := hostile[i%len(hostile)]
		m.Drift = append(m.Drift, status.DriftGroup{
			Rule: h, Signal: h, Aggregation: h, Group: []status.Label{{Name: h, Value: hostile[(i+1)%len(hostile)]}},
			AlertID: h, State: status.StateFiring, Evaluated: true, Distance: 0.5, Threshold: 0.1, Reference: "previous_version",
			ReferenceVersion: h, Top: []status.DriftBucket{{Lower: 1, Upper: 2, Cur: 0.5, Ref: 0.1}}, Buckets: many, Merged: 1,
		})
	}
	m.DriftGroups = n
	srv := serve(t, map[string]status.Source{"": f})
	code, body := get(t, srv.URL+"/models/m")
	require.Equal(t, http.StatusOK, code)
	checkDOM(t, body)
	for _, h := range hostile[:4] {
		assert.NotContains(t, body, h, "raw hostile string on the page")
	}
	assert.NotContains(t, body, strings.Repeat("Z", maxText+1))
	assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, body, "Showing "+strconv.Itoa(status.MaxDriftGroups)+" of "+strconv.Itoa(n)+" groups")
	assert.Equal(t, status.MaxDriftGroups*status.MaxDriftBuckets, strings.Count(body, `<rect class="cur"`))
	assert.NotContains(t, body, "NaN")
	assert.NotContains(t, body, `y="-`, "a share above 1 stays in the chart")
	assert.Less(t, len(body), 1<<20)

	code, body = get(t, srv.URL+"/api/v1/models/m")
	require.Equal(t, http.StatusOK, code)
	var r apiResponse
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	assert.NotContains(t, body, "<script>")
	assert.NotContains(t, body, strings.Repeat("Z", maxAPIText+1))
	assert.Less(t, len(body), 1<<20)
}
