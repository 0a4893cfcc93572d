package modelmonstatusextension

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

// TestREADMEExamples keeps the README's configuration examples valid: each
// modelmon_status entry unmarshals and validates.
func TestREADMEExamples(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	checked := 0
	for i, b := range strings.Split(string(raw), "```yaml\n")[1:] {
		b, _, ok := strings.Cut(b, "```")
		require.True(t, ok, "block %d is closed", i)
		path := filepath.Join(t.TempDir(), "example.yaml")
		require.NoError(t, os.WriteFile(path, []byte(b), 0o600))
		cm, err := confmaptest.LoadConf(path)
		require.NoError(t, err, "block %d", i)
		exts, _ := cm.ToStringMap()["extensions"].(map[string]any)
		for id, v := range exts {
			if !strings.HasPrefix(id, "modelmon_status") {
				continue
			}
			m, _ := v.(map[string]any)
			cfg := createDefaultConfig().(*Config)
			require.NoError(t, confmap.NewFromStringMap(m).Unmarshal(cfg), id)
			assert.NoError(t, confmap.Validate(cfg), id)
			checked++
		}
	}
	assert.Equal(t, 2, checked)
}
