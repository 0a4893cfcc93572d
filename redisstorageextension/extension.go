// Package redisstorageextension is a storage extension over Redis: the
// components of several collectors that reach the same Redis share their
// state through it (the firing alerts of the modelmon processor, the dedup
// state of alert_webhook, the retraining planner of retrain_queue).
package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
)

var _ storage.Extension = (*redisStorage)(nil)

// redisStorage owns one connection pool that every client shares; a client
// is only a key prefix over it.
type redisStorage struct {
	cfg    *Config
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	rdb    *redis.Client
}

func newStorage(set extension.Settings, cfg *Config) (*redisStorage, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &redisStorage{cfg: cfg, logger: set.Logger, tel: tel}, nil
}

// Start opens the pool. An unreachable Redis is logged, not fatal: the
// collector's pipelines must run without it, and the pool connects once
// the server answers.
func (s *redisStorage) Start(ctx context.Context, _ component.Host) error {
	tlsCfg, err := s.cfg.TLS.LoadTLSConfig(ctx)
	if err != nil {
		return fmt.Errorf("redis_storage tls: %w", err)
	}
	s.rdb = redis.NewClient(&redis.Options{
		Addr:      s.cfg.Endpoint,
		Password:  string(s.cfg.Password),
		DB:        s.cfg.DB,
		TLSConfig: tlsCfg,

		DialTimeout: s.cfg.DialTimeout,
		// One dial per attempt: the library's default of five dials with
		// pauses would multiply the cost of every operation during an outage.
		DialerRetries: 1,
		ReadTimeout:   s.cfg.ReadTimeout,
		WriteTimeout:  s.cfg.WriteTimeout,
		// Callers retry on their own schedule (the next flush, the next
		// tick); retrying inside an operation would only hold them longer.
		MaxRetries:            -1,
		ContextTimeoutEnabled: true,
		PoolTimeout:           s.cfg.ReadTimeout,
		// CLIENT SETINFO is noise on servers that lack it and tells nothing here.
		DisableIdentity: true,
	})
	pingCtx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout+s.cfg.ReadTimeout)
	defer cancel()
	if err := s.rdb.Ping(pingCtx).Err(); err != nil {
		s.logger.Warn("Redis is not reachable yet; storage operations fail until it is",
			zap.String("endpoint", s.cfg.Endpoint), zap.Error(err))
	}
	return nil
}

// Shutdown closes the pool; clients handed out before fail from then on.
func (s *redisStorage) Shutdown(context.Context) error {
	if s.rdb == nil {
		return nil
	}
	err := s.rdb.Close()
	s.rdb = nil
	if errors.Is(err, redis.ErrClosed) {
		return nil
	}
	return err
}

// GetClient returns the client of one component's storage: its keys carry a
// prefix made of the component's kind, type, name and storage name, so that
// components never see each other's keys.
func (s *redisStorage) GetClient(_ context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	if s.rdb == nil {
		return nil, errors.New("redis_storage is not started")
	}
	return &client{
		rdb:        s.rdb,
		prefix:     clientPrefix(kind, id, name, s.cfg.Prefix),
		expiration: s.cfg.Expiration,
		tel:        s.tel,
	}, nil
}
