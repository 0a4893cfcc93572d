package modelevent

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

func sample() Violation {
	t0 := time.Date(2026, 11, 29, 7, 0, 0, 123456789, time.UTC)
	key := []Attribute{{AttrModelName, "fraud-model"}, {AttrModelVersion, "v7"}}
	return Violation{
		Time: t0.Add(time.Minute), State: StateFiring, AlertID: AlertID("accuracy_low", key),
		EventID: "5f0c8b1e-7d2a-4c1e-9a51-2b7f3c9d0e11", StartedAt: t0, ModelKey: key,
		Rule: "accuracy_low", Signal: "accuracy", Kind: KindDegradation, Strategy: "static",
		Aggregation: "mean", Comparison: ComparisonBelow, Observed: 0.812, Threshold: 0.94,
		WindowSamples: 12, WindowStart: t0.Add(-5 * time.Minute), WindowEnd: t0,
		Severity: SeverityError, Actions: []string{ActionAlert, ActionRetrain},
		Annotations: map[string]string{"summary": "accuracy dropped", "runbook_url": "https://runbooks.example/acc"},
	}
}

func TestRoundTrip(t *testing.T) {
	base := sample()
	withBaseline := sample()
	withBaseline.Strategy = "cusum"
	withBaseline.Baseline = &Baseline{Mean: 0.95, Stddev: 0.01}
	resolved := sample()
	resolved.State = StateResolved
	resolved.ResolvedReason = ResolvedExpired
	custom := sample()
	custom.Summary = "custom body"
	custom.Annotations = nil
	custom.Actions = []string{}
	tests := map[string]Violation{"firing": base, "baseline": withBaseline, "resolved": resolved, "custom summary": custom}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			lr := plog.NewLogRecord()
			Encode(&v, lr)
			got, err := Decode(lr)
			require.NoError(t, err)
			assert.Equal(t, v, got)
		})
	}
}

func TestEncodeContract(t *testing.T) {
	v := sample()
	lr := plog.NewLogRecord()
	Encode(&v, lr)
	assert.Equal(t, EventName, lr.EventName())
	assert.Equal(t, plog.SeverityNumber(17), lr.SeverityNumber())
	assert.Equal(t, "error", lr.SeverityText())
	assert.Equal(t, "accuracy mean 0.812 < 0.940 for fraud-model:v7 (rule accuracy_low)", lr.Body().Str())
	name, _ := lr.Attributes().Get(AttrModelName)
	assert.Equal(t, "fraud-model", name.Str())
	acts, _ := lr.Attributes().Get(AttrActions)
	assert.Equal(t, []any{"alert", "retrain"}, acts.Slice().AsRaw())
	ann, _ := lr.Attributes().Get(AttrAnnotationPrefix + "runbook_url")
	assert.Equal(t, "https://runbooks.example/acc", ann.Str())
}

func TestSeverityNumbers(t *testing.T) {
	for s, n := range map[Severity]plog.SeverityNumber{SeverityInfo: 9, SeverityWarning: 13, SeverityError: 17, SeverityCritical: 21} {
		assert.Equal(t, n, s.Number(), s)
	}
	_, err := ParseSeverity("loud")
	assert.ErrorContains(t, err, "unknown severity")
}

func TestAlertIDStable(t *testing.T) {
	k := []Attribute{{"model.name", "a"}, {"model.version", "bc"}}
	k2 := []Attribute{{"model.name", "ab"}, {"model.version", "c"}}
	assert.Equal(t, AlertID("r", k), AlertID("r", k))
	assert.NotEqual(t, AlertID("r", k), AlertID("r", k2))
	assert.NotEqual(t, AlertID("r", k), AlertID("s", k))
	assert.Len(t, AlertID("r", k), 16)
}

func TestDecodeRejects(t *testing.T) {
	lr := plog.NewLogRecord()
	_, err := Decode(lr)
	assert.ErrorIs(t, err, ErrNotViolation)

	lr.SetEventName(EventName)
	lr.Attributes().PutStr(AttrAlertState, "exploded")
	lr.Attributes().PutInt(AttrObserved, 3)
	lr.Attributes().PutStr(AttrWindowStart, "yesterday")
	_, err = Decode(lr)
	require.Error(t, err)
	assert.ErrorContains(t, err, AttrAlertID)
	assert.ErrorContains(t, err, AttrWindowStart)
}

