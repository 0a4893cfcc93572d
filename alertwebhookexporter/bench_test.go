package alertwebhookexporter

import (
	"context"
	"fmt"
	"testing"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/payload"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// BenchmarkRender is the CPU cost of one alert's payload per format.
func BenchmarkRender(b *testing.B) {
	ev := modelevent.Event{Violation: firing("ev-bench"), Resource: map[string]string{"service.name": "fraud-api"}}
	formats := map[string]payload.Format{
		FormatJSON: payload.JSON{}, FormatAlertmanager: payload.Alertmanager{ResendInterval: defaultResendInterval},
		FormatSlack: payload.Slack{}, FormatPagerDuty: payload.PagerDuty{RoutingKey: "k"},
	}
	for name, f := range formats {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := &payload.Notification{ID: "ev-bench", Alerts: []payload.Alert{payload.NewAlert(ev)}, Now: t0}
				if _, err := f.Render(n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPush is one new firing alert per batch, decoded, deduplicated,
// signed and posted to a loopback server.
func BenchmarkPush(b *testing.B) {
	srv := newRecorder(b, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.SigningSecret = nil
	e := startExporter(b, cfg, nil, nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v := firing(fmt.Sprintf("ev-%d", i))
		v.AlertID = fmt.Sprintf("alert-%d", i)
		i++
		if err := e.pushLogs(context.Background(), logs(v)); err != nil {
			b.Fatal(err)
		}
		<-srv.got
	}
}
