// Package e2e holds the end-to-end suite of the otelcol-modelmon distribution.
// Its tests build the distro once (make build), start it on free loopback
// ports with a temporary configuration, drive it with real clients (OTLP over
// HTTP and gRPC, the OTel Go SDK) and observe real servers (an OTLP log sink,
// Alertmanager, redis-server, the file job queue).
package e2e
