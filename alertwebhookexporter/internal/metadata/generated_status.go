// Package metadata holds the component's identity and own telemetry in the
// shape mdatagen generates, kept by hand.
package metadata

import (
	"go.opentelemetry.io/collector/component"
)

// Type is the component type written in collector configs.
var Type = component.MustNewType("alert_webhook")

// ScopeName is the instrumentation scope of the component's own telemetry.
const ScopeName = "github.com/visutility/otelcol-modelmon/alertwebhookexporter"

// LogsStability is the stability level of the logs exporter.
const LogsStability = component.StabilityLevelAlpha
