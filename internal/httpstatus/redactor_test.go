package httpstatus

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/config/configopaque"
)

func TestRedactor(t *testing.T) {
	r := NewRedactor("https://hooks.example/services/T0/B0/XyZsecretToken?key=query-secret-1&short=ab",
		[]string{"Bearer header-secret", "x"}, "routing-key-secret", "")
	tests := []struct {
		name, in, want string
	}{
		{name: "path echoed", in: "Cannot POST /services/T0/B0/XyZsecretToken", want: "Cannot POST /[REDACTED]"},
		{name: "query echoed", in: "bad request ?key=query-secret-1&short=ab", want: "bad request ?[REDACTED]"},
		{name: "query value echoed alone", in: `{"key":"query-secret-1"}`, want: `{"key":"[REDACTED]"}`},
		{name: "header echoed", in: "auth: Bearer header-secret", want: "auth: [REDACTED]"},
		{name: "other secret", in: "routing key routing-key-secret unknown", want: "routing key [REDACTED] unknown"},
		{name: "short values kept", in: "short=ab x", want: "short=ab x"},
		{name: "nothing to redact", in: "service unavailable", want: "service unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(r.Bytes([]byte(tt.in))))
		})
	}

	plain := errors.New("connection refused")
	assert.Same(t, plain, r.Error(plain), "an error without secrets keeps its chain")
	assert.EqualError(t, r.Error(errors.New("dial hooks.example: Bearer header-secret")), "dial hooks.example: [REDACTED]")
	assert.NoError(t, r.Error(nil))
	var none *Redactor
	assert.Equal(t, "as is", string(none.Bytes([]byte("as is"))))
}

func TestRedactorLongestFirst(t *testing.T) {
	// The header value contains the shorter signing secret.
	r := NewRedactor("https://hooks.example", nil, "tok1", "Bearer tok1-and-more")
	assert.Equal(t, "auth [REDACTED]", string(r.Bytes([]byte("auth Bearer tok1-and-more"))))
}

func TestHeaderValues(t *testing.T) {
	h := configopaque.MapList{{Name: "Authorization", Value: "Bearer t0ken"}, {Name: "X-Team", Value: "ml"}}
	assert.Equal(t, []string{"Bearer t0ken", "ml"}, HeaderValues(h))
	assert.Empty(t, HeaderValues(nil))
}
