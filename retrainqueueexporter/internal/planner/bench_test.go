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

// BenchmarkChangeWith1000Pending measures recording one new job and encoding
// what must be persisted while 1000 jobs wait.
func BenchmarkChangeWith1000Pending(b *testing.B) {
	l := limits()
	l.MaxPending = 1000 + b.N
	p := New(l)
	for i := 0; i < 1000; i++ {
		p.Add(event("m"+strconv.Itoa(i), "acc", "e"+strconv.Itoa(i), t0), t0)
	}
	if _, _, err := p.Changes(); err != nil {
		b.Fatal(err)
	}
	evs := make([]*modelevent.Event, b.N)
	for i := range evs {
		evs[i] = event("n"+strconv.Itoa(i), "acc", "x"+strconv.Itoa(i), t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Add(evs[i], t0)
		models, _, err := p.Changes()
		if err != nil || len(models) != 1 {
			b.Fatal(err, len(models))
		}
	}
}
