package drift

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultMaxGroups bounds the groups (e.g. features) one drift rule keeps
// per model key when max_groups is unset. Each group holds a window of
// histogram points and a reference; 256 covers the feature count of typical
// tabular models, while a label with unbounded values (a request id written
// into group_by by mistake) stops at a few MiB per model.
const DefaultMaxGroups = 256

// DistributionConfig is a pinned reference distribution: bucket upper
// bounds and the share of each bucket (len(bounds)+1, the last one above the
// highest bound), summing to 1.
type DistributionConfig struct {
	Bounds      []float64 `mapstructure:"bounds"`
	Proportions []float64 `mapstructure:"proportions"`
}

// ReferenceConfig is the part of a rule that drift aggregations read; a
// rule embeds it with `mapstructure:",squash"`.
type ReferenceConfig struct {
	// Reference is learned (default), pinned or previous_version.
	Reference string `mapstructure:"reference"`
	// ReferenceDistribution is the distribution of `reference: pinned`.
	ReferenceDistribution *DistributionConfig `mapstructure:"reference_distribution"`
	// GroupBy names data-point attributes (e.g. feature.name); each value
	// combination gets its own window, reference and alert.
	GroupBy []string `mapstructure:"group_by"`
	// MaxGroups bounds the groups per model key; 0 means DefaultMaxGroups.
	// Points of further groups are refused and counted.
	MaxGroups int `mapstructure:"max_groups"`
}

// Validate checks the reference settings of a rule whose aggregation is
// named aggregation. Only drift aggregations (Names) may set a reference;
// errors name the YAML field.
func (c *ReferenceConfig) Validate(aggregation string) error {
	_, isDrift := Parse(aggregation)
	var errs []error
	if !isDrift {
		if c.Reference != "" {
			errs = append(errs, fmt.Errorf("reference: only with a drift aggregation (%s), not %q", strings.Join(Names(), ", "), aggregation))
		}
		if c.ReferenceDistribution != nil {
			errs = append(errs, fmt.Errorf("reference_distribution: only with reference: pinned and a drift aggregation"))
		}
	} else {
		kind, err := ParseReference(c.Reference)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("reference: %w", err))
		case kind == Pinned && c.ReferenceDistribution == nil:
			errs = append(errs, errors.New("reference_distribution: required with reference: pinned (bounds and proportions)"))
		case kind != Pinned && c.ReferenceDistribution != nil:
			errs = append(errs, fmt.Errorf("reference_distribution: only with reference: pinned, not %s", kind))
		case kind == Pinned:
			if err := ValidateDistribution(c.ReferenceDistribution.Bounds, c.ReferenceDistribution.Proportions); err != nil {
				errs = append(errs, fmt.Errorf("reference_distribution.%w", err))
			}
		}
	}
	seen := make(map[string]bool, len(c.GroupBy))
	for i, g := range c.GroupBy {
		switch {
		case strings.TrimSpace(g) == "":
			errs = append(errs, fmt.Errorf("group_by[%d]: must be an attribute name, got an empty string", i))
		case seen[g]:
			errs = append(errs, fmt.Errorf("group_by[%d]: %q is listed twice", i, g))
		}
		seen[g] = true
	}
	if c.MaxGroups < 0 {
		errs = append(errs, fmt.Errorf("max_groups: must be >= 0 (0 means %d), got %d", DefaultMaxGroups, c.MaxGroups))
	}
	return errors.Join(errs...)
}

// Groups is max_groups with its default applied.
func (c *ReferenceConfig) Groups() int {
	if c.MaxGroups > 0 {
		return c.MaxGroups
	}
	return DefaultMaxGroups
}

// Kind is the validated reference kind (learned when unset or invalid).
func (c *ReferenceConfig) Kind() ReferenceKind {
	k, _ := ParseReference(c.Reference)
	return k
}
