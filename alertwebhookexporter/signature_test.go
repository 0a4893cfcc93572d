package alertwebhookexporter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
)

// verify checks a Standard Webhooks signature as the specification's
// receivers do, written here from the specification rather than with the
// signing package: the signed content is id.timestamp.body, the header holds
// space-separated "v1,<base64 HMAC-SHA256>" entries, any one of which may
// match, and timestamps further than tolerance from now are refused.
func verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

func TestStandardWebhooksSignature(t *testing.T) {
	oldKey := []byte("old-secret-0123456789")
	newKey := []byte{0x01, 0x02, 0xfe, 0xff, 0x10, 0x20, 0x30, 0x40}
	for _, format := range []string{FormatJSON, FormatAlertmanager} {
		t.Run(format, func(t *testing.T) {
			srv := newRecorder(t, 200)
			cfg := testConfig(srv.URL, format)
			// Rotation: a raw secret and a whsec_ base64 one, both sign.
			cfg.SigningSecret = []configopaque.String{
				configopaque.String(oldKey),
				configopaque.String("whsec_" + base64.StdEncoding.EncodeToString(newKey)),
			}
			clock := &fakeClock{now: time.Now().Truncate(time.Second)}
			e := startExporter(t, cfg, clock, nil)
			require.NoError(t, e.pushLogs(context.Background(), logs(firing("ev-sig"))))
			reqs := srv.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, "ev-sig", r.Header.Get("webhook-id"), "webhook-id is the event id")
			assert.Len(t, strings.Fields(r.Header.Get("webhook-signature")), 2)
			now := clock.Now()

			tests := []struct {
				name    string
				key     []byte
				body    []byte
				now     time.Time
				wantErr string
			}{
				{name: "old secret verifies", key: oldKey, body: r.Body, now: now},
				{name: "new secret verifies", key: newKey, body: r.Body, now: now},
				{name: "other secret fails", key: []byte("someone-else"), body: r.Body, now: now, wantErr: "no matching signature"},
				{name: "tampered body fails", key: oldKey, body: append([]byte(" "), r.Body...), now: now, wantErr: "no matching signature"},
				{name: "stale timestamp fails", key: oldKey, body: r.Body, now: now.Add(6 * time.Minute), wantErr: "outside tolerance"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := verify(tt.key, r.Header, tt.body, tt.now, 5*time.Minute)
					if tt.wantErr == "" {
						assert.NoError(t, err)
					} else {
						assert.ErrorContains(t, err, tt.wantErr)
					}
				})
			}
		})
	}
}

func TestUnsignedFormatsCarryNoSignature(t *testing.T) {
	for _, format := range []string{FormatSlack, FormatPagerDuty} {
		t.Run(format, func(t *testing.T) {
			srv := newRecorder(t, 202)
			e := startExporter(t, testConfig(srv.URL+"/x", format), nil, nil)
			require.NoError(t, e.pushLogs(context.Background(), logs(firing("ev-1"))))
			require.Len(t, srv.requests(), 1)
			assert.Empty(t, srv.requests()[0].Header.Get("webhook-signature"))
		})
	}
}
