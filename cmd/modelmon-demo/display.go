package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// display shows one line per model: redrawn in place on a terminal, or a
// block of lines every 10 seconds when the output is a file or a pipe.
type display struct {
	w      io.Writer
	mode   string
	models []*simModel
	errs   *lastError
	drawn  int
}

func newDisplay(w io.Writer, mode string, models []*simModel, errs *lastError) *display {
	if mode == "auto" {
		mode = "lines"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				mode = "redraw"
			}
		}
	}
	return &display{w: w, mode: mode, models: models, errs: errs}
}

func (d *display) run(ctx context.Context, start time.Time) {
	if d.mode == "off" {
		<-ctx.Done()
		return
	}
	every := time.Second
	if d.mode == "lines" {
		every = 10 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			d.draw(now.Sub(start))
		}
	}
}

// final prints the totals once the fleet stopped.
func (d *display) final(start time.Time) {
	if d.mode == "off" {
		return
	}
	d.draw(time.Since(start))
	fmt.Fprintln(d.w, "modelmon-demo: stopped")
}

func (d *display) draw(elapsed time.Duration) {
	var b strings.Builder
	if d.mode == "redraw" && d.drawn > 0 {
		// Move the cursor back over the previous block and clear to the end.
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", d.drawn)
	}
	lines := 0
	fmt.Fprintf(&b, "── %s ──\n", elapsed.Truncate(time.Second))
	lines++
	for _, m := range d.models {
		b.WriteString(statusLine(m))
		b.WriteByte('\n')
		lines++
	}
	if err := d.errs.get(); err != nil {
		msg := err.Error()
		if len(msg) > 120 {
			msg = msg[:120] + "…"
		}
		fmt.Fprintf(&b, "last export error: %s\n", msg)
		lines++
	}
	d.drawn = lines
	_, _ = io.WriteString(d.w, b.String())
}

// statusLine renders one model, e.g.
// "fraud-model:v7   decay    acc 0.912 f1 0.903 drift 0.015 lat 40ms 201/s  sent 24 failed 0".
func statusLine(m *simModel) string {
	s := m.snapshot()
	ok, failed := m.exporter.counts()
	return fmt.Sprintf("%-22s %-9s acc %.3f f1 %.3f drift %.3f lat %3.0fms %4.0f/s  sent %d failed %d",
		m.name+":"+s.Version, m.scenario.Name, s.Accuracy, s.F1, s.Drift, s.LatencyMs, s.Throughput, ok, failed)
}
