package redisstorageextension

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
)

// The components keep their state through storagekv. Over redis_storage its
// Range walks Redis itself, so two collectors sharing one Redis each see the
// keys the other wrote after they opened the store; a key index kept by each
// process would have hidden them (and the last writer's index would win).
func TestStoragekvAcrossCollectors(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	open := func() storagekv.Store {
		ext, _ := newStarted(t, srv.addr(), nil)
		c := getClient(t, ext, component.KindProcessor, "modelmon", "alerts")
		s, err := storagekv.FromClient(ctx, c)
		require.NoError(t, err)
		require.True(t, s.Persistent())
		return s
	}
	gw1, gw2 := open(), open()
	require.NoError(t, gw1.Set(ctx, "alert/a", []byte("from gw1")))
	require.NoError(t, gw2.Set(ctx, "alert/b", []byte("from gw2")))
	want := map[string]string{"alert/a": "from gw1", "alert/b": "from gw2"}
	for name, s := range map[string]storagekv.Store{"gw1": gw1, "gw2": gw2} {
		got := map[string]string{}
		require.NoError(t, s.Range(ctx, func(k string, v []byte) error {
			got[k] = string(v)
			return nil
		}))
		assert.Equal(t, want, got, name)
	}
	require.NoError(t, gw2.Delete(ctx, "alert/a"))
	v, err := gw1.Get(ctx, "alert/a")
	require.NoError(t, err)
	assert.Nil(t, v)
	n, err := srv.raw.Exists(ctx, "processor_modelmon__alerts/storagekv.index").Result()
	require.NoError(t, err)
	assert.Zero(t, n, "no key index is written")
}
