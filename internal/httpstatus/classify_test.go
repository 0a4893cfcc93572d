package httpstatus

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
)

func response(code int, retryAfter string) *http.Response {
	h := http.Header{}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return &http.Response{StatusCode: code, Header: h}
}

func TestClassify(t *testing.T) {
	const endpoint = "https://hooks.example/services/T0/B0/secret-token?key=k"
	tests := []struct {
		name       string
		code       int
		retryAfter string
		extraOK    []int
		wantOK     bool
		permanent  bool
		contains   string
	}{
		{name: "200", code: 200, wantOK: true},
		{name: "202", code: 202, wantOK: true},
		{name: "extra ok", code: 409, extraOK: []int{409}, wantOK: true},
		{name: "408 retryable", code: 408},
		{name: "429 retryable", code: 429},
		{name: "429 with Retry-After", code: 429, retryAfter: "2", contains: "Throttle (2s)"},
		{name: "502 retryable", code: 502},
		{name: "503 retryable", code: 503},
		{name: "504 retryable", code: 504},
		{name: "400 permanent", code: 400, permanent: true, contains: "answered 400 Bad Request"},
		{name: "401 permanent", code: 401, permanent: true},
		{name: "500 permanent", code: 500, permanent: true},
		{name: "410 permanent and named", code: 410, permanent: true, contains: "endpoint https://hooks.example is gone (410)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Classify(response(tt.code, tt.retryAfter), []byte("body"), endpoint, tt.extraOK...)
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, consumererror.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.contains)
			assert.NotContains(t, err.Error(), "secret-token", "the path never enters the error")
			assert.NotContains(t, err.Error(), "key=k")
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{in: "", wantOK: false},
		{in: "2", want: 2 * time.Second, wantOK: true},
		{in: "-1", wantOK: false},
		{in: "soon", wantOK: false},
		{in: "99999999999999", wantOK: false},
		{in: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, wantOK: true},
		{in: now.Add(-time.Minute).Format(http.TimeFormat), want: 0, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := RetryAfter(tt.in, now)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.slack.com/services/T/B/token": "https://hooks.slack.com",
		"http://user:pass@host:9093/api?k=v":         "http://host:9093",
		"not a url":                                  "<endpoint>",
		"":                                           "<endpoint>",
	} {
		assert.Equal(t, want, Redact(in), in)
	}
}

func TestReadBodyLimit(t *testing.T) {
	r := strings.NewReader(strings.Repeat("x", 10*MaxBody))
	assert.Len(t, ReadBody(r), MaxBody)
	assert.Zero(t, r.Len(), "the rest is drained so the connection can be reused")
}

func TestPolicyRetryServerErrors(t *testing.T) {
	const endpoint = "https://airflow.example/api/v1/dags/retrain/dagRuns"
	p := Policy{OK: []int{409}, RetryServerErrors: true}
	tests := []struct {
		name       string
		code       int
		retryAfter string
		wantOK     bool
		permanent  bool
		contains   string
	}{
		{name: "409 is ok", code: 409, wantOK: true},
		{name: "500 retryable", code: 500},
		{name: "501 retryable", code: 501},
		{name: "599 retryable", code: 599},
		{name: "500 with Retry-After", code: 500, retryAfter: "3", contains: "Throttle (3s)"},
		{name: "503 retryable", code: 503},
		{name: "429 retryable", code: 429},
		{name: "400 still permanent", code: 400, permanent: true},
		{name: "410 still permanent", code: 410, permanent: true, contains: "is gone (410)"},
		{name: "600 permanent", code: 600, permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Classify(response(tt.code, tt.retryAfter), nil, endpoint)
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, consumererror.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
	// The zero policy is Classify: 500 stays permanent for notifications.
	assert.True(t, consumererror.IsPermanent(Policy{}.Classify(response(500, ""), nil, endpoint)))
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		name       string
		code       int
		retryAfter string
		want       time.Duration
		wantOK     bool
	}{
		{name: "429 with seconds", code: 429, retryAfter: "30", want: 30 * time.Second, wantOK: true},
		{name: "503 with zero", code: 503, retryAfter: "0", want: 0, wantOK: true},
		{name: "503 without header", code: 503},
		{name: "400 ignores the header", code: 400, retryAfter: "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Classify(response(tt.code, tt.retryAfter), nil, "https://x.example")
			require.Error(t, err)
			wrapped := fmt.Errorf("writing job: %w", err)
			got, ok := RetryDelay(wrapped)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				assert.Contains(t, err.Error(), "Throttle", "exporterhelper still sees its throttle error")
			}
		})
	}
	_, ok := RetryDelay(nil)
	assert.False(t, ok)
}
