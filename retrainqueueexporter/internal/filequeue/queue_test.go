package filequeue

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func list(t *testing.T, q *Queue, sub string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(q.dir, sub))
	require.NoError(t, err)
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func body(id string) []byte {
	b, _ := json.Marshal(map[string]string{"job_id": id, "pad": string(make([]byte, 8<<10))})
	return b
}

func TestPermissionsAndName(t *testing.T) {
	q, err := Open(filepath.Join(t.TempDir(), "q"), 10)
	require.NoError(t, err)
	id := uuid.NewString()
	require.NoError(t, q.Put(id, t0, body(id)))
	for _, sub := range []string{DirTmp, DirReady, DirClaimed, DirDone} {
		info, err := os.Stat(filepath.Join(q.dir, sub))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), sub)
	}
	names := list(t, q, DirReady)
	require.Equal(t, []string{"20261129T080000.000000000Z-" + id + ".json"}, names)
	info, err := os.Stat(filepath.Join(q.dir, DirReady, names[0]))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.Empty(t, list(t, q, DirTmp))
}

func TestIdempotent(t *testing.T) {
	tests := []struct {
		name   string
		moveTo string // where a worker moved the first copy
	}{
		{"still ready", ""},
		{"claimed", DirClaimed},
		{"done", DirDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Open(t.TempDir(), 10)
			require.NoError(t, err)
			id := uuid.NewString()
			require.NoError(t, q.Put(id, t0, body(id)))
			if tt.moveTo != "" {
				n := FileName(id, t0)
				require.NoError(t, os.Rename(filepath.Join(q.dir, DirReady, n), filepath.Join(q.dir, tt.moveTo, n)))
			}
			// A redelivery may carry another created_at; the id decides.
			require.NoError(t, q.Put(id, t0.Add(time.Minute), body(id)))
			total := len(list(t, q, DirReady)) + len(list(t, q, DirClaimed)) + len(list(t, q, DirDone))
			assert.Equal(t, 1, total)
		})
	}
}

func TestConcurrentPutsAreCompleteAndDistinct(t *testing.T) {
	q, err := Open(t.TempDir(), 1000)
	require.NoError(t, err)
	const n = 50
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := 0; i < 2*n; i++ { // every job twice, concurrently
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			errs <- q.Put(id, t0, body(id))
		}(ids[i%n])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	names := list(t, q, DirReady)
	require.Len(t, names, n)
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(q.dir, DirReady, name))
		require.NoError(t, err)
		var got map[string]string
		require.NoError(t, json.Unmarshal(b, &got), "complete JSON in %s", name)
		assert.Contains(t, name, got["job_id"])
	}
	assert.Empty(t, list(t, q, DirTmp))
}

func TestCrashBeforeRenameLeavesNothingReady(t *testing.T) {
	q, err := Open(t.TempDir(), 10)
	require.NoError(t, err)
	q.rename = func(string, string) error { return errors.New("power lost") }
	id := uuid.NewString()
	require.Error(t, q.Put(id, t0, body(id)))
	assert.Empty(t, list(t, q, DirReady))

	q.rename = os.Rename
	require.NoError(t, q.Put(id, t0, body(id)), "the retry writes the job")
	assert.Len(t, list(t, q, DirReady), 1)
}

func TestClaimByRename(t *testing.T) {
	q, err := Open(t.TempDir(), 10)
	require.NoError(t, err)
	id := uuid.NewString()
	require.NoError(t, q.Put(id, t0, body(id)))
	name := FileName(id, t0)

	// Two workers race for the same job: exactly one rename succeeds.
	var wg sync.WaitGroup
	results := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			results <- os.Rename(filepath.Join(q.dir, DirReady, name), filepath.Join(q.dir, DirClaimed, fmt.Sprint(w, "-", name)))
		}(w)
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		if err == nil {
			won++
		}
	}
	assert.Equal(t, 1, won)
	assert.Empty(t, list(t, q, DirReady))
	assert.Len(t, list(t, q, DirClaimed), 1)
}

func TestMaxReadyBackpressure(t *testing.T) {
	q, err := Open(t.TempDir(), 2)
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		id := uuid.NewString()
		require.NoError(t, q.Put(id, t0, body(id)))
	}
	id := uuid.NewString()
	err = q.Put(id, t0, body(id))
	require.ErrorIs(t, err, ErrFull)
	assert.ErrorContains(t, err, "max_ready 2")

	// A worker claims one: room again.
	first := list(t, q, DirReady)[0]
	require.NoError(t, os.Rename(filepath.Join(q.dir, DirReady, first), filepath.Join(q.dir, DirClaimed, first)))
	require.NoError(t, q.Put(id, t0, body(id)))
}

func TestRejectsBadIDs(t *testing.T) {
	q, err := Open(t.TempDir(), 10)
	require.NoError(t, err)
	for _, id := range []string{"", "../../etc/passwd", "*", uuid.NewString() + "x"} {
		t.Run(id, func(t *testing.T) {
			assert.Error(t, q.Put(id, t0, []byte("{}")))
		})
	}
	assert.Empty(t, list(t, q, DirReady))
}

func TestStaleTmpRemovedOnOpen(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir, 10)
	require.NoError(t, err)
	stale, fresh := filepath.Join(dir, DirTmp, "stale.json"), filepath.Join(dir, DirTmp, "fresh.json")
	require.NoError(t, os.WriteFile(stale, nil, 0o600))
	require.NoError(t, os.WriteFile(fresh, nil, 0o600))
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	_, err = Open(dir, 10)
	require.NoError(t, err)
	assert.NoFileExists(t, stale)
	assert.FileExists(t, fresh)
}
