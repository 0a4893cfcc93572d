package redisstorageextension

import (
	"context"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// A Redis outage makes operations fail with errors, counted, and the client
// works again by itself once the server is back on the same address.
func TestOutageAndRecovery(t *testing.T) {
	srv := startRedis(t)
	ext, tel := newStarted(t, srv.addr(), nil)
	c := getClient(t, ext, component.KindProcessor, "modelmon", "alerts")
	ctx := context.Background()
	require.NoError(t, c.Set(ctx, "before", []byte("1")))

	srv.stop()
	_, err := c.Get(ctx, "before")
	require.Error(t, err)
	require.Error(t, c.Set(ctx, "during", []byte("2")))
	require.Error(t, c.Delete(ctx, "before"))
	require.Error(t, c.Batch(ctx, storage.SetOperation("during", []byte("2"))))
	require.Error(t, c.(storage.Walker).Walk(ctx, func(string, []byte) ([]*storage.Operation, error) { return nil, nil }))
	for _, op := range []string{opGet, opSet, opDelete, opBatch, opWalk} {
		assert.Equal(t, int64(1), errorCount(t, tel, op), op)
	}

	srv.start()
	require.Eventually(t, func() bool {
		return c.Set(ctx, "after", []byte("3")) == nil
	}, 15*time.Second, 50*time.Millisecond, "the client reconnects without a restart")
	v, err := c.Get(ctx, "after")
	require.NoError(t, err)
	assert.Equal(t, []byte("3"), v)
}

// A server that accepts connections but never answers (a hung Redis, a
// network partition) costs an operation its timeouts, not forever.
func TestUnresponsiveServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})

	ext, tel := newStarted(t, l.Addr().String(), func(c *Config) {
		c.DialTimeout = 200 * time.Millisecond
		c.ReadTimeout = 200 * time.Millisecond
		c.WriteTimeout = 200 * time.Millisecond
	})
	c := getClient(t, ext, component.KindProcessor, "modelmon", "alerts")
	// No deadline on the context: only the extension's timeouts end the call.
	done := make(chan error, 1)
	go func() { done <- c.Set(context.Background(), "k", []byte("v")) }()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Set on a server that never answers did not return")
	}
	assert.Equal(t, int64(1), errorCount(t, tel, opSet))
}

// A collector whose Redis is not up yet still starts: the extension warns,
// operations fail, and they succeed once the server is there.
func TestStartWithoutRedis(t *testing.T) {
	if _, err := os.Stat(redisBinary); err != nil && os.Getenv("CI") != "true" {
		t.Skipf("%s not installed; run make deps", redisBinary)
	}
	core, logs := observer.New(zap.WarnLevel)
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	port := freePort(t)
	cfg.Endpoint = "127.0.0.1:" + strconv.Itoa(port)
	set := extensiontest.NewNopSettings(f.Type())
	set.Logger = zap.New(core)
	ext, err := f.Create(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	require.Equal(t, 1, logs.FilterMessageSnippet("Redis is not reachable yet").Len())

	c := getClient(t, ext.(storage.Extension), component.KindExporter, "retrain_queue", "retrain_state")
	require.Error(t, c.Set(context.Background(), "k", []byte("v")))

	srv := &redisServer{t: t, port: port, dir: t.TempDir()}
	srv.raw = redis.NewClient(&redis.Options{Addr: srv.addr(), MaxRetries: -1})
	t.Cleanup(func() {
		srv.stop()
		_ = srv.raw.Close()
	})
	srv.start()
	require.Eventually(t, func() bool {
		return c.Set(context.Background(), "k", []byte("v")) == nil
	}, 15*time.Second, 50*time.Millisecond)
}
