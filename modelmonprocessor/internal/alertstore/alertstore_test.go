package alertstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/telemetry"
)

func event(state modelevent.State) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "fraud-api")
	v := &modelevent.Violation{
		Time: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC), State: state, AlertID: "a1", EventID: "e1",
		StartedAt: time.Date(2026, 12, 4, 11, 59, 0, 0, time.UTC), Rule: "r", Signal: "accuracy",
		Kind: modelevent.KindDegradation, Severity: modelevent.SeverityWarning,
		ModelKey: []modelevent.Attribute{{Key: "model.name", Value: "m"}},
	}
	modelevent.Encode(v, rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	return ld
}

func newSaver(t *testing.T, store storagekv.Store, limit int) *Saver {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	tt, err := telemetry.New(tel.NewTelemetrySettings())
	require.NoError(t, err)
	s := NewSaver(context.Background(), store, limit, zap.NewNop(), tt)
	go s.Run()
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// TestSaveAndDelete: a firing event is saved under its alert id and reads
// back as it was; its resolution deletes it.
func TestSaveAndDelete(t *testing.T) {
	store := storagekv.NewMemory()
	s := newSaver(t, store, 10)
	s.Queue(event(modelevent.StateFiring))
	require.Eventually(t, func() bool {
		b, _ := store.Get(context.Background(), KeyPrefix+"a1")
		return b != nil
	}, 5*time.Second, time.Millisecond)
	b, err := store.Get(context.Background(), KeyPrefix+"a1")
	require.NoError(t, err)
	res, v, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, "fraud-api", res.Attributes().AsRaw()["service.name"])
	assert.Equal(t, "a1", v.AlertID)
	assert.Equal(t, time.Date(2026, 12, 4, 11, 59, 0, 0, time.UTC), v.StartedAt)

	s.Queue(event(modelevent.StateResolved))
	require.NoError(t, s.Close(context.Background()))
	b, err = store.Get(context.Background(), KeyPrefix+"a1")
	require.NoError(t, err)
	assert.Nil(t, b, "resolved: the record is gone")
}

// TestQueueBounded: changes beyond the limit are refused, never queued
// without bound; a change to a key already queued still replaces it.
func TestQueueBounded(t *testing.T) {
	s := newSaver(t, storagekv.NewMemory(), 2)
	s.Put("k1", []byte("1"))
	s.Put("k2", []byte("2"))
	s.Put("k3", []byte("3"))
	s.Put("k2", []byte("2b"))
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Equal(t, map[string][]byte{"k1": []byte("1"), "k2": []byte("2b")}, s.pending)
}

func TestDecodeRefuses(t *testing.T) {
	for name, b := range map[string][]byte{
		"garbage":  []byte("not protobuf"),
		"resolved": mustEncode(t, event(modelevent.StateResolved)),
		"two":      mustEncodeTwo(t),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Decode(b)
			assert.ErrorIs(t, err, ErrBadRecord)
		})
	}
}

func mustEncode(t *testing.T, ld plog.Logs) []byte {
	rl := ld.ResourceLogs().At(0)
	b, err := Encode(rl.Resource(), rl.ScopeLogs().At(0).LogRecords().At(0))
	require.NoError(t, err)
	return b
}

func mustEncodeTwo(t *testing.T) []byte {
	ld := event(modelevent.StateFiring)
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return b
}
