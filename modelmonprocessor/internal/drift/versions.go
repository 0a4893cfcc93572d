package drift

// MaxVersions bounds the versions a Versions remembers per model name: the
// serving one, the one it replaces, and one more for overlapping rollouts.
const MaxVersions = 3

// Versions is the memory behind `reference: previous_version` for one rule,
// one model name (the model key without its version) and one group: per
// recent version, its last full window and the reference it took.
//
// A version's reference is the last full window of the version that appeared
// most recently before it, copied when the new version first appears and
// kept from then on, even while the old version keeps reporting (rollouts
// overlap). If no earlier version had a full window yet at that moment, the
// reference is taken the first time one has. The very first version of a
// name has no reference, and its rule does not evaluate.
type Versions struct {
	entries []versionEntry
	seq     uint64
}

type versionEntry struct {
	version string
	seq     uint64 // order of first appearance
	last    Hist   // the last window with at least min_samples points
	full    bool
	ref     Hist
	hasRef  bool
	prev    string
}

// Observe records version's current window, full when it has at least
// min_samples points. Call it at every evaluation of a version's window,
// before Reference.
func (v *Versions) Observe(version string, window *Hist, full bool) {
	e := v.entry(version)
	if e == nil {
		e = v.add(version)
	}
	if full && window.Total() > 0 {
		e.last.CopyFrom(window)
		e.full = true
	}
	if !e.hasRef {
		v.takeRef(e)
	}
}

// Reference returns version's reference and the version it came from; ok is
// false while there is none.
func (v *Versions) Reference(version string) (ref *Hist, from string, ok bool) {
	e := v.entry(version)
	if e == nil || !e.hasRef {
		return nil, "", false
	}
	return &e.ref, e.prev, true
}

// Forget drops a version (its model key was evicted). Its last window stays
// out of later references.
func (v *Versions) Forget(version string) {
	for i := range v.entries {
		if v.entries[i].version == version {
			v.entries = append(v.entries[:i], v.entries[i+1:]...)
			return
		}
	}
}

// Len is the number of versions remembered.
func (v *Versions) Len() int { return len(v.entries) }

// MemSize is the heap memory held, in bytes.
func (v *Versions) MemSize() int {
	n := cap(v.entries) * 2 * 200 // entry headers, two Hist headers each, generously
	for i := range v.entries {
		n += v.entries[i].last.MemSize() + v.entries[i].ref.MemSize() + len(v.entries[i].version)
	}
	return n
}

func (v *Versions) entry(version string) *versionEntry {
	for i := range v.entries {
		if v.entries[i].version == version {
			return &v.entries[i]
		}
	}
	return nil
}

// add appends a version, dropping the earliest one beyond MaxVersions.
func (v *Versions) add(version string) *versionEntry {
	if len(v.entries) == MaxVersions {
		oldest := 0
		for i := range v.entries {
			if v.entries[i].seq < v.entries[oldest].seq {
				oldest = i
			}
		}
		// Reuse the dropped entry's buffers for the new version.
		last, ref := v.entries[oldest].last, v.entries[oldest].ref
		v.entries = append(v.entries[:oldest], v.entries[oldest+1:]...)
		last.Reset()
		ref.Reset()
		v.entries = append(v.entries, versionEntry{last: last, ref: ref})
	} else {
		v.entries = append(v.entries, versionEntry{})
	}
	v.seq++
	e := &v.entries[len(v.entries)-1]
	e.version, e.seq = version, v.seq
	return e
}

// takeRef copies the last full window of the version that appeared most
// recently before e, if it has one.
func (v *Versions) takeRef(e *versionEntry) {
	var best *versionEntry
	for i := range v.entries {
		c := &v.entries[i]
		if c.seq < e.seq && (best == nil || c.seq > best.seq) {
			best = c
		}
	}
	if best == nil || !best.full {
		return
	}
	e.ref.CopyFrom(&best.last)
	e.hasRef, e.prev = true, best.version
}
