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
		{"overflow drops the whole new batch", 4, []int{2, 3, 2}, []int{0, 3, 0}, 4},
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
