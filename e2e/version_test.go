package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersionNamesCommit checks that --version names the release of the
// manifest and the commit the distro was built from.
func TestVersionNamesCommit(t *testing.T) {
	if os.Getenv("MODELMON_DISTRO") != "" {
		t.Skip("MODELMON_DISTRO names a prebuilt binary; its commit need not be this checkout's")
	}
	out, err := exec.Command(distroPath, "--version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "otelcol-modelmon version "+manifestVersion(t)+"+"+checkoutCommit(t), strings.TrimSpace(string(out)))
}

// manifestVersion is dist.version of builder-config.yaml.
func manifestVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "builder-config.yaml"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^  version: *(\S+)$`).FindSubmatch(b)
	require.NotNil(t, m, "builder-config.yaml has no dist.version")
	return string(m[1])
}

// checkoutCommit is the short commit of the checkout, or "unknown" outside git.
func checkoutCommit(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
