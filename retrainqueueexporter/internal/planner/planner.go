// Package planner decides when violations become retraining jobs: it
// coalesces violations of one model key within a window into one job,
// suppresses jobs during a model's cooldown and holds jobs beyond the hourly
// cap until the hour rolls. It does no I/O and takes the time as an argument,
// so every guardrail is tested with a fake clock; the caller serialises
// access and persists Snapshot.
package planner

import (
	"sort"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// capWindow is the span over which MaxJobsPerHour is counted.
const capWindow = time.Hour

// Limits are the guardrails.
type Limits struct {
	// CoalesceWindow is how long a job accepts further violations of its
	// model after the first one; 0 makes every job due at once.
	CoalesceWindow time.Duration
	// Cooldown is how long after a job was written no second job is opened
	// for the same model.
	Cooldown time.Duration
	// MaxJobsPerHour caps writes across all models over any sliding hour.
	MaxJobsPerHour int
	// MaxPending bounds jobs not yet written (open, due or held).
	MaxPending int
	// MaxTriggers bounds the triggers kept in one job.
	MaxTriggers int
}

// Outcome is what Add did with a violation.
type Outcome int

// Outcomes of Add.
const (
	// Created: a new job was opened.
	Created Outcome = iota
	// Coalesced: the violation joined its model's open job.
	Coalesced
	// Duplicate: the same event was seen before; nothing changed.
	Duplicate
	// Cooldown: the model already has a job, closed or written within the
	// cooldown; the violation is suppressed.
	Cooldown
	// Full: MaxPending jobs are waiting; the violation was not recorded.
	Full
)

// String names the outcome for logs and telemetry.
func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Coalesced:
		return "coalesced"
	case Duplicate:
		return "duplicate"
	case Cooldown:
		return "cooldown"
	case Full:
		return "full"
	}
	return "unknown"
}

// model is the state of one model key.
type model struct {
	// Job is the job not yet written, if any.
	Job *job.Job `json:"job,omitempty"`
	// Held is set once the hourly cap delayed Job.
	Held bool `json:"held,omitempty"`
	// WrittenAt is when the last job of this model was written; its cooldown
	// runs from then.
	WrittenAt time.Time `json:"written_at,omitzero"`
	// LastEvents are the event ids of the last written job, so that a
	// redelivered event counts as a duplicate, not a suppression.
	LastEvents []string `json:"last_events,omitempty"`
}

// Planner holds the state of every model with an unwritten job or a running
// cooldown. It is not safe for concurrent use.
type Planner struct {
	limits  Limits
	models  map[string]*model
	written []time.Time // write times inside the cap window, oldest first
	pending int

	// dirty holds the model keys changed since the last Changes call, and
	// slotsDirty whether written changed: persisting costs what changed.
	dirty      map[string]struct{}
	slotsDirty bool
}

// New returns an empty Planner.
func New(l Limits) *Planner {
	return &Planner{limits: l, models: map[string]*model{}, dirty: map[string]struct{}{}}
}

// Pending is the number of jobs not yet written.
func (p *Planner) Pending() int { return p.pending }

// Add records the firing violation ev seen at now.
func (p *Planner) Add(ev *modelevent.Event, now time.Time) Outcome {
	key := job.KeyString(ev.ModelKey)
	m := p.models[key]
	if m != nil && m.Job != nil {
		switch {
		case m.Job.HasEvent(ev.EventID):
			return Duplicate
		case now.Before(m.Job.CreatedAt.Add(p.limits.CoalesceWindow)):
			if len(m.Job.TriggeredBy) < p.limits.MaxTriggers {
				m.Job.Add(&ev.Violation)
				p.dirty[key] = struct{}{}
			}
			return Coalesced
		}
		// The window closed: the job is decided and only waits to be written.
		return Cooldown
	}
	if m != nil && !m.WrittenAt.IsZero() && now.Before(m.WrittenAt.Add(p.limits.Cooldown)) {
		for _, id := range m.LastEvents {
			if id == ev.EventID {
				return Duplicate
			}
		}
		return Cooldown
	}
	if p.pending >= p.limits.MaxPending {
		return Full
	}
	if m == nil {
		m = &model{}
		p.models[key] = m
	}
	m.Job = job.New(ev, now)
	m.Held = false
	p.pending++
	p.dirty[key] = struct{}{}
	return Created
}

// Entry is a job handed out by Due, with the model key it belongs to.
type Entry struct {
	Key string
	Job *job.Job
}

// Due returns copies of the jobs to write now, oldest first: those whose
// window closed (every unwritten job when force is set), as many as the
// hourly cap allows. held lists the jobs the cap delayed for the first time.
func (p *Planner) Due(now time.Time, force bool) (due, held []Entry) {
	p.expire(now)
	var closed []Entry
	for k, m := range p.models {
		if m.Job != nil && (force || !now.Before(m.Job.CreatedAt.Add(p.limits.CoalesceWindow))) {
			closed = append(closed, Entry{Key: k, Job: m.Job})
		}
	}
	sort.Slice(closed, func(a, b int) bool {
		ja, jb := closed[a].Job, closed[b].Job
		if !ja.CreatedAt.Equal(jb.CreatedAt) {
			return ja.CreatedAt.Before(jb.CreatedAt)
		}
		return ja.JobID < jb.JobID
	})
	slots := p.limits.MaxJobsPerHour - len(p.written)
	for _, e := range closed {
		e.Job = clone(e.Job)
		if slots > 0 {
			due = append(due, e)
			slots--
			continue
		}
		if m := p.models[e.Key]; !m.Held {
			m.Held = true
			p.dirty[e.Key] = struct{}{}
			held = append(held, e)
		}
	}
	return due, held
}

// Written records that e reached the backend at now: its job leaves the
// pending set, the model's cooldown starts and a slot of the hourly cap is
// taken.
func (p *Planner) Written(e Entry, now time.Time) {
	m := p.remove(e)
	if m == nil {
		return
	}
	m.WrittenAt = now.UTC()
	m.LastEvents = e.Job.EventIDs()
	p.written = append(p.written, now.UTC())
	p.slotsDirty = true
}

// Drop forgets a job the backend refused for good; no cooldown starts.
func (p *Planner) Drop(e Entry) {
	if m := p.remove(e); m != nil && m.WrittenAt.IsZero() {
		delete(p.models, e.Key)
	}
}

// remove takes e's job out of the pending set; a stale entry (the job was
// already written or dropped) changes nothing.
func (p *Planner) remove(e Entry) *model {
	m := p.models[e.Key]
	if m == nil || m.Job == nil || m.Job.JobID != e.Job.JobID {
		return nil
	}
	m.Job = nil
	m.Held = false
	p.pending--
	p.dirty[e.Key] = struct{}{}
	return m
}

// expire forgets cooldowns that ran out and cap slots older than an hour, so
// the state stays bounded by the pending jobs plus the jobs of one cooldown.
func (p *Planner) expire(now time.Time) {
	for k, m := range p.models {
		if m.Job == nil && !now.Before(m.WrittenAt.Add(p.limits.Cooldown)) {
			delete(p.models, k)
			p.dirty[k] = struct{}{}
		}
	}
	i := 0
	for i < len(p.written) && !now.Before(p.written[i].Add(capWindow)) {
		i++
	}
	if i > 0 {
		p.written = append(p.written[:0], p.written[i:]...)
		p.slotsDirty = true
	}
}

func clone(j *job.Job) *job.Job {
	c := *j
	c.TriggeredBy = append([]job.Trigger(nil), j.TriggeredBy...)
	return &c
}
