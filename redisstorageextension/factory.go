package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/extension"

	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
)

// Defaults. The timeouts are short because every user keeps Redis off its
// hot path and treats a failed operation as "try later": a quick error is
// worth more than a slow success.
const (
	defaultEndpoint     = "localhost:6379"
	defaultDialTimeout  = 2 * time.Second
	defaultReadTimeout  = time.Second
	defaultWriteTimeout = time.Second
)

// NewFactory returns the redis_storage extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, createExtension, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{
		Endpoint:     defaultEndpoint,
		TLS:          configtls.ClientConfig{Insecure: true},
		DialTimeout:  defaultDialTimeout,
		ReadTimeout:  defaultReadTimeout,
		WriteTimeout: defaultWriteTimeout,
	}
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newStorage(set, cfg.(*Config))
}
