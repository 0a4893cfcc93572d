package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/internal/storagekv"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/alertstore"
)

// startStorage opens the storage extension, restores the saved firing alerts
// and starts the writer. Without storage it does nothing.
func (e *engine) startStorage(ctx context.Context, host component.Host) error {
	if e.cfg.Storage == nil {
		return nil
	}
	if host == nil {
		return fmt.Errorf("modelmon: storage %s: no host to find it in", e.cfg.Storage)
	}
	store, err := storagekv.Open(ctx, host, *e.cfg.Storage, component.KindProcessor, e.id, alertstore.ClientName)
	if err != nil {
		return fmt.Errorf("modelmon: %w", err)
	}
	// Changes can coalesce to one per alert (and one per model's owner
	// record with handoff), and there are at most that many.
	perModel := len(e.rules)
	if e.cfg.handoffOn() {
		perModel++
	}
	sv := alertstore.NewSaver(e.ctx, store, e.cfg.MaxModels*perModel, e.logger, e.tel)
	e.sendMu.Lock()
	e.saver = sv
	e.sendMu.Unlock()
	if e.cfg.handoffOn() {
		e.ho = newHandoff(e, store, sv)
	}
	e.restore(ctx, store)
	go sv.Run()
	if e.ho != nil {
		go e.ho.run()
	}
	return nil
}
