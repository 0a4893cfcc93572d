// Package status is the read-only view a modelmon processor offers of its
// state, and the registry through which a status page finds it. The
// processor and the modelmon_status extension both import this package and
// never each other: the processor implements Source, the extension Registry.
//
// Every value is a copy: a Snapshot shares no memory with the processor, so
// the page renders without holding any of the processor's locks.
package status

import (
	"time"

	"go.opentelemetry.io/collector/component"
)

// Registry is implemented by an extension that shows modelmon state. A
// processor registers its Source at Start with every extension of the host
// implementing it, and calls the returned function at Shutdown.
type Registry interface {
	Register(id component.ID, src Source) (unregister func())
}

// Source is a running modelmon processor's state, read on demand.
type Source interface {
	// Snapshot copies the part of the state q asks for. It holds the
	// processor's lock only while copying, bounded by q's limits.
	Snapshot(q Query) Snapshot
}

// Alert and model states, as in Prometheus' ALERTS series.
const (
	StateInactive = "inactive"
	StatePending  = "pending"
	StateFiring   = "firing"
)

// Sort orders of the fleet.
const (
	// SortState puts firing models first, then pending, then inactive; by
	// model id within a state.
	SortState = "state"
	// SortName orders by model id.
	SortName = "name"
	// SortLastSeen puts the most recently seen models first.
	SortLastSeen = "last_seen"
)

// Query says which part of the state a Snapshot copies.
type Query struct {
	// State keeps only models whose worst rule state is this one; empty
	// keeps all.
	State string
	// Sort is SortState (the default), SortName or SortLastSeen.
	Sort string
	// Offset and Limit select the page of models (after filtering and
	// sorting) and of active alerts. Limit ≤ 0 means DefaultLimit; it is
	// capped at MaxLimit.
	Offset, Limit int
	// Model, when set, selects only the model with this id, with its
	// signals' windows.
	Model string
}

// Limits of a Query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// PageLimit returns q.Limit bounded to (0, MaxLimit].
func (q Query) PageLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// Snapshot is a processor's state at one moment.
type Snapshot struct {
	// Taken is when the snapshot was copied (collector clock).
	Taken time.Time
	// Rules are the processor's configured rules.
	Rules []Rule
	// Counts covers the whole fleet, whatever the query selected.
	Counts Counts
	// Matched is the number of models the query's filter kept; Models holds
	// the page of them from Offset.
	Matched int
	Models  []Model
	// Alerts are the pending and firing alerts, firing first, the oldest
	// first within a state, up to the query's limit; AlertsTotal counts
	// them all.
	Alerts      []Alert
	AlertsTotal int
	// Resolved are the most recently resolved alerts, newest first.
	Resolved []Alert
}

// Counts are fleet-wide totals.
type Counts struct {
	Models int
	// By worst rule state of each model.
	Inactive, Pending, Firing int
	// Active alerts (one per rule per model, and per group of a drift
	// rule).
	PendingAlerts, FiringAlerts int
}

// Rule is one configured rule.
type Rule struct {
	Name, Signal, Kind, Strategy, Aggregation string
	// Comparison is below, above or both: the bad side.
	Comparison string
	// Threshold is the static bound; adaptive rules learn theirs per model.
	Threshold     float64
	HasThreshold  bool
	For           time.Duration
	KeepFiringFor time.Duration
	Severity      string
}

// Label is one name and value (a model-key attribute, an annotation).
type Label struct {
	Name, Value string
}

// Model is one model's state.
type Model struct {
	// ID is the model key's values joined by ':' (fraud-model:v7).
	ID string
	// Labels are the model-key attributes in configured order.
	Labels []Label
	// Resource holds the attributes of the model's resource (service.name…);
	// filled only for a single-model query.
	Resource []Label
	// State is the worst state among the model's rules.
	State string
	// LastSeen is when the model's newest data arrived (collector clock).
	LastSeen time.Time
	// LastData is the newest data-point time the model sent (its watermark).
	LastData time.Time
	// Clock is the model's clock at the snapshot: data-point time, advanced
	// by the collector's clock since the last arrival. Alert times (ActiveAt)
	// are on this clock, so their age is Clock minus them.
	Clock time.Time
	Rules []RuleStatus
	// Signals are the windows; filled only for a single-model query.
	Signals []Signal
	// Drift holds the groups of the model's drift rules, the worst state
	// first, at most MaxDriftGroups of them; DriftGroups counts them all.
	// Filled only for a single-model query (the fleet shows each drift
	// rule's worst group in Rules).
	Drift       []DriftGroup
	DriftGroups int
}

