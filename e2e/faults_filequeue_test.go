package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileQueueConfig: one job per firing, written to the file backend.
const fileQueueConfig = `
processors:
  modelmon:
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
exporters:
  debug:
    verbosity: basic
  retrain_queue:
    backend: file
    coalesce_window: 0s
    cooldown: 0s
    max_jobs_per_hour: 1000
    file:
      directory: {{.QueueDir}}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0s
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [retrain_queue]
`

// brokenDisk makes the queue directory refuse new jobs and then recover, in
// the most faithful way the machine allows: a 256 KiB tmpfs filled to ENOSPC
// when mounting works (root), read-only tmp/ and ready/ when not root, and
// for a root that may not mount (permissions do not stop root) ready/
// replaced by a plain file, so that no job can be listed or moved there.
type brokenDisk struct {
	dir  string
	mode string // "tmpfs", "read-only" or "not-a-directory"
}

func newBrokenDisk(t *testing.T) *brokenDisk {
	t.Helper()
	d := &brokenDisk{dir: filepath.Join(t.TempDir(), "queue"), mode: "read-only"}
	require.NoError(t, os.MkdirAll(d.dir, 0o700))
	// MODELMON_BROKEN_DISK picks a mode, to run the fallbacks where tmpfs works.
	if m := os.Getenv("MODELMON_BROKEN_DISK"); m != "" && m != "tmpfs" {
		require.Contains(t, []string{"read-only", "not-a-directory"}, m, "MODELMON_BROKEN_DISK")
		d.mode = m
		return d
	}
	if os.Geteuid() != 0 {
		return d
	}
	d.mode = "not-a-directory"
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", d.dir).CombinedOutput(); err != nil {
		t.Logf("cannot mount a tmpfs (%v: %s); replacing ready/ by a file instead", err, out)
		return d
	}
	d.mode = "tmpfs"
	t.Cleanup(func() { _ = exec.Command("umount", "-l", d.dir).Run() })
	return d
}

// fail breaks the directory; the exporter has created its subdirectories.
func (d *brokenDisk) fail(t *testing.T) {
	t.Helper()
	ready := filepath.Join(d.dir, "ready")
	switch d.mode {
	case "read-only":
		for _, sub := range []string{"tmp", "ready"} {
			require.NoError(t, os.Chmod(filepath.Join(d.dir, sub), 0o500))
		}
	case "not-a-directory":
		require.NoError(t, os.Remove(ready))
		require.NoError(t, os.WriteFile(ready, nil, 0o600))
	case "tmpfs":
		f, err := os.Create(filepath.Join(d.dir, "filler"))
		require.NoError(t, err)
		defer f.Close()
		chunk := make([]byte, 4096)
		for {
			if _, err := f.Write(chunk); err != nil {
				require.True(t, errors.Is(err, syscall.ENOSPC), "filling the tmpfs: %v", err)
				return
			}
		}
	}
}

// recover undoes fail.
func (d *brokenDisk) recover(t *testing.T) {
	t.Helper()
	ready := filepath.Join(d.dir, "ready")
	switch d.mode {
	case "read-only":
		for _, sub := range []string{"tmp", "ready"} {
			require.NoError(t, os.Chmod(filepath.Join(d.dir, sub), 0o700))
		}
	case "not-a-directory":
		require.NoError(t, os.Remove(ready))
		require.NoError(t, os.Mkdir(ready, 0o700))
	case "tmpfs":
		require.NoError(t, os.Remove(filepath.Join(d.dir, "filler")))
	}
}

// readyEntries lists ready/, which is empty while it is not a directory.
func (d *brokenDisk) readyEntries(t *testing.T) []string {
	t.Helper()
	if st, err := os.Stat(filepath.Join(d.dir, "ready")); err == nil && !st.IsDir() {
		return nil
	}
	return dirEntries(t, filepath.Join(d.dir, "ready"))
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestFileQueueDiskFull: while the queue directory cannot take new files,
// jobs fail retryably and no partial job file appears in ready/ or stays in
// tmp/; once it can again, every job lands exactly once.
func TestFileQueueDiskFull(t *testing.T) {
	disk := newBrokenDisk(t)
	t.Logf("queue directory broken by: %s", disk.mode)
	c := newCollector(t, fileQueueConfig, map[string]any{"QueueDir": disk.dir})
	c.start()
	var models []*fleetModel
	for _, n := range []string{"f1", "f2", "f3"} {
		models = append(models, &fleetModel{Name: n, Version: "v1", Service: n + "-api"})
	}
	startFleet(t, c, 200*time.Millisecond, models...)
	disk.fail(t)

	setAll(0.80, models...)
	waitMetric(t, c, 3, "otelcol_processor_modelmon_events", `state="firing"`)
	require.Eventually(t, func() bool { return retrying(c.logText(), "retrain_queue") || writeFailed(c.logText()) },
		30*time.Second, 100*time.Millisecond, "job writes never failed retryably")
	// The outage itself: writes keep failing for a while.
	time.Sleep(outage(t) / 2)
	assert.Empty(t, disk.readyEntries(t), "no job, whole or partial, in ready/")
	assert.Empty(t, dirEntries(t, filepath.Join(disk.dir, "tmp")), "no partial job left in tmp/")
	assert.True(t, c.healthy(), "the collector keeps running")

	disk.recover(t)
	require.Eventually(t, func() bool { return len(readyJobs(t, disk.dir)) >= 3 },
		90*time.Second, 100*time.Millisecond, "jobs never landed after the disk recovered")
	require.Eventually(t, func() bool {
		q, _ := c.metric("otelcol_exporter_queue_size", `exporter="retrain_queue"`)
		return q == 0
	}, 60*time.Second, 100*time.Millisecond, "queue did not drain")
	jobs := readyJobs(t, disk.dir)
	for _, m := range models {
		assert.Len(t, jobsFor(jobs, m.Name), 1, "one job for %s", m.Name)
	}
	assert.Empty(t, dirEntries(t, filepath.Join(disk.dir, "tmp")), "no partial job left in tmp/")
}
