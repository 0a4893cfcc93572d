package modelevent

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Event is a decoded violation together with the resource attributes of the
// model's data (service.name and the like).
type Event struct {
	Violation
	Resource map[string]string
}

// DecodeResult is what DecodeLogs found in a batch.
type DecodeResult struct {
	Events []Event
	// Ignored counts records that are not modelmon events.
	Ignored int
	// Malformed counts modelmon events that failed to decode; Errors holds why.
	Malformed int
	Errors    []error
}

// DecodeLogs decodes every modelmon event in ld, in order, and counts the rest.
func DecodeLogs(ld plog.Logs) DecodeResult {
	var r DecodeResult
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		var res map[string]string
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if !IsViolation(lr) {
					r.Ignored++
					continue
				}
				v, err := Decode(lr)
				if err != nil {
					r.Malformed++
					r.Errors = append(r.Errors, err)
					continue
				}
				if res == nil {
					res = ResourceMap(rl.Resource())
				}
				r.Events = append(r.Events, Event{Violation: v, Resource: res})
			}
		}
	}
	return r
}

// ResourceMap flattens resource attributes to strings.
func ResourceMap(res pcommon.Resource) map[string]string {
	m := make(map[string]string, res.Attributes().Len())
	res.Attributes().Range(func(k string, v pcommon.Value) bool {
		m[k] = v.AsString()
		return true
	})
	return m
}
