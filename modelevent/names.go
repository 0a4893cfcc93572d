// Package modelevent is the modelmon event contract: it encodes a rule's state
// change for one model into a plog.LogRecord and decodes it back. Exporters and
// third parties depend on it; it depends only on pdata.
package modelevent

import "strings"

// EventName is the LogRecord event name of every modelmon violation event.
const EventName = "modelmon.violation"

// Attribute names of the contract. Exporters rely on these exact strings.
const (
	AttrModelName      = "model.name"
	AttrModelVersion   = "model.version"
	AttrAlertState     = "modelmon.alert.state"
	AttrAlertID        = "modelmon.alert.id"
	AttrEventID        = "modelmon.event.id"
	AttrAlertStartedAt = "modelmon.alert.started_at"
	AttrRule           = "modelmon.rule"
	AttrSignal         = "modelmon.signal"
	AttrKind           = "modelmon.kind"
	AttrStrategy       = "modelmon.strategy"
	AttrAggregation    = "modelmon.aggregation"
	AttrComparison     = "modelmon.comparison"
	AttrObserved       = "modelmon.observed"
	AttrThreshold      = "modelmon.threshold"
	AttrWindowSamples  = "modelmon.window.samples"
	AttrWindowStart    = "modelmon.window.start"
	AttrWindowEnd      = "modelmon.window.end"
	AttrSeverity       = "modelmon.severity"
	AttrActions        = "modelmon.actions"
	AttrBaselineMean   = "modelmon.baseline.mean"
	AttrBaselineStddev = "modelmon.baseline.stddev"
	AttrResolvedReason = "modelmon.resolved_reason"
	// AttrGroupBy lists the names of the group attributes of a rule with
	// group_by (e.g. feature.name); the attributes themselves are plain
	// record attributes like the model key's, told apart by this list.
	AttrGroupBy = "modelmon.group_by"
	// AttrDriftReference is what a drift rule compared with: learned,
	// pinned or previous_version.
	AttrDriftReference = "modelmon.drift.reference"
	// AttrDriftReferenceVersion is the model version a previous_version
	// reference came from.
	AttrDriftReferenceVersion = "modelmon.drift.reference_version"
	// AttrDriftBuckets holds the buckets that moved most, largest first, as
	// "(20, 30]: 45.0% vs 20.0%" (current share vs reference share).
	AttrDriftBuckets     = "modelmon.drift.buckets"
	AttrAnnotationPrefix = "modelmon.annotation."
)

// contractPrefix marks attributes owned by the contract; every other record
// attribute is part of the model key.
const contractPrefix = "modelmon."

// IsContractAttribute reports whether name belongs to the contract (it
// starts with "modelmon."). Such a name cannot be a model-key attribute: an
// encoded record would not decode it as part of the key, and it could
// overwrite a contract attribute, so producers should refuse it in their
// model-key configuration.
func IsContractAttribute(name string) bool {
	return strings.HasPrefix(name, contractPrefix)
}

// State is the alert state an event reports.
type State string

// Alert states.
const (
	StateFiring   State = "firing"
	StateResolved State = "resolved"
)

// Kind classifies what went wrong with the model.
type Kind string

// Kinds of violation.
const (
	KindDegradation Kind = "degradation"
	KindDrift       Kind = "drift"
	KindLatency     Kind = "latency"
	KindNoData      Kind = "no_data"
)

// Comparison is the direction in which a value breaches its threshold.
type Comparison string

// Comparisons.
const (
	ComparisonBelow Comparison = "below"
	ComparisonAbove Comparison = "above"
)

// Actions a rule may request of the observers.
const (
	ActionAlert   = "alert"
	ActionRetrain = "retrain"
)

// Resolved reasons beyond the normal one (condition no longer true).
const (
	// ResolvedExpired is set when a model stopped sending data and was evicted.
	ResolvedExpired = "expired"
)
