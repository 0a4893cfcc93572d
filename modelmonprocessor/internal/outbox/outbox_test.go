package outbox

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
)

// batch returns logs with n records whose bodies are name.
func batch(name string, n int) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < n; i++ {
		lrs.AppendEmpty().Body().SetStr(name)
	}
	return ld
}

func name(ld plog.Logs) string {
	return ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()
}

func TestPushBounds(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		sizes   []int
		dropped []int
		length  int
	}{
		{"fits", 5, []int{2, 3}, []int{0, 0}, 5},
		{"overflow keeps the oldest records that fit", 4, []int{2, 3, 2}, []int{0, 1, 2}, 4},
		{"zero capacity keeps nothing", 0, []int{1}, []int{1}, 0},
		{"empty batches are ignored", 1, []int{0, 1}, []int{0, 0}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := New(tt.max)
			for i, n := range tt.sizes {
				assert.Equal(t, tt.dropped[i], o.Push(batch("b", n)), "push %d", i)
			}
			assert.Equal(t, tt.length, o.Len())
		})
	}
}

// TestPushKeepsTheHead: of a batch over the bound, the first records stay,
// with their resource, and the pushed batch is left as it was.
func TestPushKeepsTheHead(t *testing.T) {
	ld := plog.NewLogs()
	for _, r := range []string{"r1", "r2"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("model", r)
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for _, b := range []string{"a", "b"} {
			lrs.AppendEmpty().Body().SetStr(r + b)
		}
	}
	o := New(3)
	assert.Equal(t, 1, o.Push(ld))
	assert.Equal(t, 3, o.Len())
	assert.Equal(t, 4, ld.LogRecordCount(), "the pushed batch is not modified")
	var got []string
	_, err := o.Send(func(b plog.Logs) error {
		for i := 0; i < b.ResourceLogs().Len(); i++ {
			rl := b.ResourceLogs().At(i)
			m, _ := rl.Resource().Attributes().Get("model")
			lrs := rl.ScopeLogs().At(0).LogRecords()
			for j := 0; j < lrs.Len(); j++ {
				got = append(got, m.Str()+":"+lrs.At(j).Body().Str())
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"r1:r1a", "r1:r1b", "r2:r2a"}, got)
}

func TestSendInOrder(t *testing.T) {
	o := New(10)
	for _, n := range []string{"a", "b", "c"} {
		o.Push(batch(n, 1))
	}
	var sent []string
	fail := errors.New("down")
	// Refuse at b: a leaves, b and c wait, in order.
	dropped, err := o.Send(func(ld plog.Logs) error {
		if name(ld) == "b" {
			return fail
		}
		sent = append(sent, name(ld))
		return nil
	})
	require.ErrorIs(t, err, fail)
	assert.Zero(t, dropped)
	assert.Equal(t, []string{"a"}, sent)
	assert.Equal(t, 2, o.Len())

	// A permanent refusal drops b and goes on with c.
	dropped, err = o.Send(func(ld plog.Logs) error {
		if name(ld) == "b" {
			return consumererror.NewPermanent(fail)
		}
		sent = append(sent, name(ld))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1, dropped)
	assert.Equal(t, []string{"a", "c"}, sent)
	assert.Zero(t, o.Len())
}
