package redisstorageextension

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// TestREADMEExample keeps the README's configuration valid: its
// redis_storage entry unmarshals and validates, and the keys its table
// documents are the keys the config has.
func TestREADMEExample(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	text := string(raw)
	_, block, ok := strings.Cut(text, "```yaml\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)
	block = strings.ReplaceAll(block, "${env:REDIS_PASSWORD}", "example-secret-value")
	path := filepath.Join(t.TempDir(), "example.yaml")
	require.NoError(t, os.WriteFile(path, []byte(block), 0o600))
	cm, err := confmaptest.LoadConf(path)
	require.NoError(t, err)
	sub, err := cm.Sub("extensions::redis_storage")
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "redis.monitoring.svc:6379", cfg.Endpoint)

	all := confmap.New()
	require.NoError(t, all.Marshal(NewFactory().CreateDefaultConfig()))
	for _, key := range all.AllKeys() {
		top, _, _ := strings.Cut(key, confmap.KeyDelimiter)
		assert.Contains(t, text, "| `"+top+"` |", "README documents %s", top)
	}
}
