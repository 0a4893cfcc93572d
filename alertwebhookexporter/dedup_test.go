package alertwebhookexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/visutility/otelcol-modelmon/alertwebhookexporter/internal/metadata"
	"github.com/visutility/otelcol-modelmon/modelevent"
)

// counter sums an int counter's points whose attributes include want.
func counter(t *testing.T, tel *componenttest.Telemetry, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var total int64
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			ok := true
			for _, kv := range want {
				if v, found := p.Attributes.Value(kv.Key); !found || v != kv.Value {
					ok = false
				}
			}
			if ok {
				total += p.Value
			}
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			total += p.Value
		}
	}
	return total
}

// TestDedupRepeatResolve walks one alert through Alertmanager's
// notification semantics with an injected clock.
func TestDedupRepeatResolve(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()

	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.SigningSecret = nil
	clock := &fakeClock{now: t0}
	e := startExporterWith(t, cfg, clock, nil, set)
	ctx := context.Background()
	sent := func() int { return len(srv.requests()) }

	require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
	assert.Equal(t, 1, sent(), "first firing is notified")

	clock.Add(time.Hour)
	dup := firing("ev-2")
	dup.Time = t0.Add(time.Hour)
	require.NoError(t, e.pushLogs(ctx, logs(dup)))
	e.tick(ctx)
	assert.Equal(t, 1, sent(), "a duplicate within repeat_interval is dropped")

	clock.Add(3*time.Hour - time.Second)
	e.tick(ctx)
	assert.Equal(t, 1, sent(), "not yet 4h")
	clock.Add(time.Second)
	e.tick(ctx)
	require.Equal(t, 2, sent(), "repeat after repeat_interval")
	assert.Equal(t, "firing", statusOf(t, srv, 1))

	clock.Add(time.Minute)
	require.NoError(t, e.pushLogs(ctx, logs(resolved("ev-3"))))
	require.Equal(t, 3, sent(), "resolution is sent")
	assert.Equal(t, "resolved", statusOf(t, srv, 2))
	again := resolved("ev-4")
	again.Time = again.Time.Add(time.Minute)
	require.NoError(t, e.pushLogs(ctx, logs(again)))
	clock.Add(5 * time.Hour)
	e.tick(ctx)
	assert.Equal(t, 3, sent(), "no second resolution, no repeat of a resolved alert")

	assert.EqualValues(t, 4, counter(t, tel, "otelcol_exporter_alert_webhook_events_received"))
	assert.EqualValues(t, 3, counter(t, tel, "otelcol_exporter_alert_webhook_notifications_sent"))
	assert.EqualValues(t, 1, counter(t, tel, "otelcol_exporter_alert_webhook_notifications_sent", attribute.String("kind", "repeat")))
	assert.EqualValues(t, 2, counter(t, tel, "otelcol_exporter_alert_webhook_notifications_deduplicated"))
	assert.EqualValues(t, 0, counter(t, tel, "otelcol_exporter_alert_webhook_alerts_tracked"), "the resolution was forgotten after keep time")
}

func statusOf(t *testing.T, srv *recorder, i int) string {
	t.Helper()
	b := srv.bodies(t)[i].(map[string]any)
	return b["status"].(string)
}

func TestSendResolvedOff(t *testing.T) {
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.SendResolved = false
	e := startExporter(t, cfg, &fakeClock{now: t0}, nil)
	ctx := context.Background()
	require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
	require.NoError(t, e.pushLogs(ctx, logs(resolved("ev-2"))))
	refire := firing("ev-3")
	refire.Time = t0.Add(20 * time.Minute)
	require.NoError(t, e.pushLogs(ctx, logs(refire)))
	// firing, (resolution suppressed), new firing
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "firing", statusOf(t, srv, 0))
	assert.Equal(t, "firing", statusOf(t, srv, 1))
}

func TestFilterAndIgnore(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	srv := newRecorder(t, 200)
	cfg := testConfig(srv.URL, FormatJSON)
	cfg.MinSeverity = "error"
	e := startExporterWith(t, cfg, &fakeClock{now: t0}, nil, set)

	warn := firing("ev-warn")
	warn.Severity = modelevent.SeverityWarning
	warn.AlertID = "w"
	retrainOnly := firing("ev-retrain")
	retrainOnly.Actions = []string{modelevent.ActionRetrain}
	retrainOnly.AlertID = "r"
	crit := firing("ev-crit")
	crit.Severity = modelevent.SeverityCritical
	ld := logs(warn, retrainOnly, crit)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	lrs.AppendEmpty().Body().SetStr("an ordinary log line")
	bad := lrs.AppendEmpty()
	bad.SetEventName(modelevent.EventName)
	bad.Attributes().PutStr(modelevent.AttrAlertState, "exploded")

	require.NoError(t, e.pushLogs(context.Background(), ld))
	require.Len(t, srv.requests(), 1, "only the critical alert")
	assert.EqualValues(t, 3, counter(t, tel, "otelcol_exporter_alert_webhook_events_received"))
	assert.EqualValues(t, 2, counter(t, tel, "otelcol_exporter_alert_webhook_events_filtered"))
	assert.EqualValues(t, 1, counter(t, tel, "otelcol_exporter_alert_webhook_events_ignored", attribute.String("reason", "not_modelmon")))
	assert.EqualValues(t, 1, counter(t, tel, "otelcol_exporter_alert_webhook_events_ignored", attribute.String("reason", "malformed")))
	assert.NoError(t, e.pushLogs(context.Background(), plog.NewLogs()))
}

func TestOutOfOrderFiringIsDropped(t *testing.T) {
	srv := newRecorder(t, 200)
	e := startExporter(t, testConfig(srv.URL, FormatJSON), &fakeClock{now: t0}, nil)
	ctx := context.Background()
	require.NoError(t, e.pushLogs(ctx, logs(resolved("ev-2"))))
	require.NoError(t, e.pushLogs(ctx, logs(firing("ev-1"))))
	require.Len(t, srv.requests(), 1)
	assert.Equal(t, "resolved", statusOf(t, srv, 0), "an older firing arriving late does not reopen the alert")
}
