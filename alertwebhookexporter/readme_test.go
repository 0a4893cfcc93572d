package alertwebhookexporter

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// envRef is a ${env:NAME} reference; the examples read secrets that way.
var envRef = regexp.MustCompile(`\$\{env:[A-Z0-9_]+\}`)

// TestREADMEExamples keeps every alert_webhook block of the README valid:
// each YAML snippet is parsed, and each alert_webhook[/name] entry in it (at
// the top or under exporters:) unmarshals and validates.
func TestREADMEExamples(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := strings.Split(string(raw), "```yaml\n")[1:]
	require.NotEmpty(t, blocks)
	checked := 0
	for i, b := range blocks {
		b, _, ok := strings.Cut(b, "```")
		require.True(t, ok, "block %d is closed", i)
		b = envRef.ReplaceAllString(b, "example-secret-value")
		path := filepath.Join(t.TempDir(), "example.yaml")
		require.NoError(t, os.WriteFile(path, []byte(b), 0o600))
		cm, err := confmaptest.LoadConf(path)
		require.NoError(t, err, "block %d", i)
		doc := cm.ToStringMap()
		if ex, ok := doc["exporters"].(map[string]any); ok {
			doc = ex
		}
		for id, v := range doc {
			if !strings.HasPrefix(id, "alert_webhook") {
				continue
			}
			t.Run(id, func(t *testing.T) {
				m, _ := v.(map[string]any)
				cfg := createDefaultConfig().(*Config)
				require.NoError(t, cfg.Unmarshal(confmap.NewFromStringMap(m)))
				assert.NoError(t, confmap.Validate(cfg))
			})
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 5, "one example per format and the pipeline")
}
