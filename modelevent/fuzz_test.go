package modelevent

import (
	"bytes"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// FuzzDecodeLogs feeds arbitrary OTLP log bytes to DecodeLogs and Decode.
// Whatever the record holds, decoding must not panic, every record must be
// accounted for (event, ignored or malformed), and a record that decoded
// must re-encode into one that decodes again and is then stable: a third
// party that forwards events cannot drift them.
func FuzzDecodeLogs(f *testing.F) {
	for _, v := range fuzzSeeds() {
		ld := plog.NewLogs()
		Encode(&v, ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, lr := range malformedSeeds() {
		ld := plog.NewLogs()
		lr.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(raw)
		if err != nil {
			return
		}
		res := DecodeLogs(ld)
		if got := len(res.Events) + res.Ignored + res.Malformed; got != ld.LogRecordCount() {
			t.Fatalf("%d records, %d accounted for", ld.LogRecordCount(), got)
		}
		if len(res.Errors) != res.Malformed {
			t.Fatalf("%d malformed, %d errors", res.Malformed, len(res.Errors))
		}
		for _, ev := range res.Events {
			v := ev.Violation
			once := plog.NewLogRecord()
			Encode(&v, once)
			again, err := Decode(once)
			if err != nil {
				t.Fatalf("re-encoded event does not decode: %v", err)
			}
			twice := plog.NewLogRecord()
			Encode(&again, twice)
			if a, b := recordBytes(t, once), recordBytes(t, twice); !bytes.Equal(a, b) {
				t.Fatalf("encoding is not stable:\n%x\n%x", a, b)
			}
		}
	})
}

// recordBytes is lr's wire form; NaN observations compare equal by bits.
func recordBytes(t *testing.T, lr plog.LogRecord) []byte {
	ld := plog.NewLogs()
	lr.CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fuzzSeeds are valid events in each shape the contract allows.
func fuzzSeeds() []Violation {
	base := sample()
	resolved := sample()
	resolved.State = StateResolved
	resolved.ResolvedReason = ResolvedExpired
	adaptive := sample()
	adaptive.Strategy = "cusum"
	adaptive.Baseline = &Baseline{Mean: 0.95, Stddev: 0.01}
	bare := Violation{State: StateFiring, AlertID: "a", EventID: "e", Rule: "r"}
	return []Violation{base, resolved, adaptive, bare}
}

// malformedSeeds are events with the contract's attributes of the wrong type
// or value, so that mutation starts near every error branch.
func malformedSeeds() []plog.LogRecord {
	mk := func(edit func(lr plog.LogRecord)) plog.LogRecord {
		v := sample()
		lr := plog.NewLogRecord()
		Encode(&v, lr)
		edit(lr)
		return lr
	}
	return []plog.LogRecord{
		mk(func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrAlertState, "pending") }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrObserved, "high") }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrActions, "retrain") }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutInt(AttrAlertID, 7) }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutStr(AttrWindowStart, "yesterday") }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutDouble(AttrWindowSamples, 1e300) }),
		mk(func(lr plog.LogRecord) { lr.Attributes().Remove(AttrEventID) }),
		mk(func(lr plog.LogRecord) { lr.Attributes().PutEmptyMap(AttrModelName).PutStr("x", "y") }),
	}
}
