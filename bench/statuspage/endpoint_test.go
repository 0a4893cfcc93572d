package statuspage

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
)

// setEndpoint sets the extension's endpoint as a user's config would.
func setEndpoint(cfg component.Config, endpoint string) error {
	return confmap.NewFromStringMap(map[string]any{"endpoint": endpoint}).Unmarshal(cfg)
}
