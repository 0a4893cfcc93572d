// Command detectors runs the detection-quality bench of the adaptive
// strategies (`make bench-detectors`):
// modelmonprocessor/internal/testing/detectorquality, run from the module
// root with this command's flags (see internal/testing/benchrun). README.md
// here explains the method and holds the last printed table.
package main

import "github.com/visutility/otelcol-modelmon/internal/testing/benchrun"

func main() { benchrun.Main("bench-detectors", "./modelmonprocessor/internal/testing/detectorquality") }
