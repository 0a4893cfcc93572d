package alertstate

import (
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"
)

var t0 = time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func TestZeroValue(t *testing.T) {
	var tr Tracker
	if tr.State() != Inactive || !tr.ActiveAt().IsZero() {
		t.Fatalf("zero Tracker: %v, %v", tr.State(), tr.ActiveAt())
	}
	if tr.Step(false, t0, time.Minute, 0) != None || !tr.ActiveAt().IsZero() {
		t.Error("a false step started an episode")
	}
	if tr.ForceResolve() {
		t.Error("ForceResolve of an inactive tracker reported firing")
	}
	if s := unsafe.Sizeof(tr); s > 32 {
		t.Errorf("Tracker is %d bytes, want ≤ 32 (one exists per rule per model)", s)
	}
}

func TestStrings(t *testing.T) {
	for s, want := range map[State]string{Inactive: "inactive", Pending: "pending", Firing: "firing"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", s, s.String())
		}
	}
	for tr, want := range map[Transition]string{None: "none", ToPending: "to_pending", ToFiring: "to_firing",
		Resolved: "resolved", PendingCleared: "pending_cleared"} {
		if tr.String() != want {
			t.Errorf("%d.String() = %q", tr, tr.String())
		}
	}
}

func TestStep(t *testing.T) {
	type step struct {
		at    time.Duration
		cond  bool
		want  Transition
		state State
	}
	tests := []struct {
		name      string
		forDur    time.Duration
		keep      time.Duration
		steps     []step
		activeAt  time.Duration
		hasActive bool
	}{
		{
			name: "for 0 fires at once", forDur: 0,
			steps:    []step{{0, true, ToFiring, Firing}, {time.Second, true, None, Firing}, {2 * time.Second, false, Resolved, Inactive}},
			activeAt: 0, hasActive: true,
		},
		{
			name: "fires exactly when for has elapsed", forDur: time.Minute,
			steps: []step{{0, true, ToPending, Pending}, {59 * time.Second, true, None, Pending},
				{time.Minute, true, ToFiring, Firing}},
			activeAt: 0, hasActive: true,
		},
		{
			name: "pending cleared by one false", forDur: time.Minute,
			steps: []step{{0, true, ToPending, Pending}, {30 * time.Second, false, PendingCleared, Inactive},
				{40 * time.Second, true, ToPending, Pending}, {time.Minute, true, None, Pending}},
			activeAt: 40 * time.Second, hasActive: true,
		},
		{
			name: "a true during keep_firing_for restarts it", forDur: 0, keep: time.Minute,
			steps: []step{{0, true, ToFiring, Firing}, {10 * time.Second, false, None, Firing},
				{50 * time.Second, true, None, Firing}, {60 * time.Second, false, None, Firing},
				{119 * time.Second, false, None, Firing}, {120 * time.Second, false, Resolved, Inactive}},
			activeAt: 0, hasActive: true,
		},
		{
			name: "a false tick in pending clears even with keep_firing_for", forDur: time.Minute, keep: time.Hour,
			steps:    []step{{0, true, ToPending, Pending}, {time.Second, false, PendingCleared, Inactive}},
			activeAt: 0, hasActive: true,
		},
		{
			name: "time going backwards is clamped", forDur: time.Minute,
			steps: []step{{0, true, ToPending, Pending}, {50 * time.Second, true, None, Pending},
				{-time.Hour, true, None, Pending}, {59 * time.Second, true, None, Pending},
				{40 * time.Second, true, None, Pending}, {time.Minute, true, ToFiring, Firing}},
			activeAt: 0, hasActive: true,
		},
		{
			// A backwards step cannot start an episode in the past either.
			name: "an episode starting on a backwards step starts at the last time", forDur: time.Minute,
			steps: []step{{time.Minute, false, None, Inactive}, {0, true, ToPending, Pending},
				{time.Minute + 59*time.Second, true, None, Pending}, {2 * time.Minute, true, ToFiring, Firing}},
			activeAt: time.Minute, hasActive: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tr Tracker
			for i, s := range tt.steps {
				if got := tr.Step(s.cond, at(s.at), tt.forDur, tt.keep); got != s.want || tr.State() != s.state {
					t.Fatalf("step %d (%v %v): %v %v, want %v %v", i, s.at, s.cond, got, tr.State(), s.want, s.state)
				}
			}
			if got := tr.ActiveAt(); !got.Equal(at(tt.activeAt)) {
				t.Errorf("ActiveAt %v, want %v", got, at(tt.activeAt))
			}
		})
	}
}

// TestEpisodes checks the counting contract on random condition sequences,
// ticks and rule settings: transitions follow the state machine, and every
// episode has exactly one ToFiring and at most one Resolved.
func TestEpisodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	durs := []time.Duration{0, 10 * time.Second, time.Minute}
	for round := 0; round < 500; round++ {
		var tr Tracker
		forDur, keep := durs[rng.IntN(3)], durs[rng.IntN(3)]
		now := t0
		cond := false
		firings, resolutions := 0, 0
		prev := Inactive
		var trueSince, falseSince time.Time // of the current run of equal conditions
		for step := 0; step < 200; step++ {
			now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
			if rng.IntN(3) == 0 { // otherwise a tick with the last condition
				c := rng.IntN(2) == 0
				if c != cond || step == 0 {
					trueSince, falseSince = now, now
				}
				cond = c
			}
			tr2 := tr.Step(cond, now, forDur, keep)
			cur := tr.State()
			switch tr2 {
			case ToFiring:
				firings++
				if prev == Firing || cur != Firing || now.Sub(tr.ActiveAt()) < forDur {
					t.Fatalf("bad ToFiring from %v at %v", prev, now)
				}
			case Resolved:
				resolutions++
				if prev != Firing || cur != Inactive || now.Sub(falseSince) < keep {
					t.Fatalf("bad Resolved from %v", prev)
				}
			case ToPending:
				if prev != Inactive || cur != Pending || !tr.ActiveAt().Equal(now) {
					t.Fatalf("bad ToPending from %v", prev)
				}
			case PendingCleared:
				if prev != Pending || cur != Inactive {
					t.Fatalf("bad PendingCleared from %v", prev)
				}
			case None:
				if cur != prev {
					t.Fatalf("state changed %v → %v without a transition", prev, cur)
				}
			}
			if cur == Pending && now.Sub(trueSince) >= forDur {
				t.Fatalf("still pending after the condition held %v (for %v)", now.Sub(trueSince), forDur)
			}
			prev = cur
		}
		open := 0
		if tr.State() == Firing {
			open = 1
		}
		if firings != resolutions+open {
			t.Fatalf("round %d: %d ToFiring, %d Resolved, open %d", round, firings, resolutions, open)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	var tr Tracker
	now := t0
	cond := false
	if n := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Second)
		cond = !cond
		tr.Step(cond, now, time.Second, time.Second)
		_ = tr.ActiveAt()
	}); n != 0 {
		t.Errorf("Step: %v allocs", n)
	}
}

func BenchmarkStep(b *testing.B) {
	var tr Tracker
	now := t0
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Second)
		tr.Step(i%7 < 4, now, 3*time.Second, 2*time.Second)
	}
}
