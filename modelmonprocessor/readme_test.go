package modelmonprocessor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// TestREADMEExample keeps the README's full configuration example valid.
func TestREADMEExample(t *testing.T) {
	cfg := readmeConfig(t, "## Full configuration example", "modelmon")
	require.Len(t, cfg.Rules, 4)
}

// readmeConfig decodes the first YAML block after heading in README.md and
// returns the validated config of the processor component id in it.
func readmeConfig(t *testing.T, heading, id string) *Config {
	t.Helper()
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(raw), heading)
	require.True(t, ok, heading)
	_, block, ok := strings.Cut(after, "```yaml\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)
	path := filepath.Join(t.TempDir(), "example.yaml")
	require.NoError(t, os.WriteFile(path, []byte(block), 0o600))
	cm, err := confmaptest.LoadConf(path)
	require.NoError(t, err)
	sub, err := cm.Sub("processors::" + id)
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	return cfg
}
