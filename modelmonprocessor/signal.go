package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"math"
	"sort"
)

// domain is the range of values a signal can take; values outside are
// measurement bugs, not model behaviour, and stay out of the windows.
type domain uint8

const (
	anyFinite domain = iota
	unitInterval
	nonNegative
)

func signalDomain(signal string) domain {
	switch signal {
	case SignalAccuracy, SignalPrecision, SignalRecall, SignalF1Score:
		return unitInterval
	case SignalLatency, SignalThroughput:
		return nonNegative
	}
	return anyFinite
}

func (d domain) valid(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	switch d {
	case unitInterval:
		return v >= 0 && v <= 1
	case nonNegative:
		return v >= 0
	}
	return true
}

// signalTable numbers the configured signals densely so that per-model state
// is a slice indexed by signal, and maps metric names to those numbers.
type signalTable struct {
	names    []string
	domains  []domain
	byMetric map[string]int
}

func newSignalTable(metricToSignal map[string]string) *signalTable {
	t := &signalTable{byMetric: make(map[string]int, len(metricToSignal))}
	// Sorted so that signal numbers do not depend on map iteration order.
	metrics := make([]string, 0, len(metricToSignal))
	for m := range metricToSignal {
		metrics = append(metrics, m)
	}
	sort.Strings(metrics)
	idx := map[string]int{}
	for _, m := range metrics {
		s := metricToSignal[m]
		i, ok := idx[s]
		if !ok {
			i = len(t.names)
			idx[s] = i
			t.names = append(t.names, s)
			t.domains = append(t.domains, signalDomain(s))
		}
		t.byMetric[m] = i
	}
	return t
}

// index returns the number of a signal name, or -1.
func (t *signalTable) index(signal string) int {
	for i, n := range t.names {
		if n == signal {
			return i
		}
	}
	return -1
}

// unitScale converts a time unit to milliseconds, the unit latency
// thresholds are written in; other units are taken as they are.
func unitScale(unit string) float64 {
	switch unit {
	case "s":
		return 1000
	case "ms":
		return 1
	case "us", "µs", "μs":
		return 1e-3
	case "ns":
		return 1e-6
	}
	return 1
}
