package retrainqueueexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// backend hands a job to where training runs. write must be idempotent on
// the job id: the same job may be written again after a crash or a timeout.
// A permanent error (consumererror.NewPermanent) means the job can never be
// accepted; any other error is retried.
type backend interface {
	start(ctx context.Context, host component.Host) error
	write(ctx context.Context, j *job.Job, body []byte) error
	shutdown(ctx context.Context) error
}

func newBackend(cfg *Config, set component.TelemetrySettings) (backend, error) {
	switch cfg.Backend {
	case BackendHTTP:
		return newHTTPBackend(&cfg.HTTP, set)
	case BackendRedis:
		return newRedisBackend(&cfg.Redis), nil
	default:
		return &fileBackend{cfg: cfg.File}, nil
	}
}
