//go:build !modelmon_refwindow

package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/window"

// scalarWindow is the window a model keeps per aggregated signal. It is an
// alias, so the engine compiles to window.Window's methods called directly;
// the modelmon_refwindow build tag swaps it (scalar_window_reference.go) for
// the test that proves the compact window changes no event.
type scalarWindow = window.Window
