package redisstorageextension

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

func TestLifecycle(t *testing.T) {
	srv := startRedis(t)
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Endpoint = srv.addr()
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	se := ext.(storage.Extension)

	_, err = se.GetClient(context.Background(), component.KindProcessor, component.MustNewID("modelmon"), "alerts")
	require.ErrorContains(t, err, "not started")

	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	c, err := se.GetClient(context.Background(), component.KindProcessor, component.MustNewID("modelmon"), "alerts")
	require.NoError(t, err)
	require.NoError(t, c.Set(context.Background(), "k", []byte("v")))
	require.NoError(t, c.Close(context.Background()))

	require.NoError(t, ext.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()), "a second shutdown is harmless")
	_, err = c.Get(context.Background(), "k")
	require.Error(t, err, "a client outliving its extension fails instead of hanging")
	_, err = se.GetClient(context.Background(), component.KindProcessor, component.MustNewID("modelmon"), "alerts")
	require.Error(t, err)

	// Never started: shutdown is still clean.
	ext2, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext2.Shutdown(context.Background()))
}

func TestClientOperations(t *testing.T) {
	srv := startRedis(t)
	ext, _ := newStarted(t, srv.addr(), nil)
	c := getClient(t, ext, component.KindExporter, "alert_webhook", "dedup")
	ctx := context.Background()

	v, err := c.Get(ctx, "absent")
	require.NoError(t, err)
	assert.Nil(t, v, "an absent key reads as nil, no error")
	require.NoError(t, c.Delete(ctx, "absent"), "deleting an absent key is no error")

	require.NoError(t, c.Set(ctx, "a", []byte("1")))
	v, err = c.Get(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, []byte("1"), v)
	require.NoError(t, c.Set(ctx, "empty", []byte{}))
	v, err = c.Get(ctx, "empty")
	require.NoError(t, err)
	assert.Equal(t, []byte{}, v, "an empty value is present, not absent")

	require.NoError(t, c.Delete(ctx, "a"))
	v, err = c.Get(ctx, "a")
	require.NoError(t, err)
	assert.Nil(t, v)
}

func TestBatch(t *testing.T) {
	srv := startRedis(t)
	ext, tel := newStarted(t, srv.addr(), nil)
	c := getClient(t, ext, component.KindExporter, "retrain_queue", "retrain_state")
	ctx := context.Background()
	require.NoError(t, c.Set(ctx, "old", []byte("x")))
	require.NoError(t, c.Set(ctx, "gone", []byte("y")))

	ops := []*storage.Operation{
		storage.SetOperation("model/a", []byte("A")),
		storage.GetOperation("model/a"),
		storage.GetOperation("old"),
		storage.DeleteOperation("gone"),
		storage.GetOperation("gone"),
		storage.GetOperation("never"),
	}
	require.NoError(t, c.Batch(ctx, ops...))
	assert.Equal(t, []byte("A"), ops[1].Value, "a get sees the set before it in the batch")
	assert.Equal(t, []byte("x"), ops[2].Value)
	assert.Nil(t, ops[4].Value, "a get sees the delete before it")
	assert.Nil(t, ops[5].Value)
	v, err := c.Get(ctx, "gone")
	require.NoError(t, err)
	assert.Nil(t, v)

	require.NoError(t, c.Batch(ctx), "an empty batch does nothing")
	err = c.Batch(ctx, storage.SetOperation("bad1", []byte("1")), &storage.Operation{Key: "bad2", Type: storage.OpType(42)})
	require.ErrorContains(t, err, "unknown operation type")
	v, err = c.Get(ctx, "bad1")
	require.NoError(t, err)
	assert.Nil(t, v, "a batch with an unknown operation writes nothing")
	assert.Equal(t, int64(1), errorCount(t, tel, opBatch))
}

