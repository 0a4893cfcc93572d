// Package alertwebhookexporter is the alert_webhook logs exporter: it turns
// modelmon violation events into notifications for people, as signed
// Alertmanager-style webhooks, Alertmanager alerts, Slack messages or
// PagerDuty events, with Alertmanager's dedup, repeat and resolve semantics.
package alertwebhookexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
)

// Defaults, as Alertmanager's where it has one.
const (
	defaultTimeout          = 10 * time.Second
	defaultRepeatInterval   = 4 * time.Hour
	defaultResendInterval   = time.Minute
	defaultGroupWait        = 30 * time.Second
	defaultGroupInterval    = 5 * time.Minute
	defaultMaxTrackedAlerts = 10000
)

// NewFactory returns the alert_webhook exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = defaultTimeout
	queue := exporterhelper.NewDefaultQueueConfig()
	// One consumer keeps a firing ahead of its resolution.
	queue.NumConsumers = 1
	return &Config{
		ClientConfig:     client,
		QueueConfig:      configoptional.Some(queue),
		RetryConfig:      configretry.NewDefaultBackOffConfig(),
		Format:           FormatJSON,
		RepeatInterval:   defaultRepeatInterval,
		ResendInterval:   defaultResendInterval,
		SendResolved:     true,
		GroupWait:        defaultGroupWait,
		GroupInterval:    defaultGroupInterval,
		MaxTrackedAlerts: defaultMaxTrackedAlerts,
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(c, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// The HTTP client's timeout bounds each attempt, as in core's otlphttp exporter.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	)
}
