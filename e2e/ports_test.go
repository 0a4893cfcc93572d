package e2e

import (
	"net"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

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
