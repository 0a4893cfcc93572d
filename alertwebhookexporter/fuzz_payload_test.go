package alertwebhookexporter

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// FuzzRenderPayloads renders every event decoded from arbitrary OTLP log
// bytes in each format. Nothing may panic, and every body rendered must be
// valid JSON: a model name or annotation must never break out of a payload.
func FuzzRenderPayloads(f *testing.F) {
	nan := firing("ev-nan")
	nan.Observed, nan.Threshold = math.NaN(), math.Inf(1)
	for _, v := range []modelevent.Violation{firing("ev-1"), resolved("ev-2"), hostile(), nan} {
		ld := plog.NewLogs()
		modelevent.Encode(&v, ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	formats := []payload.Format{
		payload.JSON{}, payload.Alertmanager{ResendInterval: time.Minute},
		payload.Slack{}, payload.PagerDuty{RoutingKey: "routing-key"},
	}
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(raw)
		if err != nil {
			return
		}
		for _, ev := range modelevent.DecodeLogs(ld).Events {
			n := &payload.Notification{ID: ev.EventID, Receiver: "r", Alerts: []payload.Alert{payload.NewAlert(ev)}, Now: now}
			for _, format := range formats {
				msgs, err := format.Render(n)
				if err != nil {
					continue
				}
				for _, m := range msgs {
					if !json.Valid(m.Body) {
						t.Fatalf("%T rendered invalid JSON: %s", format, m.Body)
					}
				}
			}
		}
	})
}
