package httpstatus

import (
	"errors"
	"net/url"
)

// UnwrapURLError drops the *url.Error net/http wraps around request and
// transport errors: it quotes the full URL, whose path or query may hold a
// token. Callers name the endpoint through Redact instead.
func UnwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
