package retrainqueueexporter

import (
	"errors"
	"net/url"
)

// unwrapURLError drops the URL that net/http wraps around transport errors:
// the caller names the endpoint redacted instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
