package planner

import (
	"strconv"
	"testing"
	"time"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// BenchmarkAdd measures recording a violation for one of 1000 models.
func BenchmarkAdd(b *testing.B) {
	l := limits()
	l.MaxPending = 1000
	p := New(l)
	evs := make([]*modelevent.Event, 1000)
	for i := range evs {
		evs[i] = event("m"+strconv.Itoa(i), "acc", "e"+strconv.Itoa(i), t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Add(evs[i%len(evs)], t0.Add(time.Duration(i)))
	}
}

// BenchmarkSnapshot1000 measures persisting a planner with 1000 open jobs.
func BenchmarkSnapshot1000(b *testing.B) {
	l := limits()
	l.MaxPending = 1000
	p := New(l)
	for i := 0; i < 1000; i++ {
		p.Add(event("m"+strconv.Itoa(i), "acc", "e"+strconv.Itoa(i), t0), t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := p.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(s)))
	}
}
