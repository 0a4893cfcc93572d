package httpstatus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestCleartext(t *testing.T) {
	tests := []struct {
		endpoint string
		want     bool
	}{
		{endpoint: "http://192.0.2.10:9093/hook", want: true},
		{endpoint: "http://hooks.example/hook", want: true},
		{endpoint: "HTTP://hooks.example/hook", want: true},
		{endpoint: "http://[2001:db8::1]:8080/", want: true},
		{endpoint: "http://127.0.0.1:9093/hook", want: false},
		{endpoint: "http://127.8.0.1/hook", want: false},
		{endpoint: "http://localhost:9093/hook", want: false},
		{endpoint: "http://LOCALHOST./hook", want: false},
		{endpoint: "http://api.localhost/hook", want: false},
		{endpoint: "http://[::1]:9093/hook", want: false},
		{endpoint: "https://hooks.example/hook", want: false},
		{endpoint: "", want: false},
		{endpoint: "://bad", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			assert.Equal(t, tt.want, Cleartext(tt.endpoint))
		})
	}
}

func TestWarnCleartext(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	WarnCleartext(zap.New(core), "http://hooks.example/T0/s3cret", "Notifications")
	WarnCleartext(zap.New(core), "https://hooks.example/T0/s3cret", "Notifications")
	WarnCleartext(zap.New(core), "http://127.0.0.1:8080/T0/s3cret", "Notifications")
	all := logs.All()
	require.Len(t, all, 1)
	assert.Contains(t, all[0].Message, "Notifications go over plain http")
	assert.NotContains(t, all[0].ContextMap()["endpoint"], "s3cret")
}
