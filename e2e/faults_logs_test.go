package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// refusingLogsConfig: the logs pipeline's only exporter has neither a queue
// nor retries, so while its target is down every event is refused back to
// the processor, whose outbox holds at most three.
const refusingLogsConfig = `
processors:
  modelmon:
    window:
      size: 64
      duration: 2s
    evaluation_interval: 250ms
    max_pending_events: 3
exporters:
  debug:
    verbosity: basic
  otlp_http/events:
    endpoint: http://127.0.0.1:{{.SinkPort}}
    compression: none
    sending_queue:
      enabled: false
    retry_on_failure:
      enabled: false
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
      exporters: [otlp_http/events]
`

// TestRefusingLogsPipeline: five alerts fire while the logs pipeline refuses
// events. The outbox keeps the first three and retries them, the two that do
// not fit are counted, the metrics pipeline never notices, and once the
// target is back the three arrive and later events flow in order.
func TestRefusingLogsPipeline(t *testing.T) {
	sinkPort := freePort(t)
	c := newCollector(t, refusingLogsConfig, map[string]any{"SinkPort": sinkPort})
	c.start()
	var models []*fleetModel
	for _, n := range []string{"m1", "m2", "m3", "m4", "m5"} {
		m := &fleetModel{Name: n, Version: "v1", Service: n + "-api"}
		m.setAccuracy(0.80)
		models = append(models, m)
	}
	startFleet(t, c, 200*time.Millisecond, models...)

	waitMetric(t, c, 5, "otelcol_processor_modelmon_events", `state="firing"`)
	waitMetric(t, c, 2, "otelcol_processor_modelmon_events_dropped")
	require.Eventually(t, func() bool {
		held, _ := c.metric("otelcol_processor_modelmon_outbox_length")
		return held == 3
	}, 30*time.Second, 100*time.Millisecond, "the outbox holds max_pending_events")
	// The metrics pipeline keeps flowing while the logs pipeline refuses.
	sent, _ := c.metric("otelcol_exporter_sent_metric_points", `exporter="debug"`)
	waitMetric(t, c, sent+20, "otelcol_exporter_sent_metric_points", `exporter="debug"`)
	refused, found := c.metric("otelcol_receiver_refused_metric_points")
	require.True(t, found, "the receiver reports refusals")
	assert.Zero(t, refused, "no metrics refused because of the logs pipeline")

	sink := &logSink{}
	sink.srv = serveOn(t, sinkPort, http.HandlerFunc(sink.handle))
	require.Eventually(t, func() bool {
		return len(sink.find(ruleState("accuracy_low", modelevent.StateFiring))) >= 3
	}, 60*time.Second, 100*time.Millisecond, "held events never delivered")
	require.Eventually(t, func() bool {
		n, _ := c.metric("otelcol_processor_modelmon_outbox_length")
		return n == 0
	}, 30*time.Second, 100*time.Millisecond, "outbox did not drain")

	firing := sink.find(ruleState("accuracy_low", modelevent.StateFiring))
	assert.Len(t, firing, 3, "the held events, no more")
	ids := map[string]bool{}
	for _, e := range firing {
		assert.False(t, ids[e.V.EventID], "event %s delivered twice", e.V.EventID)
		ids[e.V.EventID] = true
	}
	dropped, _ := c.metric("otelcol_processor_modelmon_events_dropped")
	assert.Equal(t, 2.0, dropped, "overflow counted")

	// Events made after the recovery flow at once, behind the held ones.
	name := firing[0].V.ModelKeyValue(modelevent.AttrModelName)
	for _, m := range models {
		if m.Name == name {
			m.setAccuracy(0.97)
		}
	}
	require.Eventually(t, func() bool {
		return len(sink.find(ruleState("accuracy_low", modelevent.StateResolved))) > 0
	}, 60*time.Second, 100*time.Millisecond, "resolution after the recovery never delivered")
	resolved := sink.find(ruleState("accuracy_low", modelevent.StateResolved))
	assert.Equal(t, firing[0].V.AlertID, resolved[0].V.AlertID)
}
