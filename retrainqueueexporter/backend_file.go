package retrainqueueexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/filequeue"
	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// fileBackend writes jobs into the embedded directory queue.
type fileBackend struct {
	cfg   FileConfig
	queue *filequeue.Queue
}

var _ backend = (*fileBackend)(nil)

func (b *fileBackend) start(context.Context, component.Host) error {
	q, err := filequeue.Open(b.cfg.Directory, b.cfg.MaxReady)
	if err != nil {
		return err
	}
	b.queue = q
	return nil
}

// write returns filequeue.ErrFull when ready/ is at max_ready: a retryable
// error, so the job waits until workers claim jobs.
func (b *fileBackend) write(_ context.Context, j *job.Job, body []byte) error {
	return b.queue.Put(j.JobID, j.CreatedAt, body)
}

func (b *fileBackend) shutdown(context.Context) error { return nil }
