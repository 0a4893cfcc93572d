package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// distroPath is the otelcol-modelmon binary under test.
var distroPath string

// repoRoot is the repository checkout the suite runs in.
var repoRoot string

// TestMain builds the distro once per run; make rebuilds it only when its
// manifest or the component sources are newer than the binary.
func TestMain(m *testing.M) {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	repoRoot = root
	distroPath = os.Getenv("MODELMON_DISTRO")
	if distroPath == "" {
		distroPath = filepath.Join(root, "_build", "otelcol-modelmon")
		cmd := exec.Command("make", "--no-print-directory", "-C", root, "build")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: make build failed:", err)
			os.Exit(1)
		}
	}
	if _, err := os.Stat(distroPath); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: distro missing:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
