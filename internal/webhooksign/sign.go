// Package webhooksign signs HTTP notifications as Standard Webhooks do:
// webhook-id, webhook-timestamp and webhook-signature headers, the signature
// being "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body)).
package webhooksign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix marks a base64-encoded secret, as the specification's libraries write them.
const secretPrefix = "whsec_"

// Signer signs with one or more secrets; several secrets let receivers rotate
// keys without a gap (every signature is sent, space-separated).
type Signer struct {
	keys [][]byte
}

// New returns a Signer for the given secrets. A secret starting with "whsec_"
// is base64-decoded; any other secret is used as raw bytes.
func New(secrets []string) (*Signer, error) {
	s := &Signer{}
	for i, sec := range secrets {
		k, err := decodeSecret(sec)
		if err != nil {
			// The secret itself never enters the error.
			return nil, errors.New("signing_secret[" + strconv.Itoa(i) + "]: " + err.Error())
		}
		s.keys = append(s.keys, k)
	}
	return s, nil
}

func decodeSecret(sec string) ([]byte, error) {
	if sec == "" {
		return nil, errors.New("empty secret")
	}
	if !strings.HasPrefix(sec, secretPrefix) {
		return []byte(sec), nil
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sec, secretPrefix))
	if err != nil || len(k) == 0 {
		return nil, errors.New("secret with prefix " + secretPrefix + " is not valid base64")
	}
	return k, nil
}

// Enabled reports whether any secret is configured.
func (s *Signer) Enabled() bool { return s != nil && len(s.keys) > 0 }

// Signature returns the webhook-signature header value for id, ts and body.
func (s *Signer) Signature(id string, ts time.Time, body []byte) string {
	var b strings.Builder
	tsStr := strconv.FormatInt(ts.Unix(), 10)
	for i, k := range s.keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("v1,")
		b.WriteString(Sign(k, id, tsStr, body))
	}
	return b.String()
}

// Apply sets the three Standard Webhooks headers on h. The id must be stable
// across retries of the same message (receivers deduplicate on it).
func (s *Signer) Apply(h http.Header, id string, ts time.Time, body []byte) {
	if !s.Enabled() {
		return
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, s.Signature(id, ts, body))
}

// Sign is the base64 HMAC-SHA256 of "id.timestamp.body" under key.
func Sign(key []byte, id, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
