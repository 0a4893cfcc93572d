package modelmonprocessor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelevent"
)

// TestAdaptiveRelearnsAfterResolution: the state of an adaptive detector
// resets when its alert resolves, and its warm-up never fires. Once an
// adaptive alert resolves, the detector learns normal afresh, so a model that
// settles at a new level is not alerted again on the old reference. Without
// the reset the new level fires again at once (checked for each strategy).
func TestAdaptiveRelearnsAfterResolution(t *testing.T) {
	tests := []struct {
		name     string
		strategy string
	}{
		{name: "cusum", strategy: "cusum"},
		{name: "page_hinkley", strategy: "page_hinkley"},
		{name: "ewma", strategy: "ewma"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := new(consumertest.LogsSink)
			cfg := rules(RuleConfig{Name: "drift_shift", Signal: "drift_score", Strategy: tt.strategy})
			cfg.HealthMetrics = false
			e, _ := testEngine(t, cfg, sink)
			i := 0
			// feed sends one point per batch, a second apart, around level.
			feed := func(level float64) {
				at := t0.Add(time.Duration(i) * time.Second)
				e.clock = func() time.Time { return at }
				v := level + 0.002*float64(i%3-1)
				line := fmt.Sprintf("model.drift_score %g model.name=m model.version=1 @%ds", v, i)
				_, err := e.processMetrics(context.Background(), buildBatch(t, []string{line}, t0))
				require.NoError(t, err)
				i++
			}
			states := func() []modelevent.State {
				var out []modelevent.State
				for _, v := range violations(sink) {
					out = append(out, v.State)
				}
				return out
			}

			for range 40 {
				feed(0.02)
			}
			require.Empty(t, states(), "warm-up and a stable stream never fire")
			for n := 0; n < 100 && len(states()) == 0; n++ {
				feed(0.05)
			}
			require.Equal(t, []modelevent.State{modelevent.StateFiring}, states(), "the step fires")
			for n := 0; n < 2000 && len(states()) == 1; n++ {
				feed(0.02)
			}
			require.Equal(t, []modelevent.State{modelevent.StateFiring, modelevent.StateResolved}, states(),
				"back to normal resolves")

			// The model now settles at the level that fired before: after the
			// reset it is the new normal, learnt during a fresh warm-up.
			for range 60 {
				feed(0.05)
			}
			require.Equal(t, []modelevent.State{modelevent.StateFiring, modelevent.StateResolved}, states(),
				"after resolution the detector relearns; the new level is not judged by the old reference")
		})
	}
}
