// Package metadata holds the component's identity and own telemetry in the
// shape mdatagen generates from metadata.yaml, kept by hand.
package metadata // import "github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/metadata"

import (
	"go.opentelemetry.io/collector/component"
)

// Type is the component type written in collector configs.
var Type = component.MustNewType("modelmon")

// ScopeName is the instrumentation scope of the component's own telemetry.
const ScopeName = "github.com/visutility/otelcol-modelmon/modelmonprocessor"

// Stability levels per signal.
const (
	MetricsStability = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
)
