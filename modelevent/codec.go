package modelevent

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// timeLayout renders contract timestamps; UTC with nanoseconds round-trips exactly.
const timeLayout = time.RFC3339Nano

// Encode writes v into lr, replacing what lr held.
func Encode(v *Violation, lr plog.LogRecord) {
	lr.SetEventName(EventName)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(v.Time))
	lr.SetSeverityNumber(v.Severity.Number())
	lr.SetSeverityText(string(v.Severity))
	if v.Summary != "" {
		lr.Body().SetStr(v.Summary)
	} else {
		lr.Body().SetStr(v.DefaultSummary())
	}
	attrs := lr.Attributes()
	attrs.Clear()
	attrs.EnsureCapacity(len(v.ModelKey) + len(v.Group) + 20 + len(v.Annotations))
	for _, a := range v.ModelKey {
		attrs.PutStr(a.Key, a.Value)
	}
	if len(v.Group) > 0 {
		names := attrs.PutEmptySlice(AttrGroupBy)
		names.EnsureCapacity(len(v.Group))
		for _, a := range v.Group {
			attrs.PutStr(a.Key, a.Value)
			names.AppendEmpty().SetStr(a.Key)
		}
	}
	attrs.PutStr(AttrAlertState, string(v.State))
	attrs.PutStr(AttrAlertID, v.AlertID)
	attrs.PutStr(AttrEventID, v.EventID)
	attrs.PutStr(AttrAlertStartedAt, formatTime(v.StartedAt))
	attrs.PutStr(AttrRule, v.Rule)
	attrs.PutStr(AttrSignal, v.Signal)
	attrs.PutStr(AttrKind, string(v.Kind))
	attrs.PutStr(AttrStrategy, v.Strategy)
	attrs.PutStr(AttrAggregation, v.Aggregation)
	attrs.PutStr(AttrComparison, string(v.Comparison))
	attrs.PutDouble(AttrObserved, v.Observed)
	attrs.PutDouble(AttrThreshold, v.Threshold)
	attrs.PutInt(AttrWindowSamples, v.WindowSamples)
	attrs.PutStr(AttrWindowStart, formatTime(v.WindowStart))
	attrs.PutStr(AttrWindowEnd, formatTime(v.WindowEnd))
	attrs.PutStr(AttrSeverity, string(v.Severity))
	acts := attrs.PutEmptySlice(AttrActions)
	acts.EnsureCapacity(len(v.Actions))
	for _, a := range v.Actions {
		acts.AppendEmpty().SetStr(a)
	}
	if v.Baseline != nil {
		attrs.PutDouble(AttrBaselineMean, v.Baseline.Mean)
		attrs.PutDouble(AttrBaselineStddev, v.Baseline.Stddev)
	}
	if v.ResolvedReason != "" {
		attrs.PutStr(AttrResolvedReason, v.ResolvedReason)
	}
	if v.Drift != nil {
		attrs.PutStr(AttrDriftReference, v.Drift.Reference)
		if v.Drift.ReferenceVersion != "" {
			attrs.PutStr(AttrDriftReferenceVersion, v.Drift.ReferenceVersion)
		}
		bs := attrs.PutEmptySlice(AttrDriftBuckets)
		bs.EnsureCapacity(len(v.Drift.Buckets))
		for _, b := range v.Drift.Buckets {
			bs.AppendEmpty().SetStr(b)
		}
	}
	// Sorted so that the same violation always encodes to the same record.
	keys := make([]string, 0, len(v.Annotations))
	for k := range v.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attrs.PutStr(AttrAnnotationPrefix+k, v.Annotations[k])
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// IsViolation reports whether lr is a modelmon violation event.
func IsViolation(lr plog.LogRecord) bool {
	return lr.EventName() == EventName
}

// ErrNotViolation is returned by Decode for records that are not modelmon events.
var ErrNotViolation = errors.New("log record is not a " + EventName + " event")

