package modelmonstatusextension // import "github.com/visutility/otelcol-modelmon/modelmonstatusextension"

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confignet"
	"go.opentelemetry.io/collector/extension"
	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/status"
)

var (
	_ extension.Extension = (*statusExtension)(nil)
	_ status.Registry     = (*statusExtension)(nil)
)

// statusExtension serves the pages. The modelmon processors find it among
// the host's extensions and register their state with it at their Start.
type statusExtension struct {
	cfg    *Config
	set    extension.Settings
	logger *zap.Logger

	mu      sync.Mutex
	sources map[component.ID]status.Source

	server *http.Server
	done   chan struct{}
	// addr is the address the server listens on.
	addr string
	// now gives the time pages show ages against; tests replace it.
	now func() time.Time
}

func newExtension(cfg *Config, set extension.Settings) *statusExtension {
	return &statusExtension{cfg: cfg, set: set, logger: set.Logger, sources: map[component.ID]status.Source{}, now: time.Now}
}

// Register implements status.Registry. A later registration of the same ID
// (a reloaded pipeline) replaces the earlier one, whose unregister then
// leaves it alone.
func (x *statusExtension) Register(id component.ID, src status.Source) func() {
	x.mu.Lock()
	x.sources[id] = src
	x.mu.Unlock()
	return func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		if x.sources[id] == src {
			delete(x.sources, id)
		}
	}
}

// source is one registered processor.
type source struct {
	id  component.ID
	src status.Source
}

// registered returns the registered processors ordered by ID.
func (x *statusExtension) registered() []source {
	x.mu.Lock()
	out := make([]source, 0, len(x.sources))
	for id, s := range x.sources {
		out = append(out, source{id, s})
	}
	x.mu.Unlock()
	slices.SortFunc(out, func(a, b source) int {
		if a.id.String() < b.id.String() {
			return -1
		}
		return 1
	})
	return out
}

// Start listens on the endpoint and serves the pages; auth and TLS come
// from the server settings.
func (x *statusExtension) Start(ctx context.Context, host component.Host) error {
	ln, err := x.cfg.ToListener(ctx)
	if err != nil {
		return err
	}
	srv, err := x.cfg.ToServer(ctx, host.GetExtensions(), x.set.TelemetrySettings, x.handler())
	if err != nil {
		_ = ln.Close()
		return err
	}
	warnIfExposed(x.logger, x.cfg)
	x.server, x.done, x.addr = srv, make(chan struct{}), ln.Addr().String()
	go func() {
		defer close(x.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	x.logger.Info("modelmon status page", zap.String("url", pageURL(x.cfg, ln.Addr())))
	return nil
}

// Shutdown stops the server, waiting for pages being written.
func (x *statusExtension) Shutdown(ctx context.Context) error {
	if x.server == nil {
		return nil
	}
	err := x.server.Shutdown(ctx)
	select {
	case <-x.done:
	case <-ctx.Done():
	}
	return err
}

// warnIfExposed warns when anyone on the network could read the pages.
func warnIfExposed(logger *zap.Logger, cfg *Config) {
	if cfg.Auth.HasValue() || isLoopback(cfg.NetAddr) {
		return
	}
	logger.Warn("modelmon_status serves model names, alert labels and annotations without authentication "+
		"on a non-loopback endpoint; set auth (an authenticator extension) or bind to 127.0.0.1",
		zap.String("endpoint", cfg.NetAddr.Endpoint))
}

// isLoopback reports whether the endpoint is reachable from this machine
// only: a loopback address, localhost or a unix socket.
func isLoopback(addr confignet.AddrConfig) bool {
	if addr.Transport == confignet.TransportTypeUnix {
		return true
	}
	host, _, err := net.SplitHostPort(addr.Endpoint)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func pageURL(cfg *Config, addr net.Addr) string {
	scheme := "http"
	if cfg.TLS.HasValue() {
		scheme = "https"
	}
	return scheme + "://" + addr.String() + "/"
}
