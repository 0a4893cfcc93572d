package strategy

import "time"

// windowBuckets is how many slices a rolling reference window is cut into.
// Expiry is per bucket, so the window covers between (n-1)/n and all of its
// length; 12 keeps that within 8% at a fixed 12×24 bytes per detector.
const windowBuckets = 12

// bucket holds Welford moments of the samples whose time fell into one slice.
type bucket struct {
	id int64 // slice number since the epoch; 0 with n == 0 is empty
	moments
}

// rollingMoments is the mean and σ over the last window of time, in O(1)
// memory: a fixed ring of time buckets, merged on read.
type rollingMoments struct {
	width   int64 // nanoseconds per bucket
	latest  int64 // highest slice number seen; samples never move it back
	seen    bool
	buckets [windowBuckets]bucket
}

func newRollingMoments(window time.Duration) rollingMoments {
	w := int64(window) / windowBuckets
	if w < 1 {
		w = 1
	}
	return rollingMoments{width: w}
}

// advance moves the window to t; late samples count in the newest bucket, so
// out-of-order points can neither resurrect nor corrupt expired slices.
func (r *rollingMoments) advance(t time.Time) {
	id := t.UnixNano() / r.width
	if !r.seen || id > r.latest {
		r.latest = id
		r.seen = true
	}
}

func (r *rollingMoments) add(x float64) {
	b := &r.buckets[r.slot(r.latest)]
	if b.id != r.latest || b.n == 0 {
		*b = bucket{id: r.latest}
	}
	b.add(x)
}

func (r *rollingMoments) slot(id int64) int {
	s := int(id % windowBuckets)
	if s < 0 {
		s += windowBuckets
	}
	return s
}

// merged combines the live buckets with Chan et al.'s parallel update.
func (r *rollingMoments) merged() moments {
	var m moments
	for i := range r.buckets {
		b := &r.buckets[i]
		if b.n == 0 || b.id <= r.latest-windowBuckets || b.id > r.latest {
			continue
		}
		if m.n == 0 {
			m = b.moments
			continue
		}
		n := m.n + b.n
		d := b.mean - m.mean
		m.m2 += b.m2 + d*d*float64(m.n)*float64(b.n)/float64(n)
		m.mean += d * float64(b.n) / float64(n)
		m.n = n
	}
	return m
}

func (r *rollingMoments) reset() {
	*r = rollingMoments{width: r.width}
}
