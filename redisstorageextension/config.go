package redisstorageextension // import "github.com/visutility/otelcol-modelmon/redisstorageextension"

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// Config is the redis_storage extension's configuration. The first six keys
// are those of the contrib Redis storage extension, so that a config written
// for it loads here unchanged.
type Config struct {
	// Endpoint is the Redis server as host:port.
	Endpoint string `mapstructure:"endpoint"`
	// Password authenticates to the server (AUTH); empty sends none.
	Password configopaque.String `mapstructure:"password"`
	// DB is the database selected after connecting.
	DB int `mapstructure:"db"`
	// Expiration is the TTL of every key written; zero keeps keys until deleted.
	Expiration time.Duration `mapstructure:"expiration"`
	// Prefix is appended to each client's key prefix as `_<prefix>`, so that
	// several deployments can share one database.
	Prefix string `mapstructure:"prefix"`
	// TLS is the client's transport security; insecure by default, as contrib.
	TLS configtls.ClientConfig `mapstructure:"tls"`

	// DialTimeout bounds opening a connection. A Redis that is down then
	// costs each operation at most this long, not the client library's
	// default of several seconds with retries.
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
	// ReadTimeout bounds waiting for a reply.
	ReadTimeout time.Duration `mapstructure:"read_timeout"`
	// WriteTimeout bounds sending a command.
	WriteTimeout time.Duration `mapstructure:"write_timeout"`
}

// Validate reports configuration errors at startup.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Endpoint) == "" {
		errs = append(errs, errors.New("endpoint must be set (host:port)"))
	} else if _, port, err := net.SplitHostPort(c.Endpoint); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("endpoint %q must be host:port", c.Endpoint))
	}
	if c.DB < 0 {
		errs = append(errs, fmt.Errorf("db must not be negative, got %d", c.DB))
	}
	if c.Expiration < 0 {
		errs = append(errs, fmt.Errorf("expiration must not be negative, got %s", c.Expiration))
	}
	if c.Expiration > 0 && c.Expiration < time.Millisecond {
		errs = append(errs, fmt.Errorf("expiration %s is below Redis's resolution of 1ms", c.Expiration))
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{{"dial_timeout", c.DialTimeout}, {"read_timeout", c.ReadTimeout}, {"write_timeout", c.WriteTimeout}} {
		if t.d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %s", t.key, t.d))
		}
	}
	return errors.Join(errs...)
}
