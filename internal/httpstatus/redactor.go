package httpstatus

import (
	"bytes"
	"errors"
	"net/url"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"
)

// Redacted replaces a secret in text that came back from the remote side.
const Redacted = "[REDACTED]"

// Shortest lengths worth redacting: shorter strings would blank out ordinary
// words of an answer without protecting anything.
const (
	minSecret    = 4
	minURLSecret = 8
)

// Redactor removes a client's secrets from text the remote side sent back:
// many servers quote the request in an error answer ("Cannot POST
// /hooks/<token>"), and that answer is logged and returned in errors.
type Redactor struct {
	secrets [][]byte
}

// NewRedactor collects the secrets of one client: the endpoint's path and
// query and each query value (webhook URLs carry tokens there), the
// configured header values, and any other secrets given.
func NewRedactor(endpoint string, headerValues []string, secrets ...string) *Redactor {
	r := &Redactor{}
	if u, err := url.Parse(endpoint); err == nil {
		r.add(strings.Trim(u.Path, "/"), minURLSecret)
		r.add(u.RawQuery, minSecret)
		for _, vs := range u.Query() {
			for _, v := range vs {
				r.add(v, minURLSecret)
			}
		}
	}
	for _, v := range headerValues {
		r.add(v, minSecret)
	}
	for _, s := range secrets {
		r.add(s, minSecret)
	}
	// Longest first: a secret that contains a shorter one must be replaced
	// whole, not left in pieces around the shorter one's mark.
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// HeaderValues lists the values of a client's configured headers, for
// NewRedactor: an auth header's value is echoed back by some servers.
func HeaderValues(headers configopaque.MapList) []string {
	values := make([]string, 0, len(headers))
	for _, h := range headers {
		values = append(values, string(h.Value))
	}
	return values
}

func (r *Redactor) add(s string, minLen int) {
	if len(s) >= minLen {
		r.secrets = append(r.secrets, []byte(s))
	}
}

// Bytes returns b with every secret replaced by Redacted.
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	for _, s := range r.secrets {
		b = bytes.ReplaceAll(b, s, []byte(Redacted))
	}
	return b
}

// Error returns err unchanged when its text holds no secret, else an error
// with the secrets replaced (the original chain is dropped with them).
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := string(r.Bytes([]byte(msg)))
	if clean == msg {
		return err
	}
	return errors.New(clean)
}