// Bounds of a model's drift groups in a Snapshot.
const (
	// MaxDriftGroups is how many drift groups of one model a Snapshot
	// holds: each is a chart on the model's page.
	MaxDriftGroups = 20
	// MaxDriftBuckets is how many bars a drift group's distributions are
	// drawn with: finer grids are merged into adjacent runs of buckets.
	MaxDriftBuckets = 64
)

// DriftGroup is one drift rule's state for one model and group (the values
// of the rule's group_by attributes): its own window, reference and alert.
type DriftGroup struct {
	Rule, Signal, Aggregation string
	// Group are the group_by attributes and their values.
	Group []Label
	// AlertID is the group's alert fingerprint (modelmon.alert.id).
	AlertID string
	State   string
	// Evaluated is false until the window was compared with a reference.
	Evaluated bool
	// Distance is the last compared distance, Threshold its bound.
	Distance, Threshold float64
	Samples             int
	ActiveAt            time.Time
	// Reference is learned, pinned or previous_version; ReferenceVersion the
	// version a previous_version reference came from.
	Reference, ReferenceVersion string
	// Top are the buckets that contributed most to the last distance.
	Top []DriftBucket
	// Buckets are the window's and the reference's shares on the grid they
	// are compared on, at most MaxDriftBuckets; empty while either side is.
	Buckets []DriftBucket
	// Merged is how many adjacent buckets of the compared grid each of
	// Buckets sums (1 when the grid has MaxDriftBuckets buckets or fewer).
	Merged int
}

// DriftBucket is one bucket (Lower, Upper] and the current and reference
// shares in it; Contribution is its part of the distance (Top only).
type DriftBucket struct {
	Lower, Upper float64
	Cur, Ref     float64
	Contribution float64
}

// RuleStatus is one rule's state for one model.
type RuleStatus struct {
	Rule, Signal string
	State        string
	// Evaluated is false until the rule has a verdict (too few samples,
	// warm-up of an adaptive strategy, or no data for the signal yet).
	Evaluated bool
	// Value is the last compared statistic, Threshold its bound.
	Value, Threshold float64
	// Statistic is true when Value and Threshold are a change detector's
	// statistic (CUSUM, Page-Hinkley) rather than the signal's units.
	Statistic bool
	// Samples is the number of samples in the window at the last evaluation.
	Samples int
	// ActiveAt is when the current episode began (zero when inactive).
	ActiveAt time.Time
	// Band is the learned baseline of an adaptive rule, when it has one.
	Band *Band
}

// Band is an adaptive rule's learned reference in the signal's units: its
// mean and the bounds a value may reach on either side of it.
type Band struct {
	Mean, Lo, Hi float64
}

// Signal is the window of one signal of one model.
type Signal struct {
	Name string
	// Unit is "ms" for latency (histograms and gauges are scaled to it),
	// empty otherwise.
	Unit string
	// Points are the window's scalar samples in data-point time order.
	Points []Point
	// Percentiles are, for a signal that arrives as histograms, one series
	// per percentile (p50, p90, p99) with one value per histogram point.
	Percentiles []Series
	// Lines are the rules reading this signal, each with its threshold and
	// band, for the chart.
	Lines []RuleStatus
}

// Point is one sample: data-point time and value.
type Point struct {
	T time.Time
	V float64
}

// Series is a named line of points.
type Series struct {
	Name   string
	Points []Point
}

// Alert is one pending, firing or resolved alert: one rule for one model.
type Alert struct {
	// ID is the alert's fingerprint (modelmon.alert.id).
	ID                 string
	Rule, Signal, Kind string
	Model              string
	// Labels are the model-key attributes, then for a drift rule's alert
	// the group attributes.
	Labels      []Label
	Annotations []Label
	State       string
	Severity    string
	ActiveAt    time.Time
	// ResolvedAt is set for resolved alerts.
	ResolvedAt time.Time
	// Clock is the model's clock at the snapshot (see Model.Clock); zero
	// for resolved alerts.
	Clock      time.Time
	For        time.Duration
	Value      float64
	Threshold  float64
	Comparison string
}
