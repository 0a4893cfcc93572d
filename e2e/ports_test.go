package e2e

import (
	"os"
	"os/exec"
	"testing"

	"github.com/visutility/otelcol-modelmon/internal/testing/ports"
)

// freePort returns a loopback TCP port for a server the test starts.
func freePort(t *testing.T) int { return ports.Free(t) }

// requireProgram returns the path of an external server the test needs. When
// it is missing the test is skipped, except in CI (CI=true), where it fails:
// CI installs it (scripts/install-deps.sh).
func requireProgram(t *testing.T, name string, fallbacks ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, f := range fallbacks {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			return f
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (run scripts/install-deps.sh)", name)
	}
	t.Skipf("%s is not installed; run scripts/install-deps.sh (in CI this fails)", name)
	return ""
}
