package retrainqueueexporter

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/internal/testing/ports"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

const redisBinary = "/usr/bin/redis-server"

// startRedis runs a throwaway redis-server on a free loopback port and
// returns its address. Without the binary the test is skipped locally and
// fails in CI, where the Makefile installs it.
func startRedis(t *testing.T, extraArgs ...string) string {
	t.Helper()
	port := freePort(t)
	args := append([]string{"--port", strconv.Itoa(port)}, extraArgs...)
	return runRedis(t, port, args, &redis.Options{Password: passwordOf(extraArgs)})
}

func freePort(t *testing.T) int { return ports.Free(t) }

// runRedis starts redis-server with args on port and waits until a client
// with opts gets an answer to PING.
func runRedis(t *testing.T, port int, args []string, opts *redis.Options) string {
	t.Helper()
	if _, err := os.Stat(redisBinary); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing in CI (make deps installs it): %v", redisBinary, err)
		}
		t.Skipf("%s not installed; run make deps", redisBinary)
	}
	args = append(args, "--bind", "127.0.0.1", "--dir", t.TempDir(), "--save", "", "--appendonly", "no")
	cmd := exec.Command(redisBinary, args...)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	opts.Addr = addr
	c := redis.NewClient(opts)
	defer c.Close()
	require.Eventually(t, func() bool {
		return c.Ping(context.Background()).Err() == nil
	}, 10*time.Second, 20*time.Millisecond, "redis-server did not answer PING")
	return addr
}

func passwordOf(args []string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--requirepass" {
			return args[i+1]
		}
	}
	return ""
}

func redisConfig(addr string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Backend = BackendRedis
	cfg.CoalesceWindow = 0
	cfg.Cooldown = 0 // let redeliveries reach Redis, so its idempotency record is what stops them
	cfg.Redis.Address = addr
	cfg.Redis.Stream = "test:retrain"
	return cfg
}

func TestRedisStreamJobsConsumerGroupAndDuplicates(t *testing.T) {
	addr := startRedis(t)
	cfg := redisConfig(addr)
	h := newHarness(t, cfg, nil)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	require.NoError(t, c.XGroupCreateMkStream(ctx, cfg.Redis.Stream, "trainers", "0").Err())

	first := logsOf(violation("fraud", "acc", "e1"))
	require.NoError(t, h.consumeLogs(ctx, first))
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("churn", "acc", "e2"))))
	h.clock.advance(time.Hour)
	require.NoError(t, h.consumeLogs(ctx, first), "a redelivered event")
	require.NoError(t, h.flush(ctx, false))
	assert.Equal(t, int64(3), h.counter(t, "jobs_written", ""), "the backend accepted the duplicate as success")

	n, err := c.XLen(ctx, cfg.Redis.Stream).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "the duplicate added nothing")

	// A worker reads with XREADGROUP and acknowledges with XACK.
	streams, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: "trainers", Consumer: "w1", Streams: []string{cfg.Redis.Stream, ">"}, Count: 10,
	}).Result()
	require.NoError(t, err)
	require.Len(t, streams, 1)
	msgs := streams[0].Messages
	require.Len(t, msgs, 2)
	var names []string
	for _, m := range msgs {
		var j job.Job
		require.NoError(t, json.Unmarshal([]byte(m.Values["job"].(string)), &j))
		assert.Equal(t, j.JobID, m.Values["job_id"])
		ttl, err := c.TTL(ctx, idempotencyPrefix+j.JobID).Result()
		require.NoError(t, err)
		assert.InDelta(t, cfg.Redis.IdempotencyTTL.Seconds(), ttl.Seconds(), 5)
		names = append(names, j.Model.Name)
		require.NoError(t, c.XAck(ctx, cfg.Redis.Stream, "trainers", m.ID).Err())
	}
	assert.Equal(t, []string{"fraud", "churn"}, names)
	pending, err := c.XPending(ctx, cfg.Redis.Stream, "trainers").Result()
	require.NoError(t, err)
	assert.Zero(t, pending.Count)
}

func TestRedisWithoutIdempotencyRecords(t *testing.T) {
	addr := startRedis(t)
	cfg := redisConfig(addr)
	cfg.Redis.IdempotencyTTL = 0
	cfg.Redis.MaxLen = 1
	h := newHarness(t, cfg, nil)
	for i, m := range []string{"a", "b", "c"} {
		require.NoError(t, h.consumeLogs(ctx, logsOf(violation(m, "acc", "e"+strconv.Itoa(i)))))
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	n, err := c.XLen(ctx, cfg.Redis.Stream).Result()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, int64(1))
	keys, err := c.Keys(ctx, idempotencyPrefix+"*").Result()
	require.NoError(t, err)
	assert.Empty(t, keys)
}

func TestRedisDownIsRetryable(t *testing.T) {
	addr := startRedis(t, "--requirepass", "right-password")
	cfg := redisConfig(addr)
	cfg.Redis.Password = "wrong-password"
	h := newHarness(t, cfg, nil)
	err := h.consumeLogs(ctx, logsOf(violation("a", "acc", "e1")))
	require.Error(t, err)
	assert.EqualValues(t, 1, h.pending(), "the job waits for Redis")
	assert.NotContains(t, err.Error(), "wrong-password")
}
