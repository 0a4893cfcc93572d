package modelmonprocessor // import "github.com/visutility/otelcol-modelmon/modelmonprocessor"

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/visutility/otelcol-modelmon/modelevent"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/drift"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/identity"
	"github.com/visutility/otelcol-modelmon/modelmonprocessor/internal/strategy"
)

// defaultDriftMinSamples is min_samples of a drift rule when unset: a window
// of 16 points of a few dozen observations each keeps the noise floor of
// every distance below its default threshold on stationary data
// (docs/drift.md), where one point would alarm on sampling noise alone.
const defaultDriftMinSamples = 16

// driftRule is the drift part of a compiled rule.
type driftRule struct {
	dist      drift.Distance
	ref       drift.ReferenceKind
	groupBy   []string
	maxGroups int
	// pinned is the reference of `reference: pinned`, shared read-only by
	// every model and group of the rule.
	pinned *drift.Hist
	// index is the rule's position among the engine's drift rules, ri
	// among all its rules.
	index, ri int
}

// aggregationName is the rule's aggregation as events and health metrics
// name it.
func (r *rule) aggregationName() string {
	if r.dist != nil {
		return r.dist.dist.String()
	}
	return r.agg.String()
}

// compileDriftRule validates a rule with a drift aggregation: a distance
// between the window's merged histogram and a reference, compared with an
// `above:` threshold.
func compileDriftRule(r *rule, rc RuleConfig, d drift.Distance, add func(string, ...any)) {
	r.dist = &driftRule{
		dist:      d,
		ref:       rc.ReferenceConfig.Kind(),
		groupBy:   rc.GroupBy,
		maxGroups: rc.Groups(),
	}
	for _, err := range splitErrors(rc.ReferenceConfig.Validate(d.String())) {
		add("%w", err)
	}
	if len(rc.GroupBy) > identity.MaxKeyAttributes {
		add("group_by: at most %d attributes, got %d", identity.MaxKeyAttributes, len(rc.GroupBy))
	}
	for i, g := range rc.GroupBy {
		if modelevent.IsContractAttribute(g) {
			add("group_by[%d]: %q is reserved for the event contract (modelmon.*)", i, g)
		}
	}
	if r.dist.ref == drift.Pinned && rc.ReferenceDistribution != nil {
		if h, err := drift.PinnedReference(*rc.ReferenceDistribution); err == nil {
			r.dist.pinned = h
		}
		if d == drift.Wasserstein && len(rc.ReferenceDistribution.Bounds) < 2 {
			// Compared on the pinned grid or a coarser one, the rule could never evaluate.
			add("reference_distribution.bounds: wasserstein measures bucket widths and needs at least 2 bounds, got %d", len(rc.ReferenceDistribution.Bounds))
		}
	}
	if r.strategy != strategy.Static {
		add("strategy: a drift aggregation (%s) is compared with above:, not with the %s strategy", d, r.strategy)
	}
	if rc.Below != nil {
		add("below: a distance grows as the distribution moves away; use above:")
	}
	if rc.Direction != "" {
		add("direction: a drift aggregation alerts above its threshold")
	}
	r.dir, r.threshold = strategy.Above, d.DefaultThreshold()
	if rc.Above != nil {
		r.threshold = *rc.Above
	}
	if rc.Kind == "" {
		r.kind = modelevent.KindDrift
	}
	if rc.MinSamples == 0 {
		r.minSamples = defaultDriftMinSamples
	}
}

// checkNotDrift refuses drift settings on a rule whose aggregation is not a
// distance: they would be silently ignored.
func checkNotDrift(rc RuleConfig, aggName string, add func(string, ...any)) {
	for _, err := range splitErrors(rc.ReferenceConfig.Validate(aggName)) {
		add("%w", err)
	}
	if len(rc.GroupBy) > 0 {
		add("group_by: only with a drift aggregation (%s), not %q", strings.Join(drift.Names(), ", "), aggName)
	}
	if rc.MaxGroups != 0 {
		add("max_groups: only with a drift aggregation and group_by")
	}
}

// validateDriftKeys checks what a drift rule needs of the model key:
// previous_version finds the previous version through model.version, and a
// group attribute that is also a key attribute would split nothing.
func (c *Config) validateDriftKeys(field string, rc RuleConfig) []error {
	d, ok := drift.Parse(rc.Aggregation)
	if !ok {
		return nil
	}
	var errs []error
	if rc.ReferenceConfig.Kind() == drift.PreviousVersion && !slices.Contains(c.ModelKey, modelevent.AttrModelVersion) {
		errs = append(errs, fmt.Errorf("%s.reference: previous_version compares a model's versions; model_key must contain %s", field, modelevent.AttrModelVersion))
	}
	if rc.ReferenceConfig.Kind() == drift.PreviousVersion && len(c.ModelKey) < 2 {
		errs = append(errs, fmt.Errorf("%s.reference: previous_version needs a model_key with an attribute besides %s (the model name)", field, modelevent.AttrModelVersion))
	}
	for i, g := range rc.GroupBy {
		if slices.Contains(c.ModelKey, g) {
			errs = append(errs, fmt.Errorf("%s.group_by[%d]: %q is already part of model_key; a %s rule groups within one model", field, i, g, d))
		}
	}
	return errs
}

// splitErrors unpacks a joined error so that each gets its field prefix.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}
