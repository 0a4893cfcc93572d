package modelmonstatusextension

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the
// server's, or a connection's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
