package e2e

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// receivedEvent is one modelmon.violation record as it left the collector.
type receivedEvent struct {
	V        modelevent.Violation
	Record   plog.LogRecord
	Resource map[string]any
}

// logSink is an OTLP/HTTP logs endpoint that decodes every violation event it
// receives (what an otlp_http exporter in the logs pipeline sends).
type logSink struct {
	srv *httptest.Server

	mu      sync.Mutex
	events  []receivedEvent
	invalid []error
}

func newLogSink(t *testing.T) *logSink {
	s := &logSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *logSink) handle(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, 64<<20)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer zr.Close()
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := plogotlp.NewExportRequest()
	if r.Header.Get("Content-Type") == "application/json" {
		err = req.UnmarshalJSON(b)
	} else {
		err = req.UnmarshalProto(b)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.collect(req.Logs())
	out, _ := plogotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (s *logSink) collect(ld plog.Logs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			recs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				lr := recs.At(k)
				if !modelevent.IsViolation(lr) {
					continue
				}
				v, err := modelevent.Decode(lr)
				if err != nil {
					s.invalid = append(s.invalid, err)
					continue
				}
				cp := plog.NewLogRecord()
				lr.CopyTo(cp)
				s.events = append(s.events, receivedEvent{V: v, Record: cp, Resource: rl.Resource().Attributes().AsRaw()})
			}
		}
	}
}

// find returns the received events that match.
func (s *logSink) find(match func(modelevent.Violation) bool) []receivedEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []receivedEvent
	for _, e := range s.events {
		if match(e.V) {
			out = append(out, e)
		}
	}
	return out
}

// all returns every received event and every record that failed to decode.
func (s *logSink) all() ([]receivedEvent, []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedEvent(nil), s.events...), append([]error(nil), s.invalid...)
}

// ruleState matches events of one rule in one state.
func ruleState(rule string, state modelevent.State) func(modelevent.Violation) bool {
	return func(v modelevent.Violation) bool { return v.Rule == rule && v.State == state }
}