// Decode reads a violation back from lr. It returns ErrNotViolation for
// other records and a descriptive error for malformed ones; it never panics.
func Decode(lr plog.LogRecord) (Violation, error) {
	var v Violation
	if !IsViolation(lr) {
		return v, ErrNotViolation
	}
	d := decoder{attrs: lr.Attributes()}
	v.Time = lr.Timestamp().AsTime().UTC()
	v.Summary = lr.Body().AsString()
	v.State = State(d.str(AttrAlertState, true))
	v.AlertID = d.str(AttrAlertID, true)
	v.EventID = d.str(AttrEventID, true)
	v.StartedAt = d.time(AttrAlertStartedAt)
	v.Rule = d.str(AttrRule, true)
	v.Signal = d.str(AttrSignal, false)
	v.Kind = Kind(d.str(AttrKind, false))
	v.Strategy = d.str(AttrStrategy, false)
	v.Aggregation = d.str(AttrAggregation, false)
	v.Comparison = Comparison(d.str(AttrComparison, false))
	v.Observed = d.double(AttrObserved)
	v.Threshold = d.double(AttrThreshold)
	v.WindowSamples = d.int(AttrWindowSamples)
	v.WindowStart = d.time(AttrWindowStart)
	v.WindowEnd = d.time(AttrWindowEnd)
	v.Severity = Severity(d.str(AttrSeverity, false))
	v.ResolvedReason = d.str(AttrResolvedReason, false)
	if acts, ok := lr.Attributes().Get(AttrActions); ok {
		if acts.Type() != pcommon.ValueTypeSlice {
			d.fail(AttrActions, "want a slice of strings")
		} else {
			s := acts.Slice()
			v.Actions = make([]string, 0, s.Len())
			for i := 0; i < s.Len(); i++ {
				v.Actions = append(v.Actions, s.At(i).AsString())
			}
		}
	}
	if _, ok := lr.Attributes().Get(AttrBaselineMean); ok {
		v.Baseline = &Baseline{Mean: d.double(AttrBaselineMean), Stddev: d.double(AttrBaselineStddev)}
	}
	groupNames := d.strings(AttrGroupBy)
	if ref, ok := lr.Attributes().Get(AttrDriftReference); ok {
		v.Drift = &Drift{
			Reference:        ref.AsString(),
			ReferenceVersion: d.str(AttrDriftReferenceVersion, false),
			Buckets:          d.strings(AttrDriftBuckets),
		}
	}
	lr.Attributes().Range(func(k string, val pcommon.Value) bool {
		switch {
		case strings.HasPrefix(k, AttrAnnotationPrefix):
			if v.Annotations == nil {
				v.Annotations = map[string]string{}
			}
			v.Annotations[strings.TrimPrefix(k, AttrAnnotationPrefix)] = val.AsString()
		case !IsContractAttribute(k) && !slices.Contains(groupNames, k):
			v.ModelKey = append(v.ModelKey, Attribute{Key: k, Value: val.AsString()})
		}
		return true
	})
	// Group attributes in the order the rule lists them.
	for _, k := range groupNames {
		if val, ok := lr.Attributes().Get(k); ok {
			v.Group = append(v.Group, Attribute{Key: k, Value: val.AsString()})
		}
	}
	switch v.State {
	case StateFiring, StateResolved:
	default:
		if d.err == nil {
			d.fail(AttrAlertState, fmt.Sprintf("unknown state %q", v.State))
		}
	}
	if v.Summary == v.DefaultSummary() {
		// Keep Summary empty when it was generated, so Decode∘Encode is the identity.
		v.Summary = ""
	}
	return v, d.err
}

type decoder struct {
	attrs pcommon.Map
	err   error
}

func (d *decoder) fail(k, msg string) {
	d.err = errors.Join(d.err, fmt.Errorf("attribute %s: %s", k, msg))
}

func (d *decoder) str(k string, required bool) string {
	v, ok := d.attrs.Get(k)
	if !ok {
		if required {
			d.fail(k, "missing")
		}
		return ""
	}
	if v.Type() != pcommon.ValueTypeStr {
		d.fail(k, "want a string, got "+v.Type().String())
		return v.AsString()
	}
	return v.Str()
}

// strings reads a slice of strings; nil when absent.
func (d *decoder) strings(k string) []string {
	v, ok := d.attrs.Get(k)
	if !ok {
		return nil
	}
	if v.Type() != pcommon.ValueTypeSlice {
		d.fail(k, "want a slice of strings, got "+v.Type().String())
		return nil
	}
	s := v.Slice()
	out := make([]string, 0, s.Len())
	for i := 0; i < s.Len(); i++ {
		out = append(out, s.At(i).AsString())
	}
	return out
}

func (d *decoder) double(k string) float64 {
	v, ok := d.attrs.Get(k)
	if !ok {
		return 0
	}
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeInt:
		return float64(v.Int())
	}
	d.fail(k, "want a number, got "+v.Type().String())
	return 0
}

func (d *decoder) int(k string) int64 {
	v, ok := d.attrs.Get(k)
	if !ok {
		return 0
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return int64(v.Double())
	}
	d.fail(k, "want an integer, got "+v.Type().String())
	return 0
}

func (d *decoder) time(k string) time.Time {
	s := d.str(k, false)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		d.fail(k, "want an RFC 3339 time: "+err.Error())
		return time.Time{}
	}
	return t.UTC()
}
