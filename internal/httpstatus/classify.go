// Package httpstatus classifies HTTP responses of notification and job
// endpoints into success, retryable and permanent errors, as the core otlphttp
// exporter does, reads response bodies only up to a fixed limit, keeps a
// client's secrets out of the endpoints, errors and answers it quotes, and
// warns when an endpoint is reached in cleartext.
package httpstatus

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// MaxBody is how much of a response body is read and quoted in errors.
const MaxBody = 1024

// ReadBody reads at most MaxBody bytes of r and discards the rest, so that the
// connection can be reused without trusting the remote's size.
func ReadBody(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, MaxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 1<<20))
	return b
}

// Redact keeps the scheme and host of an endpoint: paths and queries may hold
// tokens (Slack webhook URLs do), so they never enter errors or logs.
func Redact(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return "<endpoint>"
	}
	return u.Scheme + "://" + u.Host
}

// Classify turns a response into nil (2xx or one of extraOK), a retryable
// error (408, 429, 502, 503, 504, honouring Retry-After) or a permanent error
// (every other status). It reads and closes nothing: pass the body already read.
func Classify(resp *http.Response, body []byte, endpoint string, extraOK ...int) error {
	return Policy{OK: extraOK}.Classify(resp, body, endpoint)
}

// Policy adjusts Classify for one kind of caller.
type Policy struct {
	// OK lists statuses besides 2xx that mean success, e.g. 409 where it
	// means "this idempotent request was accepted before".
	OK []int
	// RetryServerErrors makes every 5xx retryable, not only 502, 503 and
	// 504: a caller whose payload exists nowhere else (a retraining job)
	// would rather retry a failing server than drop the payload.
	RetryServerErrors bool
}

// Classify is the package-level Classify under policy p.
func (p Policy) Classify(resp *http.Response, body []byte, endpoint string) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	for _, ok := range p.OK {
		if code == ok {
			return nil
		}
	}
	err := fmt.Errorf("%s answered %d %s: %q", Redact(endpoint), code, http.StatusText(code), body)
	if retryable(code) || (p.RetryServerErrors && code >= 500 && code < 600) {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return &throttled{error: exporterhelper.NewThrottleRetry(err, d), delay: d}
		}
		return err
	}
	if code == http.StatusGone {
		return consumererror.NewPermanent(fmt.Errorf("endpoint %s is gone (410): %w", Redact(endpoint), err))
	}
	return consumererror.NewPermanent(err)
}

// throttled carries the delay a server asked for next to exporterhelper's
// throttle error (which keeps it private), for callers that retry by
// themselves as well.
type throttled struct {
	error
	delay time.Duration
}

func (t *throttled) Unwrap() error { return t.error }

// RetryDelay returns the delay a Retry-After header asked for, when err
// (or an error it wraps) came from Classify with one.
func RetryDelay(err error) (time.Duration, bool) {
	var t *throttled
	if errors.As(err, &t) {
		return t.delay, true
	}
	return 0, false
}

// retryable lists the statuses core's otlphttp exporter retries, plus 408.
func retryable(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryAfter parses a Retry-After header: delay seconds or an HTTP date.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 && s <= int(math.MaxInt64/int64(time.Second)) {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}
