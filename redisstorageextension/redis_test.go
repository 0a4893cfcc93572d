package redisstorageextension

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/visutility/otelcol-modelmon/internal/testing/ports"
)

const redisBinary = "/usr/bin/redis-server"

// redisServer is a throwaway redis-server on a loopback port, which a test
// can stop and start again on the same port.
type redisServer struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
	// raw reads and writes keys without the extension, to check what it stored.
	raw *redis.Client
}

// startRedis runs redis-server; without the binary the test is skipped
// locally and fails in CI, where the Makefile installs it.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := os.Stat(redisBinary); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing in CI (make deps installs it): %v", redisBinary, err)
		}
		t.Skipf("%s not installed; run make deps", redisBinary)
	}
	s := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	s.raw = redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	t.Cleanup(func() {
		s.stop()
		_ = s.raw.Close()
	})
	s.start()
	return s
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(redisBinary, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--dir", s.dir, "--save", "", "--appendonly", "no")
	require.NoError(s.t, s.cmd.Start())
	require.Eventually(s.t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return s.raw.Ping(ctx).Err() == nil
	}, 10*time.Second, 20*time.Millisecond, "redis-server did not answer PING")
}

// stop kills the server as an outage would.
func (s *redisServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func freePort(t *testing.T) int { return ports.Free(t) }

// newStarted builds and starts the extension from the factory against addr.
func newStarted(t *testing.T, addr string, edit func(*Config)) (storage.Extension, *componenttest.Telemetry) {
	t.Helper()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Endpoint = addr
	if edit != nil {
		edit(cfg)
	}
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := extensiontest.NewNopSettings(f.Type())
	set.TelemetrySettings = tel.NewTelemetrySettings()
	ext, err := f.Create(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return ext.(storage.Extension), tel
}

func getClient(t *testing.T, ext storage.Extension, kind component.Kind, id, name string) storage.Client {
	t.Helper()
	var cid component.ID
	require.NoError(t, cid.UnmarshalText([]byte(id)))
	c, err := ext.GetClient(context.Background(), kind, cid, name)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close(context.Background())) })
	return c
}

// errorCount reads the errors counter for one operation (0 when never recorded).
func errorCount(t *testing.T, tel *componenttest.Telemetry, op string) int64 {
	t.Helper()
	m, err := tel.GetMetric("otelcol_extension_redis_storage_errors")
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "errors is an int64 sum")
	var n int64
	for _, dp := range sum.DataPoints {
		if v, _ := dp.Attributes.Value(attribute.Key("operation")); v.AsString() == op {
			n += dp.Value
		}
	}
	return n
}
