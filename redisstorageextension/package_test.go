package redisstorageextension

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// connection pool must be gone after Shutdown.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
