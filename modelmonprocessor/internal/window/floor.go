package window

// Floor is the age bound of a window kept without its samples, for a signal
// whose values no rule aggregates: the engine still needs to tell a late
// point of such a signal from an accepted one, but not to store it.
//
// It refuses what a Window of the same maxAge refuses by age: a time older
// than the newest time admitted minus maxAge. Holding no samples, it cannot
// refuse what only a window full by count would (a point older than every
// one of size samples that all lie within maxAge). Its zero value admits any
// time.
type Floor struct {
	// biased is the floor mapped to uint64 in order (sign bit flipped), so
	// that the zero value is the lowest floor and the type stays one word.
	biased uint64
}

func bias(t int64) uint64 { return uint64(t) ^ 1<<63 }

// Admit reports whether a sample at t (unix nanoseconds) is in time for a
// window of maxAge, and raises the floor when t is the newest time so far.
func (f *Floor) Admit(t, maxAge int64) bool {
	if bias(t) < f.biased {
		return false
	}
	f.biased = max(f.biased, bias(cutoff(t, maxAge)))
	return true
}
