package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplesValidate runs `otelcol-modelmon validate` on every
// examples/<source>/otelcol.yaml: each is a complete config a user starts from.
func TestExamplesValidate(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join(repoRoot, "examples"))
	require.NoError(t, err)
	var sources []string
	for _, d := range dirs {
		if d.IsDir() {
			sources = append(sources, d.Name())
		}
	}
	assert.Subset(t, sources, []string{"genai", "vllm", "triton", "kserve", "tgi"})
	for _, src := range sources {
		t.Run(src, func(t *testing.T) {
			path := filepath.Join(repoRoot, "examples", src, "otelcol.yaml")
			out, err := exec.Command(distroPath, "validate", "--config", path).CombinedOutput()
			assert.NoError(t, err, "%s", out)
		})
	}
}