// TestKeyNaming pins the key layout: contrib's client prefix
// (<kind>_<type>_<name>_<storage name>_<prefix>), a slash, the key.
func TestKeyNaming(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	tests := []struct {
		cfgPrefix string
		kind      component.Kind
		id, name  string
		want      string
	}{
		{"", component.KindProcessor, "modelmon", "alerts", "processor_modelmon__alerts/k"},
		{"", component.KindExporter, "retrain_queue/gpu", "", "exporter_retrain_queue_gpu/k"},
		{"prod", component.KindExporter, "alert_webhook/pd", "dedup", "exporter_alert_webhook_pd_dedup_prod/k"},
		{"", component.KindExporter, "alert_webhook/a%b", "x/y", "exporter_alert_webhook_a%25b_x%2Fy/k"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			ext, _ := newStarted(t, srv.addr(), func(c *Config) { c.Prefix = tt.cfgPrefix })
			c := getClient(t, ext, tt.kind, tt.id, tt.name)
			require.NoError(t, c.Set(ctx, "k", []byte(tt.want)))
			got, err := srv.raw.Get(ctx, tt.want).Result()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// Components sharing one Redis never see each other's keys, neither by key
// nor in a walk; two collectors with the same component IDs do share them.
func TestClientIsolation(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	gw1, _ := newStarted(t, srv.addr(), nil)
	gw2, _ := newStarted(t, srv.addr(), nil)
	other, _ := newStarted(t, srv.addr(), func(c *Config) { c.Prefix = "staging" })

	clients := map[string]storage.Client{
		"queue":       getClient(t, gw1, component.KindExporter, "retrain_queue", ""),
		"queue_state": getClient(t, gw1, component.KindExporter, "retrain_queue", "retrain_state"),
		"processor":   getClient(t, gw1, component.KindProcessor, "modelmon", "alerts"),
		"staging":     getClient(t, other, component.KindProcessor, "modelmon", "alerts"),
	}
	for name, c := range clients {
		require.NoError(t, c.Set(ctx, "shared-key", []byte(name)))
		require.NoError(t, c.Set(ctx, "only-"+name, []byte(name)))
	}
	for name, c := range clients {
		v, err := c.Get(ctx, "shared-key")
		require.NoError(t, err)
		assert.Equal(t, name, string(v))
		assert.Equal(t, map[string]string{"shared-key": name, "only-" + name: name}, walkAll(t, c), name)
	}

	peer := getClient(t, gw2, component.KindProcessor, "modelmon", "alerts")
	v, err := peer.Get(ctx, "only-processor")
	require.NoError(t, err)
	assert.Equal(t, "processor", string(v), "the same component on another collector shares the keys")
}

func walkAll(t *testing.T, c storage.Client) map[string]string {
	t.Helper()
	got := map[string]string{}
	require.NoError(t, c.(storage.Walker).Walk(context.Background(), func(k string, v []byte) ([]*storage.Operation, error) {
		got[k] = string(v)
		return nil, nil
	}))
	return got
}

func TestWalk(t *testing.T) {
	srv := startRedis(t)
	ext, tel := newStarted(t, srv.addr(), nil)
	// Glob characters in the storage name must match only themselves.
	c := getClient(t, ext, component.KindProcessor, "modelmon", "a*[b]?")
	decoy := getClient(t, ext, component.KindProcessor, "modelmon", "aX[b]Y")
	ctx := context.Background()
	const n = 2500 // several SCAN pages
	ops := make([]*storage.Operation, 0, n)
	for i := range n {
		ops = append(ops, storage.SetOperation(fmt.Sprintf("alert/%04d", i), []byte(fmt.Sprint(i))))
	}
	require.NoError(t, c.Batch(ctx, ops...))
	require.NoError(t, decoy.Set(ctx, "alert/decoy", []byte("no")))

	got := walkAll(t, c)
	require.Len(t, got, n, "every key once, none of the other client's")
	assert.Equal(t, "1234", got["alert/1234"])

	t.Run("operations apply after the walk", func(t *testing.T) {
		w := c.(storage.Walker)
		require.NoError(t, w.Walk(ctx, func(k string, _ []byte) ([]*storage.Operation, error) {
			if k < "alert/0100" {
				return []*storage.Operation{storage.DeleteOperation(k)}, nil
			}
			return nil, nil
		}))
		assert.Len(t, walkAll(t, c), n-100)
	})
	t.Run("SkipAll stops and keeps the operations", func(t *testing.T) {
		calls := 0
		require.NoError(t, c.(storage.Walker).Walk(ctx, func(k string, _ []byte) ([]*storage.Operation, error) {
			calls++
			return []*storage.Operation{storage.SetOperation("marker", []byte(k))}, storage.SkipAll
		}))
		assert.Equal(t, 1, calls)
		v, err := c.Get(ctx, "marker")
		require.NoError(t, err)
		assert.NotNil(t, v)
	})
	t.Run("an error applies nothing", func(t *testing.T) {
		boom := errors.New("boom")
		calls := 0
		err := c.(storage.Walker).Walk(ctx, func(k string, _ []byte) ([]*storage.Operation, error) {
			calls++
			if calls == 10 {
				return nil, boom
			}
			return []*storage.Operation{storage.DeleteOperation(k)}, nil
		})
		require.ErrorIs(t, err, boom)
		assert.Len(t, walkAll(t, c), n-100+1)
		assert.Zero(t, errorCount(t, tel, opWalk), "the caller's error is not a storage error")
	})
}

func TestExpiration(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	for _, exp := range []time.Duration{0, time.Hour} {
		t.Run(exp.String(), func(t *testing.T) {
			ext, _ := newStarted(t, srv.addr(), func(c *Config) { c.Expiration = exp })
			c := getClient(t, ext, component.KindExporter, "alert_webhook", "exp"+exp.String())
			require.NoError(t, c.Set(ctx, "set", []byte("v")))
			require.NoError(t, c.Batch(ctx, storage.SetOperation("batch", []byte("v"))))
			for _, k := range []string{"set", "batch"} {
				ttl, err := srv.raw.PTTL(ctx, "exporter_alert_webhook__exp"+exp.String()+"/"+k).Result()
				require.NoError(t, err)
				if exp == 0 {
					assert.Equal(t, time.Duration(-1), ttl, "no expiration: the key lives until deleted")
				} else {
					assert.Greater(t, ttl, exp-time.Minute)
					assert.LessOrEqual(t, ttl, exp)
				}
			}
		})
	}
}
