package modelmonprocessor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

func TestUnitScale(t *testing.T) {
	for unit, want := range map[string]float64{"s": 1000, "ms": 1, "us": 1e-3, "µs": 1e-3, "ns": 1e-6, "1": 1, "": 1, "By": 1} {
		t.Run(unit, func(t *testing.T) { assert.Equal(t, want, unitScale(unit)) })
	}
}

func TestDomains(t *testing.T) {
	tests := []struct {
		signal string
		v      float64
		valid  bool
	}{
		{SignalAccuracy, 0, true},
		{SignalAccuracy, 1, true},
		{SignalRecall, 1.0001, false},
		{SignalPrecision, -0.1, false},
		{SignalLatency, 0, true},
		{SignalLatency, -1, false},
		{SignalThroughput, -1, false},
		{SignalDriftScore, -3, true},
		{"custom", math.Inf(-1), false},
		{"custom", math.NaN(), false},
		{"custom", -1e300, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.valid, signalDomain(tt.signal).valid(tt.v), "%s %v", tt.signal, tt.v)
	}
}

func TestComparison(t *testing.T) {
	tests := []struct {
		name string
		dir  strategy.Direction
		res  strategy.Result
		want modelevent.Comparison
	}{
		{"below", strategy.Below, strategy.Result{Observed: 9, Threshold: 1}, modelevent.ComparisonBelow},
		{"above", strategy.Above, strategy.Result{Observed: -9, Threshold: 1}, modelevent.ComparisonAbove},
		{"both, under the threshold", strategy.Both, strategy.Result{Observed: 0.5, Threshold: 1}, modelevent.ComparisonBelow},
		// Observed is a detector statistic in σ here: only Side says which way the value moved.
		{"both, moved below the baseline", strategy.Both, strategy.Result{Observed: 30, Threshold: 25, HasBaseline: true, BaselineMean: 0.95, Side: strategy.Below}, modelevent.ComparisonBelow},
		{"both, moved above the baseline", strategy.Both, strategy.Result{Observed: 0.1, Threshold: 25, HasBaseline: true, BaselineMean: 0.95, Side: strategy.Above}, modelevent.ComparisonAbove},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, comparison(tt.dir, &tt.res)) })
	}
}
