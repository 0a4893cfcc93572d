// Command drift runs the detection-quality bench of the drift distances
// (`make bench-drift`). The distances live in an internal package of the
// processor, which Go lets only code under modelmonprocessor/ import, so the
// bench itself is modelmonprocessor/internal/testing/driftquality and this command
// runs it from the module root, passing its flags on. README.md here explains
// the method; docs/drift.md holds the last printed tables.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const benchPkg = "./modelmonprocessor/internal/testing/driftquality"

func main() {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-drift:", err)
		os.Exit(1)
	}
	cmd := exec.Command("go", append([]string{"run", benchPkg}, os.Args[1:]...)...)
	cmd.Dir = root
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "bench-drift:", err)
		os.Exit(1)
	}
}

// moduleRoot finds the directory of go.mod, so the bench runs from anywhere
// inside the repository.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the module")
	}
	return filepath.Dir(mod), nil
}
