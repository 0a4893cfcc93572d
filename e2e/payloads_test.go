package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// payloadConfig routes the violation events through an otlp_http exporter to
// the test's log sink. Default rules and windows: the payloads are built for them.
const payloadConfig = `
processors:
  modelmon:
    evaluation_interval: 1s
exporters:
  debug:
    verbosity: basic
  otlp_http/events:
    endpoint: {{.SinkURL}}
    compression: none
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
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

// TestPayloadsFireAndResolve sends testdata/otlp's healthy, degraded-accuracy
// and recovery payloads over OTLP/HTTP JSON, as the README's curl commands do,
// and checks that exactly one firing and then one resolved accuracy_low event
// leave the logs pipeline with the contract's attributes.
func TestPayloadsFireAndResolve(t *testing.T) {
	sink := newLogSink(t)
	c := newCollector(t, payloadConfig, map[string]any{"SinkURL": sink.srv.URL})
	c.start()

	sendPayload(t, c, "healthy.json")
	sendPayload(t, c, "degraded-accuracy.json")
	var firing receivedEvent
	require.Eventually(t, func() bool {
		ev := sink.find(ruleState("accuracy_low", modelevent.StateFiring))
		if len(ev) == 0 {
			return false
		}
		firing = ev[0]
		return true
	}, 30*time.Second, 50*time.Millisecond, "no firing accuracy_low event")

	sendPayload(t, c, "recovery.json")
	var resolved receivedEvent
	require.Eventually(t, func() bool {
		ev := sink.find(ruleState("accuracy_low", modelevent.StateResolved))
		if len(ev) == 0 {
			return false
		}
		resolved = ev[0]
		return true
	}, 30*time.Second, 50*time.Millisecond, "no resolved accuracy_low event")

	t.Run("firing", func(t *testing.T) {
		v := firing.V
		assert.Equal(t, modelevent.EventName, firing.Record.EventName())
		assert.Equal(t, plog.SeverityNumber(13), firing.Record.SeverityNumber(), "default severity warning")
		assert.Equal(t, "fraud-model", v.ModelKeyValue(modelevent.AttrModelName))
		assert.Equal(t, "v7", v.ModelKeyValue(modelevent.AttrModelVersion))
		assert.Equal(t, "accuracy", v.Signal)
		assert.Equal(t, modelevent.KindDegradation, v.Kind)
		assert.Equal(t, "static", v.Strategy)
		assert.Equal(t, "mean", v.Aggregation)
		assert.Equal(t, modelevent.ComparisonBelow, v.Comparison)
		assert.InDelta(t, 0.94, v.Threshold, 1e-9)
		// Healthy (0.97) and degraded (0.81) points share the five-minute window.
		assert.Less(t, v.Observed, 0.94)
		assert.Greater(t, v.Observed, 0.80)
		assert.ElementsMatch(t, []string{modelevent.ActionAlert, modelevent.ActionRetrain}, v.Actions)
		assert.Equal(t, modelevent.AlertID("accuracy_low", v.ModelKey), v.AlertID)
		assert.NotEmpty(t, v.EventID)
		assert.Positive(t, v.WindowSamples)
		assert.Equal(t, "fraud-scorer", firing.Resource["service.name"])
	})
	t.Run("resolved", func(t *testing.T) {
		v := resolved.V
		assert.Equal(t, firing.V.AlertID, v.AlertID, "one alert id for firing and resolved")
		assert.NotEqual(t, firing.V.EventID, v.EventID, "each event its own id")
		assert.Equal(t, firing.V.StartedAt, v.StartedAt)
		assert.GreaterOrEqual(t, v.Observed, 0.94, "recovery window holds only healthy points")
		assert.Empty(t, v.ResolvedReason)
		assert.Equal(t, "fraud-scorer", resolved.Resource["service.name"])
	})
	t.Run("nothing else", func(t *testing.T) {
		all, invalid := sink.all()
		assert.Empty(t, invalid, "every event decodes")
		assert.Len(t, all, 2, "only accuracy_low changes state: %v", all)
	})
}
