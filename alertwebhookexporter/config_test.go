package alertwebhookexporter

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	id := component.NewID(metadata.Type)
	if name != "" {
		id = component.NewIDWithName(metadata.Type, name)
	}
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	storage := component.MustNewID("file_storage")
	tests := []struct {
		name  string
		check func(t *testing.T, cfg *Config)
	}{
		{name: "", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, FormatJSON, cfg.Format)
			assert.Equal(t, 4*time.Hour, cfg.RepeatInterval)
			assert.Equal(t, time.Minute, cfg.ResendInterval)
			assert.True(t, cfg.SendResolved)
			assert.Equal(t, 10*time.Second, cfg.ClientConfig.Timeout)
			assert.Empty(t, string(cfg.ClientConfig.Compression), "compression is off by default")
			assert.Equal(t, 1, cfg.QueueConfig.Get().NumConsumers, "one consumer keeps notifications in order")
			assert.Nil(t, cfg.Storage)
		}},
		{name: "signed", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, []configopaque.String{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "old-raw-secret"}, cfg.SigningSecret)
			assert.Equal(t, "warning", cfg.MinSeverity)
			assert.Equal(t, "ml-oncall", cfg.Receiver)
			assert.Equal(t, time.Hour, cfg.RepeatInterval)
			assert.False(t, cfg.SendResolved)
			assert.Equal(t, &storage, cfg.Storage)
			assert.Equal(t, &storage, cfg.QueueConfig.Get().StorageID)
			assert.Equal(t, 500, cfg.MaxTrackedAlerts)
			assert.Equal(t, 5*time.Second, cfg.ClientConfig.Timeout)
			assert.Equal(t, time.Minute, cfg.RetryConfig.MaxElapsedTime)
		}},
		{name: "single_secret", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, []configopaque.String{"just-one-secret"}, cfg.SigningSecret)
		}},
		{name: "alertmanager", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, 30*time.Second, cfg.ResendInterval)
		}},
		{name: "slack", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, []string{"model.name"}, cfg.GroupBy)
			assert.Equal(t, 10*time.Second, cfg.GroupWait)
			assert.Equal(t, 2*time.Minute, cfg.GroupInterval)
			assert.Equal(t, 20, cfg.MaxAlerts)
		}},
		{name: "pagerduty", check: func(t *testing.T, cfg *Config) {
			assert.Equal(t, configopaque.String("R0UTING-KEY"), cfg.RoutingKey)
			e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
			require.NoError(t, err)
			assert.Equal(t, "https://events.pagerduty.com/v2/enqueue", e.url, "the Events API v2 URL by default")
		}},
	}
	for _, tt := range tests {
		t.Run("alert_webhook/"+tt.name, func(t *testing.T) {
			cfg, err := loadConfig(t, tt.name)
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "bad", want: []string{`format "teams" is not one of`}},
		{name: "bad_pagerduty", want: []string{
			"endpoint must be an http or https URL",
			"min_severity: unknown severity",
			"signing_secret applies to the json and alertmanager formats",
			"signing_secret[0]: secret with prefix whsec_ is not valid base64",
			"group_by applies to the json and slack formats",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(t, tt.name)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.ErrorContains(t, err, w)
			}
			assert.NotContains(t, err.Error(), "ftp://events.example", "errors do not quote the endpoint")
		})
	}
}

func TestValidateRequiredFields(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{name: "endpoint required", mutate: func(c *Config) { c.ClientConfig.Endpoint = "" }, want: "endpoint or webhook_url is required"},
		{name: "webhook url alone", mutate: func(c *Config) { c.ClientConfig.Endpoint = ""; c.WebhookURL = "https://hooks.example/T0/B0/tok" }, want: ""},
		{name: "endpoint and webhook url", mutate: func(c *Config) { c.WebhookURL = "https://hooks.example/T0/B0/tok" }, want: "set either endpoint or webhook_url, not both"},
		{name: "webhook url scheme", mutate: func(c *Config) { c.ClientConfig.Endpoint = ""; c.WebhookURL = "ftp://hooks.example/T0/B0/tok" }, want: "webhook_url must be an http or https URL"},
		{name: "webhook url pagerduty", mutate: func(c *Config) {
			c.Format, c.RoutingKey, c.ClientConfig.Endpoint, c.WebhookURL = FormatPagerDuty, "rk", "", "https://hooks.example/T0/B0/tok"
		}, want: "webhook_url does not apply to format \"pagerduty\""},
		{name: "routing key required", mutate: func(c *Config) { c.Format = FormatPagerDuty; c.RoutingKey = "" }, want: "routing_key is required"},
		{name: "resend interval", mutate: func(c *Config) { c.Format = FormatAlertmanager; c.ResendInterval = 0 }, want: "resend_interval must be positive"},
		{name: "negative repeat", mutate: func(c *Config) { c.RepeatInterval = -time.Second }, want: "repeat_interval must not be negative"},
		{name: "bounded state", mutate: func(c *Config) { c.MaxTrackedAlerts = 0 }, want: "max_tracked_alerts must be positive"},
		{name: "group interval", mutate: func(c *Config) { c.GroupBy = []string{"x"}; c.GroupInterval = 0 }, want: "group_interval must be positive, got 0s"},
		{name: "group wait", mutate: func(c *Config) { c.GroupBy = []string{"x"}; c.GroupWait = -time.Second }, want: "group_wait must not be negative, got -1s"},
		{name: "max alerts", mutate: func(c *Config) { c.MaxAlerts = -1 }, want: "max_alerts must not be negative"},
		{name: "external url relative", mutate: func(c *Config) { c.ExternalURL = "grafana/d/models" }, want: "external_url must be an http or https URL"},
		{name: "external url scheme", mutate: func(c *Config) { c.ExternalURL = "javascript:alert(1)" }, want: "external_url must be an http or https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("https://hooks.example/x", FormatJSON)
			tt.mutate(cfg)
			err := cfg.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "tok", "errors do not quote the webhook URL")
		})
	}
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	assert.Equal(t, metadata.LogsStability, f.LogsStability())
	cfg := f.CreateDefaultConfig()
	require.NoError(t, componenttest.CheckConfigStruct(cfg))
	c := cfg.(*Config)
	c.ClientConfig.Endpoint = "https://hooks.example/x"
	require.NoError(t, c.Validate())
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, exp.Shutdown(context.Background()))
}

func TestStartFailsOnMissingStorage(t *testing.T) {
	cfg := testConfig("https://hooks.example/x", FormatJSON)
	id := component.MustNewID("file_storage")
	cfg.Storage = &id
	e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	err = e.start(context.Background(), componenttest.NewNopHost())
	assert.ErrorContains(t, err, `storage extension "file_storage" not found`)
	require.NoError(t, e.shutdown(context.Background()))
}
