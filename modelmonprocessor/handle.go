package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// handle is one pipeline's use of a shared engine; it makes Shutdown
// idempotent per processor so the reference count stays right.
type handle struct {
	shared *sharedEngine
	once   sync.Once
}

func (h *handle) start(ctx context.Context, host component.Host) error {
	return h.shared.start(ctx, host)
}

func (h *handle) shutdown(ctx context.Context) error {
	var err error
	h.once.Do(func() { err = h.shared.shutdown(ctx) })
	return err
}
