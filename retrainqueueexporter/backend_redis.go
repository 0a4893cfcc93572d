package retrainqueueexporter

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/collector/component"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/job"
)

// idempotencyPrefix names the per-job records that stop a redelivered event
// from adding a second stream entry.
const idempotencyPrefix = "modelmon:job:"

// addOnce runs SET NX EX and XADD as one atomic step: were they separate, a
// failure between them would leave the record without the entry, and every
// retry would then skip the job forever.
var addOnce = redis.NewScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return false
end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'job_id', ARGV[1], 'job', ARGV[4])
`)

// redisBackend adds jobs to a Redis stream.
type redisBackend struct {
	cfg    *RedisConfig
	client *redis.Client
}

var _ backend = (*redisBackend)(nil)

func newRedisBackend(cfg *RedisConfig) *redisBackend {
	return &redisBackend{cfg: cfg}
}

func (b *redisBackend) start(ctx context.Context, _ component.Host) error {
	var tlsCfg *tls.Config
	if !b.cfg.TLS.Insecure {
		var err error
		if tlsCfg, err = b.cfg.TLS.LoadTLSConfig(ctx); err != nil {
			return fmt.Errorf("redis.tls: %w", err)
		}
	}
	b.client = redis.NewClient(&redis.Options{
		Addr:      b.cfg.Address,
		Username:  b.cfg.Username,
		Password:  string(b.cfg.Password),
		DB:        b.cfg.DB,
		TLSConfig: tlsCfg,
		// The exporter's timeout bounds each write through the context.
		ContextTimeoutEnabled: true,
	})
	return nil
}

func (b *redisBackend) write(ctx context.Context, j *job.Job, body []byte) error {
	if b.cfg.IdempotencyTTL <= 0 {
		err := b.client.XAdd(ctx, &redis.XAddArgs{
			Stream: b.cfg.Stream, MaxLen: b.cfg.MaxLen, Approx: true,
			Values: []any{"job_id", j.JobID, "job", string(body)},
		}).Err()
		if err != nil {
			return fmt.Errorf("redis XADD to %s: %w", b.cfg.Stream, err)
		}
		return nil
	}
	ttl := int64(b.cfg.IdempotencyTTL.Seconds())
	err := addOnce.Run(ctx, b.client,
		[]string{idempotencyPrefix + j.JobID, b.cfg.Stream},
		j.JobID, ttl, b.cfg.MaxLen, string(body)).Err()
	if errors.Is(err, redis.Nil) {
		// The record exists: this job was added before.
		return nil
	}
	if err != nil {
		return fmt.Errorf("redis add to %s: %w", b.cfg.Stream, err)
	}
	return nil
}

func (b *redisBackend) shutdown(context.Context) error {
	if b.client == nil {
		return nil
	}
	return b.client.Close()
}
