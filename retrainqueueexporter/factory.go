// Package retrainqueueexporter provides the retrain_queue logs exporter: it
// turns modelmon violation events that ask for retraining into durable,
// idempotent retraining jobs in a directory queue, a training orchestrator
// (Airflow, Argo Workflows, Kubeflow Pipelines or any HTTP endpoint) or a
// Redis stream.
package retrainqueueexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/visutility/otelcol-modelmon/retrainqueueexporter/internal/metadata"
)

// NewFactory returns the factory of the retrain_queue exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = 30 * time.Second
	return &Config{
		Backend:        BackendFile,
		CoalesceWindow: 30 * time.Second,
		Cooldown:       time.Hour,
		MaxJobsPerHour: 10,
		MaxPending:     1000,
		File:           FileConfig{Directory: "./var/retrain-queue", MaxReady: 1000},
		HTTP:           HTTPConfig{ClientConfig: client, Preset: PresetGeneric},
		Redis: RedisConfig{
			Address:        "localhost:6379",
			TLS:            configtls.ClientConfig{Insecure: true},
			Stream:         "modelmon:retrain",
			MaxLen:         10000,
			IdempotencyTTL: 24 * time.Hour,
		},
		// Orchestrator APIs answer slower than telemetry backends.
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: 30 * time.Second},
		QueueConfig:   configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
		RetryConfig:   configretry.NewDefaultBackOffConfig(),
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(c, set, time.Now)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.consumeLogs,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	)
}
