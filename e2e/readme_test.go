package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeExamplesValidate runs every YAML snippet of the README's "Example
// pipelines" section through the distro's validation, on top of the default
// config, so that the front page cannot drift from the components' keys.
func TestReadmeExamplesValidate(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	blocks := yamlBlocks(section(string(b), "## Example pipelines"))
	require.GreaterOrEqual(t, len(blocks), 5, "Slack, PagerDuty, Alertmanager, Airflow and Redis examples")
	dir := t.TempDir()
	for i, block := range blocks {
		t.Run("example "+strconv.Itoa(i+1), func(t *testing.T) {
			path := filepath.Join(dir, "example-"+strconv.Itoa(i+1)+".yaml")
			require.NoError(t, os.WriteFile(path, []byte(block), 0o600))
			cmd := exec.Command(distroPath, "validate", "--config", "otelcol-config.yaml", "--config", path)
			cmd.Dir = repoRoot
			cmd.Env = append(cmd.Environ(), "MODELMON_VAR="+dir,
				"SLACK_WEBHOOK_URL=https://hooks.slack.example/services/T0/B0/x",
				"PAGERDUTY_ROUTING_KEY=0123456789abcdef0123456789abcdef",
				"AIRFLOW_BASIC_AUTH=dXNlcjpwYXNz", "REDIS_PASSWORD=secret")
			out, err := cmd.CombinedOutput()
			assert.NoError(t, err, "%s\n%s", block, out)
		})
	}
}

// section returns the markdown from heading to the next heading of its level.
func section(md, heading string) string {
	start := strings.Index(md, "\n"+heading+"\n")
	if start < 0 {
		return ""
	}
	rest := md[start+len(heading)+2:]
	if end := strings.Index(rest, "\n## "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// yamlBlocks returns the bodies of the ```yaml fences in md.
func yamlBlocks(md string) []string {
	var out []string
	for {
		start := strings.Index(md, "```yaml\n")
		if start < 0 {
			return out
		}
		md = md[start+len("```yaml\n"):]
		end := strings.Index(md, "```")
		if end < 0 {
			return out
		}
		out = append(out, md[:end])
		md = md[end+3:]
	}
}
