package retrainqueueexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap/zapcore"
)

// TestCleartextWarning: a backend reached unencrypted on another machine
// gets one warning at start, naming it by host only.
func TestCleartextWarning(t *testing.T) {
	tests := []struct {
		name string
		cfg  func() *Config
		warn bool
	}{
		{name: "http remote", cfg: func() *Config { return httpConfig("http://airflow.example:8080/t0ken-path", PresetAirflow) }, warn: true},
		{name: "http loopback", cfg: func() *Config { return httpConfig("http://127.0.0.1:8080", PresetAirflow) }},
		{name: "https remote", cfg: func() *Config { return httpConfig("https://airflow.example", PresetAirflow) }},
		{name: "redis remote without TLS", cfg: func() *Config { return redisConfig("redis.example:6379") }, warn: true},
		{name: "redis remote with TLS", cfg: func() *Config {
			c := redisConfig("redis.example:6379")
			c.Redis.TLS.Insecure = false
			return c
		}},
		{name: "redis loopback", cfg: func() *Config { return redisConfig("localhost:6379") }},
		{name: "file", cfg: func() *Config {
			c := createDefaultConfig().(*Config)
			c.File.Directory = t.TempDir()
			return c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.cfg(), nil)
			warned := h.logs.FilterLevelExact(zapcore.WarnLevel).FilterMessageSnippet("can be read").All()
			if !tt.warn {
				assert.Empty(t, warned)
				return
			}
			if assert.Len(t, warned, 1) {
				assert.NotContains(t, allLogged(h.logs), "t0ken-path", "the endpoint is named by host only")
			}
		})
	}
}