func TestDecodeLogs(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "fraud-api")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetStr("plain log")
	v := sample()
	Encode(&v, lrs.AppendEmpty())
	bad := lrs.AppendEmpty()
	bad.SetEventName(EventName)
	r := DecodeLogs(ld)
	assert.Equal(t, 1, r.Ignored)
	assert.Equal(t, 1, r.Malformed)
	require.Len(t, r.Events, 1)
	assert.Equal(t, "fraud-api", r.Events[0].Resource["service.name"])
	assert.Equal(t, v, r.Events[0].Violation)
}

func TestIsContractAttribute(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{AttrRule, true},
		{AttrAnnotationPrefix + "summary", true},
		{"modelmon.tenant", true},
		{AttrModelName, false},
		{"tenant", false},
		{"modelmonitor.tenant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsContractAttribute(tt.name))
		})
	}
}

// TestContractNamedKeyIsNotKey shows why producers must refuse contract
// names in a model key: the attribute does not decode as part of the key.
func TestContractNamedKeyIsNotKey(t *testing.T) {
	v := sample()
	v.ModelKey = append(v.ModelKey, Attribute{Key: "modelmon.tenant", Value: "acme"})
	lr := plog.NewLogRecord()
	Encode(&v, lr)
	got, err := Decode(lr)
	require.NoError(t, err)
	assert.Equal(t, []Attribute{{AttrModelName, "fraud-model"}, {AttrModelVersion, "v7"}}, got.ModelKey)
}

func TestRoundTripDrift(t *testing.T) {
	v := sample()
	v.Rule, v.Signal, v.Kind, v.Aggregation, v.Comparison = "feature_drift", "feature_value", KindDrift, "jensen_shannon", ComparisonAbove
	v.Observed, v.Threshold = 0.31, 0.1
	v.Group = []Attribute{{"feature.name", "income"}, {"segment", "eu"}}
	v.AlertID = AlertID(v.Rule, v.ModelKey, v.Group...)
	v.Drift = &Drift{Reference: "previous_version", ReferenceVersion: "v6",
		Buckets: []string{"(20, 30]: 45.0% vs 20.0%", "(10, 20]: 5.0% vs 25.0%"}}
	lr := plog.NewLogRecord()
	Encode(&v, lr)
	got, err := Decode(lr)
	require.NoError(t, err)
	assert.Equal(t, v, got)
	assert.Equal(t, v.ModelKey, got.ModelKey, "group attributes are not part of the model key")
	assert.Equal(t, "feature_value jensen_shannon 0.310 > 0.100 for fraud-model:v7 [feature.name=income, segment=eu] (rule feature_drift)",
		lr.Body().Str())
	ref, _ := lr.Attributes().Get(AttrDriftReference)
	assert.Equal(t, "previous_version", ref.Str())
	bs, _ := lr.Attributes().Get(AttrDriftBuckets)
	assert.Equal(t, []any{"(20, 30]: 45.0% vs 20.0%", "(10, 20]: 5.0% vs 25.0%"}, bs.Slice().AsRaw())
	fname, _ := lr.Attributes().Get("feature.name")
	assert.Equal(t, "income", fname.Str())

	learned := v
	learned.Drift = &Drift{Reference: "learned", Buckets: []string{}}
	learned.Group = nil
	Encode(&learned, lr)
	got, err = Decode(lr)
	require.NoError(t, err)
	assert.Equal(t, learned, got)
}

func TestAlertIDGroups(t *testing.T) {
	k := []Attribute{{"model.name", "a"}, {"model.version", "1"}}
	assert.Equal(t, AlertID("r", k), AlertID("r", k, []Attribute{}...), "no group: the id of a rule without group_by")
	a := AlertID("r", k, Attribute{"feature.name", "income"})
	b := AlertID("r", k, Attribute{"feature.name", "age"})
	assert.NotEqual(t, a, b)
	assert.NotEqual(t, a, AlertID("r", k))
}

func TestDecodeRejectsBadDrift(t *testing.T) {
	v := sample()
	lr := plog.NewLogRecord()
	Encode(&v, lr)
	lr.Attributes().PutStr(AttrDriftReference, "learned")
	lr.Attributes().PutInt(AttrDriftBuckets, 3)
	_, err := Decode(lr)
	assert.ErrorContains(t, err, AttrDriftBuckets)
}
