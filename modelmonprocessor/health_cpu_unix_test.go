//go:build unix

package modelmonprocessor

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used so far, user and
// system, over all threads (the garbage collector's workers included).
// On a machine shared with other work it does not count the time the
// benchmark waited for a core, which wall time does.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
