// Package metadata holds the component's identity and own telemetry in the
// shape mdatagen generates, kept by hand.
package metadata

import (
	"go.opentelemetry.io/collector/component"
)

// Type is the component type written in collector configs.
var Type = component.MustNewType("redis_storage")

// ScopeName is the instrumentation scope of the component's own telemetry.
const ScopeName = "github.com/visutility/otelcol-modelmon/redisstorageextension"

// ExtensionStability is the stability level of the extension.
const ExtensionStability = component.StabilityLevelAlpha
