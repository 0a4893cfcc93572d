package modelmonstatusextension

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/confignet"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/visutility/otelcol-modelmon/modelmonstatusextension/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	load := func(name string) (*Config, error) {
		cfg := createDefaultConfig().(*Config)
		sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
		require.NoError(t, err)
		require.NoError(t, sub.Unmarshal(cfg))
		return cfg, confmap.Validate(cfg)
	}

	cfg, err := load("")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8890", cfg.NetAddr.Endpoint)
	assert.Equal(t, 100, cfg.PageSize)

	cfg, err = load("custom")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", cfg.NetAddr.Endpoint)
	assert.Equal(t, 25, cfg.PageSize)

	_, err = load("badpage")
	assert.ErrorContains(t, err, "page_size: must be between 1 and 1000, got 5000")
}

func TestNonLoopbackWithoutAuthWarns(t *testing.T) {
	for _, tc := range []struct {
		endpoint  string
		transport confignet.TransportType
		auth      bool
		warns     bool
	}{
		{endpoint: "127.0.0.1:8890"},
		{endpoint: "localhost:8890"},
		{endpoint: "[::1]:8890"},
		{endpoint: "/run/modelmon.sock", transport: confignet.TransportTypeUnix},
		{endpoint: ":8890", warns: true},
		{endpoint: "0.0.0.0:8890", warns: true},
		{endpoint: "status.internal:8890", warns: true},
		{endpoint: "0.0.0.0:8890", auth: true},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.NetAddr.Endpoint = tc.endpoint
			if tc.transport != "" {
				cfg.NetAddr.Transport = tc.transport
			}
			if tc.auth {
				cfg.Auth = configoptional.Some(confighttp.AuthConfig{})
			}
			core, logs := observer.New(zap.WarnLevel)
			warnIfExposed(zap.New(core), cfg)
			assert.Equal(t, tc.warns, logs.Len() == 1)
		})
	}
}

func TestMetadataYAMLMatchesCode(t *testing.T) {
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	assert.Equal(t, metadata.Type.String(), cm.Get("type"))
	assert.Equal(t, "extension", cm.Get("status::class"))
	assert.Equal(t, []any{"extension"}, cm.Get("status::stability::alpha"))
	assert.Equal(t, component.StabilityLevelAlpha, metadata.ExtensionStability)
	assert.Equal(t, metadata.ExtensionStability, NewFactory().Stability())
}
