package modelmonprocessor

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// background loop must end at Shutdown.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
