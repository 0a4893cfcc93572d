package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// job is the part of a retrain_queue job file the watcher prints.
type job struct {
	JobID string `json:"job_id"`
	Model struct {
		ID string `json:"id"`
	} `json:"model"`
	Reason      string `json:"reason"`
	Severity    string `json:"severity"`
	TriggeredBy []struct {
		Rule string `json:"rule"`
	} `json:"triggered_by"`
}

// maxJobFile bounds what the watcher reads of one job file.
const maxJobFile = 1 << 20

// runJobs prints every job that appears in a file queue's ready/ directory.
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("modelmon-demo jobs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "./var/retrain-queue", "retrain_queue file backend directory")
	every := fs.Duration("interval", time.Second, "poll interval")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *every <= 0 {
		return fmt.Errorf("-interval must be positive")
	}
	fmt.Fprintf(stdout, "modelmon-demo jobs: watching %s\n", filepath.Join(*dir, "ready"))
	seen := map[string]bool{}
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for {
		for _, line := range newJobs(filepath.Join(*dir, "ready"), seen) {
			fmt.Fprintln(stdout, line)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// newJobs describes the job files in ready that are not in seen, oldest first
// (file names start with the creation time), and adds them to seen.
func newJobs(ready string, seen map[string]bool) []string {
	entries, err := os.ReadDir(ready)
	if err != nil {
		return nil // not created yet
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") && !seen[e.Name()] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		seen[n] = true
		out = append(out, describeJob(filepath.Join(ready, n)))
	}
	return out
}

func describeJob(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("retrain job %s: %v", filepath.Base(path), err)
	}
	defer f.Close()
	var j job
	if err := json.NewDecoder(io.LimitReader(f, maxJobFile)).Decode(&j); err != nil {
		return fmt.Sprintf("retrain job %s: not a job: %v", filepath.Base(path), err)
	}
	rules := make([]string, 0, len(j.TriggeredBy))
	for _, t := range j.TriggeredBy {
		rules = append(rules, t.Rule)
	}
	id := j.JobID
	if len(id) > 8 {
		id = id[:8]
	}
	return fmt.Sprintf("%s RETRAIN job %s for %s (%s, rules %s): %s", time.Now().Format(time.TimeOnly),
		id, j.Model.ID, j.Severity, strings.Join(rules, ","), j.Reason)
}
