package redisstorageextension

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/visutility/otelcol-modelmon/redisstorageextension/internal/metadata"
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
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		want    func(c *Config)
		wantErr []string
	}{
		{name: "", want: func(*Config) {}},
		{name: "all_settings", want: func(c *Config) {
			c.Password = configopaque.String("s3cret")
			c.DB = 2
			c.Expiration = 5 * time.Minute
			c.Prefix = "test_"
		}},
		{name: "timeouts", want: func(c *Config) {
			c.Endpoint = "redis.modelmon.svc:6379"
			c.DialTimeout = 500 * time.Millisecond
			c.ReadTimeout = 250 * time.Millisecond
			c.WriteTimeout = 300 * time.Millisecond
		}},
		{name: "no_port", wantErr: []string{`endpoint "redis" must be host:port`}},
		{name: "empty_endpoint", wantErr: []string{"endpoint must be set"}},
		{name: "negative", wantErr: []string{
			"db must not be negative", "expiration must not be negative", "read_timeout must be positive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(t, tt.name)
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.ErrorContains(t, err, w)
				}
				return
			}
			require.NoError(t, err)
			want := NewFactory().CreateDefaultConfig().(*Config)
			tt.want(want)
			assert.Equal(t, want, cfg)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "localhost:6379", cfg.Endpoint, "contrib's default")
	assert.True(t, cfg.TLS.Insecure, "contrib's default")
	assert.Zero(t, cfg.Expiration, "keys live until deleted")
	assert.Equal(t, 2*time.Second, cfg.DialTimeout)
	assert.Equal(t, time.Second, cfg.ReadTimeout)
	assert.Equal(t, time.Second, cfg.WriteTimeout)
}

// The password is a configopaque.String: printing the config never shows it.
func TestPasswordRedacted(t *testing.T) {
	cfg, err := loadConfig(t, "all_settings")
	require.NoError(t, err)
	out := confmap.New()
	require.NoError(t, out.Marshal(cfg))
	assert.Equal(t, "[REDACTED]", out.Get("password"))
}
