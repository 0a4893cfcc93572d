package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// registry holds one engine per component ID, so that the same ID listed in
// a metrics and a logs pipeline shares its models, rules and event delivery.
// Each factory owns one: components built from one factory share, and a
// second factory (another collector in the same process, a test) starts
// from nothing. Keyed by ID rather than by config as core's memory_limiter
// keys its map, because two IDs with equal configs are two processors with
// separate state. Core's sharedcomponent is internal, hence this small
// equivalent.
type registry struct {
	mu sync.Mutex
	m  map[component.ID]*sharedEngine
}

// sharedEngine reference-counts Start and Shutdown across the pipelines
// that use one engine: the first Start starts it, the last Shutdown stops it
// and forgets it, so a reloaded config gets a fresh engine.
type sharedEngine struct {
	id  component.ID
	reg *registry
	*engine

	users int // created processors not yet shut down; guarded by reg.mu

	mu      sync.Mutex
	started int
}

func newRegistry() *registry {
	return &registry{m: map[component.ID]*sharedEngine{}}
}

// lookup returns the engine of id, or nil.
func (r *registry) lookup(id component.ID) *sharedEngine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[id]
}

// len is the number of engines held.
func (r *registry) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}

// getOrCreate returns the engine of id, creating it with newEngine on first use.
func (r *registry) getOrCreate(id component.ID, newEngine func() (*engine, error)) (*sharedEngine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.m[id]; ok {
		s.users++
		return s, nil
	}
	e, err := newEngine()
	if err != nil {
		return nil, err
	}
	s := &sharedEngine{id: id, reg: r, engine: e, users: 1}
	r.m[id] = s
	return s, nil
}

// start starts the engine on the first call.
func (s *sharedEngine) start(ctx context.Context, host component.Host) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.started++
	if s.started > 1 {
		return nil
	}
	return s.engine.start(ctx, host)
}

// shutdown stops the engine when its last user shuts down. A processor that
// was created but never started still counts as a user, as in core.
func (s *sharedEngine) shutdown(ctx context.Context) error {
	s.reg.mu.Lock()
	s.users--
	last := s.users == 0
	if last && s.reg.m[s.id] == s {
		delete(s.reg.m, s.id)
	}
	s.reg.mu.Unlock()
	if !last {
		return nil
	}
	return s.engine.shutdown(ctx)
}
