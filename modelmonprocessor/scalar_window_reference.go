//go:build modelmon_refwindow

package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"sync/atomic"
	"time"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/testing/refwindow"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"
)

// scalarWindow, in builds with the modelmon_refwindow tag, is either the
// compact window.Window or the straightforward refwindow.Window, chosen when
// the model's windows are made: one test binary then runs two engines side
// by side, one on each, and compares what they emit. The choice costs a
// branch per call, which is why production builds alias window.Window
// instead (scalar_window.go).
type scalarWindow struct {
	compact window.Window
	ref     *refwindow.Window
}

// referenceWindows makes the windows of models created while it is set
// reference windows. Engines create models on their first point, so a test
// holds it for the whole run of the reference engine.
var referenceWindows atomic.Bool

func (w *scalarWindow) Init(size int, maxAge time.Duration) {
	w.compact.Init(size, maxAge)
	w.ref = nil
	if referenceWindows.Load() {
		w.ref = new(refwindow.Window)
		w.ref.Init(size, maxAge)
	}
}

func (w *scalarWindow) Add(t int64, v float64) bool {
	if w.ref != nil {
		return w.ref.Add(t, v)
	}
	return w.compact.Add(t, v)
}

func (w *scalarWindow) Len() int {
	if w.ref != nil {
		return w.ref.Len()
	}
	return w.compact.Len()
}

func (w *scalarWindow) Start() int64 {
	if w.ref != nil {
		return w.ref.Start()
	}
	return w.compact.Start()
}

func (w *scalarWindow) End() int64 {
	if w.ref != nil {
		return w.ref.End()
	}
	return w.compact.End()
}

func (w *scalarWindow) Aggregate(a window.Aggregation) (float64, bool) {
	if w.ref != nil {
		return w.ref.Aggregate(a)
	}
	return w.compact.Aggregate(a)
}

func (w *scalarWindow) AppendSamples(ts []int64, vs []float64) ([]int64, []float64) {
	if w.ref != nil {
		return w.ref.AppendSamples(ts, vs)
	}
	return w.compact.AppendSamples(ts, vs)
}
