// Package benchrun runs a quality bench that lives in an internal package of
// the processor: Go lets only code under modelmonprocessor/ import it, so the
// commands under bench/ run it with `go run` from the module root, passing
// their flags on.
package benchrun // import "github.com/visutility/otelcol-modelmon/internal/testing/benchrun"

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Main runs the package pkg (a path relative to the module root) with the
// command's arguments and exits with its status; name prefixes errors.
func Main(name, pkg string) {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
	cmd := exec.Command("go", append([]string{"run", pkg}, os.Args[1:]...)...)
	cmd.Dir = root
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, name+":", err)
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
		return "", errors.New("not inside the module")
	}
	return filepath.Dir(mod), nil
}
