package alertstate

import (
	"testing"
	"time"
)

func TestRestore(t *testing.T) {
	started := at(-time.Hour)
	tests := []struct {
		name  string
		steps []bool // conditions at one-minute steps after the restore
		keep  time.Duration
		want  []Transition
	}{
		{name: "still true stays firing silently", steps: []bool{true, true}, want: []Transition{None, None}},
		{name: "false resolves at once without keep_firing_for", steps: []bool{false}, want: []Transition{Resolved}},
		{name: "keep_firing_for counts from the first false after the restore", keep: 90 * time.Second,
			steps: []bool{false, false, false}, want: []Transition{None, None, Resolved}},
		{name: "a new episode after the resolution fires again", steps: []bool{false, true},
			want: []Transition{Resolved, ToFiring}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr Tracker
			// A tracker in the middle of another episode is overwritten.
			tr.Step(true, at(-2*time.Hour), time.Hour*24, 0)
			tr.Restore(started)
			if tr.State() != Firing || !tr.ActiveAt().Equal(started) {
				t.Fatalf("after Restore: %v, active at %v", tr.State(), tr.ActiveAt())
			}
			for i, cond := range tt.steps {
				now := at(time.Duration(i) * time.Minute)
				before := tr.ActiveAt()
				if got := tr.Step(cond, now, 0, tt.keep); got != tt.want[i] {
					t.Fatalf("step %d: %v, want %v", i, got, tt.want[i])
				}
				if tt.want[i] == Resolved && !before.Equal(started) {
					t.Errorf("resolved episode started at %v, want %v", before, started)
				}
			}
		})
	}
	var tr Tracker
	tr.Restore(started)
	if !tr.ForceResolve() {
		t.Error("ForceResolve of a restored tracker did not report firing")
	}
}
