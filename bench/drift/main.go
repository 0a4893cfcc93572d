// Command drift runs the detection-quality bench of the drift distances
// (`make bench-drift`): modelmonprocessor/internal/testing/driftquality, run
// from the module root with this command's flags (see internal/testing/benchrun).
// README.md here explains the method; docs/drift.md holds the last printed
// tables.
package main

import "github.com/visutility/otelcol-modelmon/internal/testing/benchrun"

func main() { benchrun.Main("bench-drift", "./modelmonprocessor/internal/testing/driftquality") }
