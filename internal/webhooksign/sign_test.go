package webhooksign

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example of the Standard Webhooks specification and its libraries.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSpecificationVector(t *testing.T) {
	s, err := New([]string{specSecret})
	require.NoError(t, err)
	h := http.Header{}
	s.Apply(h, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	assert.Equal(t, specID, h.Get(HeaderID))
	assert.Equal(t, "1614265330", h.Get(HeaderTimestamp))
	assert.Equal(t, specSignature, h.Get(HeaderSignature))
}

func TestRotationSignsWithEverySecret(t *testing.T) {
	s, err := New([]string{specSecret, "raw-second-secret"})
	require.NoError(t, err)
	sig := s.Signature(specID, time.Unix(specTimestamp, 0), []byte(specBody))
	parts := strings.Fields(sig)
	require.Len(t, parts, 2)
	assert.Equal(t, specSignature, parts[0])
	assert.Equal(t, "v1,"+Sign([]byte("raw-second-secret"), specID, "1614265330", []byte(specBody)), parts[1])
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		want    string
	}{
		{name: "empty", secrets: []string{""}, want: "signing_secret[0]: empty secret"},
		{name: "bad base64", secrets: []string{"ok", "whsec_not base64 SECRETVALUE"}, want: "signing_secret[1]: secret with prefix whsec_ is not valid base64"},
		{name: "empty after prefix", secrets: []string{"whsec_"}, want: "not valid base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.secrets)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "SECRETVALUE", "the secret never enters the error")
		})
	}
}

func TestDisabledSignerAddsNothing(t *testing.T) {
	for name, s := range map[string]*Signer{"nil": nil, "no secrets": {}} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			s.Apply(h, "id", time.Unix(1, 0), nil)
			assert.False(t, s.Enabled())
			assert.Empty(t, h)
		})
	}
}
