package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"fmt"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

// defaultEndpoint keeps the page on this machine unless the operator opens it.
const defaultEndpoint = "127.0.0.1:8890"

// Config is the modelmon_status extension's configuration: the HTTP server
// (endpoint, TLS, auth…) and how many models or alerts a page lists.
type Config struct {
	confighttp.ServerConfig `mapstructure:",squash"`
	// PageSize is how many models or alerts a page lists before it links to
	// the next page (default 100, at most 1000). A `limit` query parameter
	// overrides it per request, within the same bound.
	PageSize int `mapstructure:"page_size"`
}

// Validate checks the page size; the server settings are checked by the
// collector.
func (c *Config) Validate() error {
	if c.PageSize < 1 || c.PageSize > status.MaxLimit {
		return fmt.Errorf("page_size: must be between 1 and %d, got %d", status.MaxLimit, c.PageSize)
	}
	return nil
}
