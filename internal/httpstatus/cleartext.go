package httpstatus

import (
	"net"
	"net/url"
	"strings"

	"go.uber.org/zap"
)

// WarnCleartext logs one warning when endpoint is Cleartext, naming it by
// scheme and host only. what says what travels there ("Notifications").
func WarnCleartext(logger *zap.Logger, endpoint, what string) {
	if !Cleartext(endpoint) {
		return
	}
	logger.Warn(what+" go over plain http to another host: their content, signatures and auth headers "+
		"can be read and changed on the way; use https",
		zap.String("endpoint", Redact(endpoint)))
}

// Cleartext reports whether endpoint is plain http to a host other than
// this machine: what is posted there (payloads, signatures, auth headers)
// can be read and changed on the way, which deserves a warning at start.
func Cleartext(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return false
	}
	return !IsLoopback(u.Hostname())
}

// IsLoopback reports whether host names this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
