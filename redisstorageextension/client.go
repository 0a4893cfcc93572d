package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
)

var (
	_ storage.Client = (*client)(nil)
	_ storage.Walker = (*client)(nil)
)

// Operation names of the errors counter.
const (
	opGet    = "get"
	opSet    = "set"
	opDelete = "delete"
	opBatch  = "batch"
	opWalk   = "walk"
)

// client is one component's view of the shared pool: every key it reads or
// writes carries its prefix.
type client struct {
	rdb        *redis.Client
	prefix     string
	expiration time.Duration
	tel        *metadata.TelemetryBuilder
}

func (c *client) failed(ctx context.Context, op string, err error) error {
	c.tel.ExtensionRedisStorageErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("operation", op)))
	return fmt.Errorf("redis_storage %s: %w", op, err)
}

// Get returns the value of key, or nil when it is absent.
func (c *client) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := c.rdb.Get(ctx, c.prefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, c.failed(ctx, opGet, err)
	}
	return b, nil
}

// Set stores value under key, with the configured expiration.
func (c *client) Set(ctx context.Context, key string, value []byte) error {
	if err := c.rdb.Set(ctx, c.prefix+key, value, c.expiration).Err(); err != nil {
		return c.failed(ctx, opSet, err)
	}
	return nil
}

// Delete removes key; an absent key is no error.
func (c *client) Delete(ctx context.Context, key string) error {
	if err := c.rdb.Del(ctx, c.prefix+key).Err(); err != nil {
		return c.failed(ctx, opDelete, err)
	}
	return nil
}

// Batch applies ops in one MULTI/EXEC transaction: callers write a record and
// its index together and must never see one without the other, which is
// what file_storage's transactions give them too. Gets read inside the
// transaction, so they see the writes before them in ops.
func (c *client) Batch(ctx context.Context, ops ...*storage.Operation) error {
	if len(ops) == 0 {
		return nil
	}
	for _, op := range ops {
		if op.Type != storage.Get && op.Type != storage.Set && op.Type != storage.Delete {
			return c.failed(ctx, opBatch, fmt.Errorf("unknown operation type %d", op.Type))
		}
	}
	gets := make(map[int]*redis.StringCmd)
	cmds, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, op := range ops {
			switch op.Type {
			case storage.Get:
				gets[i] = p.Get(ctx, c.prefix+op.Key)
			case storage.Set:
				p.Set(ctx, c.prefix+op.Key, op.Value, c.expiration)
			case storage.Delete:
				p.Del(ctx, c.prefix+op.Key)
			}
		}
		return nil
	})
	// A missing key read by a Get is reported as the pipeline's error; only
	// the other failures are failures.
	if err != nil && !errors.Is(err, redis.Nil) {
		return c.failed(ctx, opBatch, err)
	}
	for _, cmd := range cmds {
		if e := cmd.Err(); e != nil && !errors.Is(e, redis.Nil) {
			return c.failed(ctx, opBatch, e)
		}
	}
	for i, cmd := range gets {
		b, e := cmd.Bytes()
		if errors.Is(e, redis.Nil) {
			ops[i].Value = nil
			continue
		}
		ops[i].Value = b
	}
	return nil
}

// Close releases nothing: the pool belongs to the extension and outlives
// its clients.
func (*client) Close(context.Context) error { return nil }
