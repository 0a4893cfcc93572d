package retrainqueueexporter

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/filequeue"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// TestExampleConfigsValidate loads every example's retrain_queue exporters
// into the real Config and validates them.
func TestExampleConfigsValidate(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("examples", "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 6, "file, airflow, argo, kubeflow, generic, redis")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cm, err := confmaptest.LoadConf(f)
			require.NoError(t, err)
			exps, err := cm.Sub("exporters")
			require.NoError(t, err)
			found := 0
			for name := range exps.ToStringMap() {
				var id component.ID
				require.NoError(t, id.UnmarshalText([]byte(name)))
				if id.Type() != metadata.Type {
					continue
				}
				found++
				sub, err := exps.Sub(name)
				require.NoError(t, err)
				cfg := createDefaultConfig().(*Config)
				require.NoError(t, sub.Unmarshal(cfg))
				require.NoError(t, confmap.Validate(cfg))
			}
			assert.Equal(t, 1, found)
		})
	}
}

// trainStub is a $TRAIN that appends the job it reads on stdin to out.
func trainStub(t *testing.T) (script, out string) {
	dir := t.TempDir()
	script, out = filepath.Join(dir, "train.sh"), filepath.Join(dir, "trained.jsonl")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ncat >> "+out+"\necho >> "+out+"\n"), 0o700))
	return script, out
}

func trainedJobs(t *testing.T, out string) []string {
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var jobs []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			jobs = append(jobs, l)
		}
	}
	return jobs
}

func TestFileWorkerScript(t *testing.T) {
	cfg := fileConfig(t)
	cfg.CoalesceWindow = 0
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"), violation("churn", "acc", "e2"))))
	require.Len(t, readyJobs(t, cfg), 2)

	train, out := trainStub(t)
	cmd := exec.Command("sh", filepath.Join("examples", "file-worker.sh"))
	cmd.Env = append(os.Environ(), "QUEUE="+cfg.File.Directory, "TRAIN="+train)
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))

	assert.Empty(t, readyJobs(t, cfg))
	done, err := os.ReadDir(filepath.Join(cfg.File.Directory, filequeue.DirDone))
	require.NoError(t, err)
	assert.Len(t, done, 2)
	assert.Len(t, trainedJobs(t, out), 2)

	// A claimed or finished job is not queued again by a redelivery.
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"))))
	assert.Empty(t, readyJobs(t, cfg))
}

func TestRedisWorkerScript(t *testing.T) {
	addr := startRedis(t)
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not installed")
	}
	cfg := redisConfig(addr)
	h := newHarness(t, cfg, nil)
	require.NoError(t, h.consumeLogs(ctx, logsOf(violation("fraud", "acc", "e1"), violation("churn", "acc", "e2"))))

	train, out := trainStub(t)
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command("sh", filepath.Join("examples", "redis-worker.sh"))
	cmd.Env = append(os.Environ(), "REDIS_HOST="+host, "REDIS_PORT="+port, "STREAM="+cfg.Redis.Stream,
		"CONSUMER=w1", "TRAIN="+train, "ONCE=1", "BLOCK_MS=100")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, string(b))

	trained := trainedJobs(t, out)
	require.Len(t, trained, 2)
	assert.Contains(t, trained[0], `"job_id"`)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	pending, err := c.XPending(ctx, cfg.Redis.Stream, "trainers").Result()
	require.NoError(t, err)
	assert.Zero(t, pending.Count, "every job acknowledged")
}
