package modelmonprocessor

import (
	"context"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

// TestSignalStateFitsHalfACacheLine keeps the per-point state of a signal
// small: every point reads and writes it, two to a 64-byte line.
func TestSignalStateFitsHalfACacheLine(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(signalState{}), uintptr(32))
}

// TestStaticDetectorsShared: stateless static detectors are one per rule,
// stateful adaptive ones one per rule and model.
func TestStaticDetectorsShared(t *testing.T) {
	ewma := RuleConfig{Name: "acc_ewma", Signal: "accuracy", Strategy: strategy.EWMA, Aggregation: "mean"}
	e, _ := testEngine(t, rules(below("acc", "accuracy", "mean", 0.9), ewma), consumertest.NewNop())
	_, err := e.processMetrics(context.Background(), buildBatch(t, []string{
		"model.accuracy 0.97 model.name=a model.version=1",
		"model.accuracy 0.97 model.name=b model.version=1",
	}, t0))
	require.NoError(t, err)
	require.Len(t, e.allModels(), 2)
	a, b := e.allModels()[0], e.allModels()[1]
	assert.Same(t, a.rules[0].det, b.rules[0].det, "static: shared")
	assert.NotSame(t, a.rules[1].det, b.rules[1].det, "ewma: one per model")
}
