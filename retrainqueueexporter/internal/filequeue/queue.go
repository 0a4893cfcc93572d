// Package filequeue is the embedded retraining queue: a directory whose
// ready/ holds one complete JSON file per job. Files are written to tmp/,
// fsynced and renamed into ready/, so a reader never sees a partial job;
// workers claim a job by renaming it into claimed/ (atomic on one
// filesystem) and may move it to done/ when training finished.
package filequeue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Subdirectories of the queue.
const (
	DirTmp     = "tmp"
	DirReady   = "ready"
	DirClaimed = "claimed"
	DirDone    = "done"
)

// Permissions: jobs describe models and may name data; only the collector's
// user and the workers running as it read them.
const (
	dirMode  = 0o700
	fileMode = 0o600
)

// staleTmp is the age after which a file left in tmp/ by a crash is removed.
const staleTmp = time.Hour

// nameTime renders created_at in job file names: sortable and free of ':'.
const nameTime = "20060102T150405.000000000Z"

// ErrFull is returned by Put when ready/ holds max_ready jobs.
var ErrFull = errors.New("retrain file queue is full")

// validID is the shape of job ids (UUIDs); anything else could escape the
// directory or act as a glob pattern.
var validID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Queue is a directory queue. Put is safe for concurrent use.
type Queue struct {
	dir      string
	maxReady int
	mu       sync.Mutex
	// rename moves a written file into ready/; tests replace it to simulate
	// a crash between write and rename.
	rename func(oldpath, newpath string) error
}

// Open creates the queue's directories (0700) under dir and removes files a
// crash left in tmp/ more than an hour ago.
func Open(dir string, maxReady int) (*Queue, error) {
	for _, sub := range []string{DirTmp, DirReady, DirClaimed, DirDone} {
		if err := os.MkdirAll(filepath.Join(dir, sub), dirMode); err != nil {
			return nil, fmt.Errorf("creating retrain queue directory: %w", err)
		}
	}
	q := &Queue{dir: dir, maxReady: maxReady, rename: os.Rename}
	q.cleanTmp(time.Now())
	return q, nil
}

// FileName is the name of a job's file: <created_at>-<job_id>.json, so that
// ls lists jobs oldest first.
func FileName(jobID string, createdAt time.Time) string {
	return createdAt.UTC().Format(nameTime) + "-" + jobID + ".json"
}

// Put adds a job. A job whose id is already in ready/, claimed/ or done/ is
// success: the event was delivered twice and the job exists. A full ready/
// returns an error wrapping ErrFull.
func (q *Queue) Put(jobID string, createdAt time.Time, body []byte) error {
	if !validID.MatchString(jobID) {
		return fmt.Errorf("job id %q is not a UUID", jobID)
	}
	// One writer at a time: the existence check, the count and the rename
	// must not interleave with another Put of the same job.
	q.mu.Lock()
	defer q.mu.Unlock()
	exists, err := q.exists(jobID)
	if err != nil || exists {
		return err
	}
	ready, err := q.countReady()
	if err != nil {
		return err
	}
	if ready >= q.maxReady {
		return fmt.Errorf("%w: %d jobs in %s/ (max_ready %d)", ErrFull, ready, DirReady, q.maxReady)
	}
	name := FileName(jobID, createdAt)
	tmp := filepath.Join(q.dir, DirTmp, name)
	if err := writeSynced(tmp, body); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := q.rename(tmp, filepath.Join(q.dir, DirReady, name)); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("moving job into %s/: %w", DirReady, err)
	}
	// The rename is durable only once the directory entry is.
	return syncDir(filepath.Join(q.dir, DirReady))
}

func (q *Queue) exists(jobID string) (bool, error) {
	for _, sub := range []string{DirReady, DirClaimed, DirDone} {
		m, err := filepath.Glob(filepath.Join(q.dir, sub, "*-"+jobID+".json"))
		if err != nil {
			return false, err
		}
		if len(m) > 0 {
			return true, nil
		}
	}
	return false, nil
}

func (q *Queue) countReady() (int, error) {
	ents, err := os.ReadDir(filepath.Join(q.dir, DirReady))
	if err != nil {
		return 0, fmt.Errorf("reading %s/: %w", DirReady, err)
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".json") {
			n++
		}
	}
	return n, nil
}

func writeSynced(path string, body []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return fmt.Errorf("writing job: %w", err)
	}
	if _, err := f.Write(body); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing job: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("syncing job: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing job: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", filepath.Base(dir), err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", filepath.Base(dir), err)
	}
	return nil
}

func (q *Queue) cleanTmp(now time.Time) {
	dir := filepath.Join(q.dir, DirTmp)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTmp {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
