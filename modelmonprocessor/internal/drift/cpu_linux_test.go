package drift

import "syscall"

// threadCPU is the CPU time of the calling OS thread (user + system), so
// a benchmark on a shared machine can report what it used rather than how
// long it waited.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
