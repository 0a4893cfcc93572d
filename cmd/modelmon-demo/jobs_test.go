package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewJobs(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	seen := map[string]bool{}
	assert.Empty(t, newJobs(ready, seen), "a queue not created yet is empty")

	require.NoError(t, os.MkdirAll(ready, 0o750))
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(ready, name), []byte(body), 0o600))
	}
	write("20260101T000002Z-bbbbbbbb-2.json", `{"job_id":"bbbbbbbb-2","model":{"id":"churn-model:v3"},"severity":"error",`+
		`"reason":"drift","triggered_by":[{"rule":"drift_high"}]}`)
	write("20260101T000001Z-aaaaaaaa-1.json", `{"job_id":"aaaaaaaa-1","model":{"id":"fraud-model:v7"},"severity":"warning",`+
		`"reason":"accuracy mean 0.812 < 0.940","triggered_by":[{"rule":"accuracy_low"},{"rule":"f1_score_low"}]}`)
	write("20260101T000003Z-broken.json", `{"job_id":`)
	write("notes.txt", "not a job")

	got := newJobs(ready, seen)
	require.Len(t, got, 3)
	assert.Contains(t, got[0], "RETRAIN job aaaaaaaa for fraud-model:v7 (warning, rules accuracy_low,f1_score_low): accuracy mean 0.812 < 0.940")
	assert.Contains(t, got[1], "for churn-model:v3 (error, rules drift_high)")
	assert.Contains(t, got[2], "not a job")
	assert.Empty(t, newJobs(ready, seen), "each job is printed once")
}
