package window

import (
	"fmt"
	"strings"
)

// Aggregation is the statistic a rule computes over a signal's window, as
// written in a rule's `aggregation:`.
type Aggregation uint8

// Aggregations. The zero value, Last, is the newest value: what a rule
// without an aggregation compares.
const (
	Last Aggregation = iota
	Mean
	Min
	Max
	Stddev
	Count
	P50
	P90
	P95
	P99
	EWMA
	numAggregations
)

var aggregationNames = [numAggregations]string{
	Last:   "last",
	Mean:   "mean",
	Min:    "min",
	Max:    "max",
	Stddev: "stddev",
	Count:  "count",
	P50:    "p50",
	P90:    "p90",
	P95:    "p95",
	P99:    "p99",
	EWMA:   "ewma",
}

// ParseAggregation parses an aggregation name; the error lists the valid ones.
func ParseAggregation(s string) (Aggregation, error) {
	for a, name := range aggregationNames {
		if name == s {
			return Aggregation(a), nil
		}
	}
	return 0, fmt.Errorf("unknown aggregation %q (want one of %s)", s, strings.Join(aggregationNames[:], ", "))
}

// String returns the aggregation's name as written in config.
func (a Aggregation) String() string {
	if a < numAggregations {
		return aggregationNames[a]
	}
	return fmt.Sprintf("aggregation(%d)", uint8(a))
}

// Names returns the valid aggregation names, in declaration order.
func Names() []string {
	return append([]string(nil), aggregationNames[:]...)
}

// Quantile returns the quantile a percentile aggregation asks for (0.5 for
// P50…) and false for the others.
func (a Aggregation) Quantile() (float64, bool) {
	switch a {
	case P50:
		return 0.5, true
	case P90:
		return 0.9, true
	case P95:
		return 0.95, true
	case P99:
		return 0.99, true
	}
	return 0, false
}
