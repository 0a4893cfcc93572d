package retrainqueueexporter

import (
	"net"

	"go.uber.org/zap"

	"github.com/visutility/otelcol-modelmon/internal/httpstatus"
)

// warnCleartext warns once at start when jobs, and with them signatures,
// auth headers or the Redis password, travel unencrypted to another machine.
// Loopback is fine: a sidecar or a local tunnel is a common setup.
func (e *retrainExporter) warnCleartext() {
	switch e.cfg.Backend {
	case BackendHTTP:
		httpstatus.WarnCleartext(e.logger, e.cfg.HTTP.Endpoint, "Retraining jobs")
	case BackendRedis:
		host, _, err := net.SplitHostPort(e.cfg.Redis.Address)
		if err != nil {
			host = e.cfg.Redis.Address
		}
		if e.cfg.Redis.TLS.Insecure && !httpstatus.IsLoopback(host) {
			e.logger.Warn("Retraining jobs go to Redis on another host without TLS: jobs and the password "+
				"can be read on the way; set redis.tls.insecure: false",
				zap.String("host", host))
		}
	}
}
