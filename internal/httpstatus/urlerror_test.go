package httpstatus

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnwrapURLError(t *testing.T) {
	inner := errors.New("connection refused")
	err := &url.Error{Op: "Post", URL: "http://hooks.example/T0/s3cret", Err: inner}
	assert.Same(t, inner, UnwrapURLError(err))
	assert.NotContains(t, UnwrapURLError(err).Error(), "s3cret")
	assert.Same(t, inner, UnwrapURLError(inner), "other errors stay as they are")
	assert.NoError(t, UnwrapURLError(nil))
}
