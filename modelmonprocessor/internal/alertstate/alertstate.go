// Package alertstate is the Prometheus alerting-rule lifecycle for one rule
// and one model: inactive → pending when the condition starts to hold,
// pending → firing once it has held for `for`, and firing → resolved once it
// has been false for `keep_firing_for`.
//
// It follows Prometheus' rules/alerting.go evaluation step by step: `for` is
// measured from the first evaluation at which the condition held (ActiveAt) to
// the current evaluation time, a pending alert whose condition stops holding
// is dropped, and keep_firing_for is measured from the first evaluation at
// which a firing alert's condition no longer held.
package alertstate

import (
	"fmt"
	"time"
)

// State is an alert's state, as in Prometheus' ALERTS series.
type State uint8

// States.
const (
	Inactive State = iota
	Pending
	Firing
)

// String returns "inactive", "pending" or "firing".
func (s State) String() string {
	switch s {
	case Inactive:
		return "inactive"
	case Pending:
		return "pending"
	case Firing:
		return "firing"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Transition is what one Step changed.
type Transition uint8

// Transitions. The engine emits a firing event on ToFiring and a resolved
// event on Resolved; ToPending and PendingCleared only move health metrics.
const (
	None Transition = iota
	ToPending
	ToFiring
	Resolved
	PendingCleared
)

// String returns the transition in snake case ("to_firing"…).
func (t Transition) String() string {
	switch t {
	case None:
		return "none"
	case ToPending:
		return "to_pending"
	case ToFiring:
		return "to_firing"
	case Resolved:
		return "resolved"
	case PendingCleared:
		return "pending_cleared"
	}
	return fmt.Sprintf("transition(%d)", uint8(t))
}

// Tracker is the lifecycle of one rule for one model. The zero value is
// Inactive and ready; a Tracker holds no pointers and never allocates. Times
// are kept as unix nanoseconds (32 bytes in all), since one exists per rule
// per model. Not safe for concurrent use.
type Tracker struct {
	state State
	// keeping is true while a firing alert's condition is false and
	// keep_firing_for has not yet run out; keepSince is when that began.
	keeping bool
	stepped bool // a Step has run: last is meaningful
	episode bool // an episode has begun: activeAt is meaningful
	// activeAt is when the condition first held in the current or most recent
	// episode; it outlives the episode so the resolved event can carry it.
	activeAt  int64
	keepSince int64
	last      int64
}

// Step advances the lifecycle with the condition evaluated at time now and
// returns what changed.
//
// forDur is how long the condition must hold before a pending alert fires; 0
// fires at the first true, and Step then returns ToFiring straight from
// Inactive. keepFiringFor is how long a firing alert's condition must be
// false before it resolves; 0 resolves at the first false. Every firing
// episode yields exactly one ToFiring and, if it ends, exactly one Resolved.
//
// To let `for` and keep_firing_for run out without new data, call Step with
// the last known condition and the current time. Time never goes backwards: a
// now earlier than the previous Step's is taken as the previous Step's time,
// so the condition still counts but no duration shrinks.
func (t *Tracker) Step(cond bool, now time.Time, forDur, keepFiringFor time.Duration) Transition {
	ts := now.UnixNano()
	if t.stepped && ts < t.last {
		ts = t.last
	}
	t.stepped, t.last = true, ts

	if cond {
		switch t.state {
		case Inactive:
			t.state, t.activeAt, t.episode, t.keeping = Pending, ts, true, false
			if forDur <= 0 {
				t.state = Firing
				return ToFiring
			}
			return ToPending
		case Pending:
			if ts-t.activeAt >= int64(forDur) {
				t.state = Firing
				return ToFiring
			}
		case Firing:
			t.keeping = false
		}
		return None
	}

	switch t.state {
	case Pending:
		t.state = Inactive
		return PendingCleared
	case Firing:
		if keepFiringFor > 0 {
			if !t.keeping {
				t.keeping, t.keepSince = true, ts
			}
			if ts-t.keepSince < int64(keepFiringFor) {
				return None
			}
		}
		t.state, t.keeping = Inactive, false
		return Resolved
	}
	return None
}

// Due returns the time at which the lifecycle changes next if the
// condition stays as last stepped: a pending alert fires at ActiveAt + for,
// a firing alert kept by keep_firing_for resolves when that runs out. ok is
// false when no such change is scheduled. Stepping at the returned time
// with the last condition makes that change; the time is a function of the
// data alone, so every replica fed the same points stamps the same change,
// whenever its clock happened to look.
func (t *Tracker) Due(forDur, keepFiringFor time.Duration) (at int64, ok bool) {
	switch {
	case t.state == Pending && forDur > 0:
		return t.activeAt + int64(forDur), true
	case t.state == Firing && t.keeping && keepFiringFor > 0:
		return t.keepSince + int64(keepFiringFor), true
	}
	return 0, false
}

// Last returns the time of the latest Step (unix nanoseconds), the
// lifecycle's own clock; zero before the first.
func (t *Tracker) Last() int64 { return t.last }

// State returns the current state.
func (t *Tracker) State() State { return t.state }

// ActiveAt returns when the condition first held in the current episode —
// Prometheus' ActiveAt, the event's modelmon.alert.started_at. After the
// episode ends (Resolved, PendingCleared, ForceResolve) it still returns that
// episode's start, for the resolved event, until the next episode begins. The
// zero time before any episode.
func (t *Tracker) ActiveAt() time.Time {
	if !t.episode {
		return time.Time{}
	}
	return time.Unix(0, t.activeAt).UTC()
}

// ForceResolve ends the episode without waiting for the condition, as when a
// model's state is evicted. It returns true if the alert was firing (the
// caller then emits a resolved event, reason expired). The tracker becomes
// Inactive; ActiveAt keeps the ended episode's start.
func (t *Tracker) ForceResolve() bool {
	was := t.state == Firing
	t.state, t.keeping = Inactive, false
	return was
}

// Restore puts the tracker into Firing for an episode that began at
// activeAt, as saved before a restart: no ToFiring follows (the firing was
// already reported), and the resolved event carries activeAt. keep_firing_for
// starts afresh at the first false condition.
func (t *Tracker) Restore(activeAt time.Time) {
	*t = Tracker{state: Firing, episode: true, activeAt: activeAt.UnixNano()}
}
