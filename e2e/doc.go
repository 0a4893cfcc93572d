// Package e2e holds the end-to-end suite of the otelcol-modelmon distribution.
// Its tests build the distro once (make build), start it on free loopback
// ports with a temporary configuration, drive it with real clients (OTLP over
// HTTP and gRPC, the OTel Go SDK) and observe real servers (an OTLP log sink,
// Alertmanager, redis-server, the file job queue). Two tests build more than
// the distro: a minimal distribution of someone else's that takes the modelmon
// processor from this checkout, and the container image.
package e2e
