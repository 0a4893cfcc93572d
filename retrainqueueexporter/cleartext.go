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
		if httpstatus.Cleartext(e.cfg.HTTP.Endpoint) {
			e.logger.Warn("Retraining jobs go over plain http to another host: jobs, signatures and auth headers "+
				"can be read and changed on the way; use https",
				zap.String("endpoint", httpstatus.Redact(e.cfg.HTTP.Endpoint)))
		}
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
