package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// clockConfig: one rule on the latest accuracy, Alertmanager re-sent only
// once a minute, so that an alert Alertmanager failed to resolve would stay
// active for minutes (four resend intervals), far beyond what the tests wait.
const clockConfig = `
processors:
  modelmon:
    window:
      size: 16
      duration: 10m
    evaluation_interval: 250ms
    rules:
      - name: accuracy_low
        signal: accuracy
        aggregation: last
        below: 0.9
exporters:
  debug:
    verbosity: basic
  alert_webhook:
    endpoint: {{.AlertmanagerURL}}
    format: alertmanager
    resend_interval: 1m
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
  retrain_queue:
    backend: redis
    coalesce_window: 0s
    cooldown: 0s
    redis:
      address: {{.RedisAddr}}
      stream: modelmon:retrain
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [modelmon]
      exporters: [debug]
    logs:
      receivers: [nop]
      processors: [modelmon]
      exporters: [alert_webhook, retrain_queue]
`

// accuracyPoint is one model.accuracy point of a model (version v1).
type accuracyPoint struct {
	model string
	t     time.Time
	v     float64
}

// postAccuracies posts the points in one OTLP/HTTP protobuf request.
func postAccuracies(t *testing.T, c *collector, points []accuracyPoint) {
	t.Helper()
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for _, p := range points {
		m := ms.AppendEmpty()
		m.SetName("model.accuracy")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.Attributes().PutStr("model.name", p.model)
		dp.Attributes().PutStr("model.version", "v1")
		dp.SetTimestamp(pcommonTime(p.t))
		dp.SetDoubleValue(p.v)
	}
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	require.NoError(t, err)
	code, answer := postOTLP(t, c, "application/x-protobuf", body)
	require.Equal(t, http.StatusOK, code, answer)
}

// sendAccuracy posts one accuracy point of model stamped at ts.
func sendAccuracy(t *testing.T, c *collector, model string, v float64, ts time.Time) {
	t.Helper()
	postAccuracies(t, c, []accuracyPoint{{model: model, t: ts, v: v}})
}

// amAlertsFor lists the alerts Alertmanager holds as active for model.
func amAlertsFor(t *testing.T, am *alertmanager, model string) []amAlert {
	var out []amAlert
	for _, a := range am.activeAlerts(t) {
		if a.Labels["model_name"] == model {
			out = append(out, a)
		}
	}
	return out
}

// TestClockSkewResolvesInAlertmanager: producers whose points are stamped
// two minutes before they arrive (an agent tier that batches and retries, a
// replayed queue) or 15 s ahead of the collector's clock: the alert appears
// in a real Alertmanager with the data's start, and its resolution ends it
// there at once instead of leaving it active for four resend intervals.
func TestClockSkewResolvesInAlertmanager(t *testing.T) {
	am := startAlertmanager(t)
	rds := newRedis(t, 0)
	rds.startRedis(t)
	c := newCollector(t, clockConfig, map[string]any{"AlertmanagerURL": am.URL, "RedisAddr": rds.Addr})
	c.start()

	for _, tc := range []struct {
		model string
		skew  time.Duration
	}{{"delayed-model", -2 * time.Minute}, {"ahead-model", 15 * time.Second}} {
		t.Run(tc.model, func(t *testing.T) {
			start := time.Now().Add(tc.skew).Truncate(time.Millisecond)
			sendAccuracy(t, c, tc.model, 0.97, start)
			sendAccuracy(t, c, tc.model, 0.70, start.Add(time.Second))
			var firing []amAlert
			require.Eventually(t, func() bool {
				firing = amAlertsFor(t, am, tc.model)
				return len(firing) == 1
			}, 20*time.Second, 100*time.Millisecond, "the alert never reached Alertmanager:\n%s", c.logText())
			if tc.skew < 0 {
				assert.True(t, firing[0].StartsAt.Equal(start.Add(time.Second)),
					"startsAt is the data time of the breaching point: got %s, want %s", firing[0].StartsAt, start.Add(time.Second))
			} else {
				assert.False(t, firing[0].StartsAt.After(time.Now()), "startsAt is not in Alertmanager's future")
			}

			sendAccuracy(t, c, tc.model, 0.97, start.Add(2*time.Second))
			require.Eventually(t, func() bool { return len(amAlertsFor(t, am, tc.model)) == 0 },
				15*time.Second, 100*time.Millisecond, "Alertmanager still lists the recovered alert as active:\n%s", c.logText())
			failed, _ := c.metric("otelcol_exporter_send_failed_log_records")
			assert.Zero(t, failed, "no notification was refused")
		})
	}
}

// TestClockHAPair: two gateways fed the same points, at different moments
// and in different batches, post one alert to Alertmanager with one startsAt
// and write one retraining job per incident, because every time in their
// events comes from the data.
func TestClockHAPair(t *testing.T) {
	am := startAlertmanager(t)
	rds := newRedis(t, 0)
	rds.startRedis(t)
	data := func() map[string]any { return map[string]any{"AlertmanagerURL": am.URL, "RedisAddr": rds.Addr} }
	a := newCollector(t, clockConfig, data())
	b := newCollector(t, clockConfig, data())
	a.start()
	b.start()

	models := []string{"ha-m0", "ha-m1", "ha-m2"}
	base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	// Two incidents per model: healthy, bad, healthy, bad, healthy.
	values := []float64{0.97, 0.6, 0.97, 0.5, 0.97}
	for i, v := range values {
		ts := base.Add(time.Duration(i) * time.Second)
		for _, m := range models {
			sendAccuracy(t, a, m, v, ts)
		}
		// The second gateway gets each point after the first has handled it.
		for _, m := range models {
			sendAccuracy(t, b, m, v, ts)
		}
	}
	require.Eventually(t, func() bool {
		return len(rds.streamJobs(t, "modelmon:retrain")) >= 2*len(models)
	}, 20*time.Second, 100*time.Millisecond, "retraining jobs never reached Redis")
	// Both gateways have handed every event (two firings, two resolutions
	// per model) to the exporter before the jobs are counted.
	require.Eventually(t, func() bool {
		ja, _ := a.metric("otelcol_exporter_sent_log_records", `exporter="retrain_queue"`)
		jb, _ := b.metric("otelcol_exporter_sent_log_records", `exporter="retrain_queue"`)
		return ja >= 4*float64(len(models)) && jb >= 4*float64(len(models))
	}, 20*time.Second, 100*time.Millisecond)
	jobs := rds.streamJobs(t, "modelmon:retrain")
	for _, m := range models {
		got := jobsFor(jobs, m)
		assert.Len(t, got, 2, "one job per incident of %s across both gateways: %+v", m, got)
	}
	// The last resolutions may still be on their way to Alertmanager.
	assert.Eventually(t, func() bool { return len(am.activeAlerts(t)) == 0 }, 20*time.Second, 100*time.Millisecond,
		"Alertmanager still holds active alerts")
}
