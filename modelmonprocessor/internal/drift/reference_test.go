package drift

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hist(t *testing.T, counts ...uint64) *Hist {
	t.Helper()
	var h Hist
	require.NoError(t, h.AddExplicit([]float64{1, 2}, counts, sum(counts)))
	return &h
}

func TestLearnedReference(t *testing.T) {
	var l LearnedReference
	_, ok := l.Reference()
	assert.False(t, ok)
	assert.False(t, l.Offer(hist(t, 1, 1, 1), 3, 4, 100), "below min_samples")
	w := hist(t, 5, 5, 0)
	assert.True(t, l.Offer(w, 4, 4, 200))
	assert.False(t, l.Offer(hist(t, 0, 0, 9), 10, 4, 300), "frozen")
	ref, ok := l.Reference()
	require.True(t, ok)
	assert.Equal(t, int64(200), l.At)
	// A copy: the window moving on leaves the reference as it was.
	require.NoError(t, w.AddExplicit([]float64{1, 2}, []uint64{0, 0, 100}, 100))
	_, c := ref.Explicit()
	assert.Equal(t, []float64{5, 5, 0}, c)
	l.Reset()
	_, ok = l.Reference()
	assert.False(t, ok)
}

func TestVersions(t *testing.T) {
	var v Versions
	// v1 serves alone: no previous version, no reference.
	v.Observe("v1", hist(t, 1, 0, 0), false)
	_, _, ok := v.Reference("v1")
	assert.False(t, ok)
	v.Observe("v1", hist(t, 8, 2, 0), true)

	// v2 appears while v1 still reports (a rollout): v2 takes v1's last
	// full window, and keeps it while v1's window moves on.
	v.Observe("v2", hist(t, 0, 1, 0), false)
	v.Observe("v1", hist(t, 0, 0, 7), true)
	ref, from, ok := v.Reference("v2")
	require.True(t, ok)
	assert.Equal(t, "v1", from)
	_, c := ref.Explicit()
	assert.Equal(t, []float64{8, 2, 0}, c)

	// v3 appears before v2 had a full window: it waits for one.
	v.Observe("v3", hist(t, 1, 1, 1), true)
	_, _, ok = v.Reference("v3")
	assert.False(t, ok)
	v.Observe("v2", hist(t, 0, 4, 4), true)
	v.Observe("v3", hist(t, 1, 1, 1), true)
	ref, from, ok = v.Reference("v3")
	require.True(t, ok)
	assert.Equal(t, "v2", from)
	_, c = ref.Explicit()
	assert.Equal(t, []float64{0, 4, 4}, c)

	// Bounded: a fourth version drops the earliest.
	v.Observe("v4", hist(t, 1, 1, 1), true)
	assert.Equal(t, MaxVersions, v.Len())
	_, _, ok = v.Reference("v1")
	assert.False(t, ok)
	_, from, ok = v.Reference("v4")
	require.True(t, ok)
	assert.Equal(t, "v3", from)
	v.Forget("v4")
	assert.Equal(t, 2, v.Len())
	assert.Positive(t, v.MemSize())
}

func TestReferenceConfig(t *testing.T) {
	pinned := &DistributionConfig{Bounds: []float64{10, 20, 30, 40}, Proportions: []float64{0.1, 0.2, 0.4, 0.2, 0.1}}
	cases := []struct {
		name string
		agg  string
		cfg  ReferenceConfig
		want string // substring of the error; empty for valid
	}{
		{"learned by default", "jensen_shannon", ReferenceConfig{GroupBy: []string{"feature.name"}}, ""},
		{"pinned", "psi", ReferenceConfig{Reference: "pinned", ReferenceDistribution: pinned}, ""},
		{"previous", "jensen_shannon", ReferenceConfig{Reference: "previous_version"}, ""},
		{"no drift, nothing set", "mean", ReferenceConfig{}, ""},
		{"unknown", "psi", ReferenceConfig{Reference: "training"}, `reference: unknown reference "training"`},
		{"pinned without distribution", "psi", ReferenceConfig{Reference: "pinned"}, "reference_distribution: required with reference: pinned"},
		{"distribution without pinned", "psi", ReferenceConfig{ReferenceDistribution: pinned}, "reference_distribution: only with reference: pinned, not learned"},
		{"bad proportions", "psi", ReferenceConfig{Reference: "pinned", ReferenceDistribution: &DistributionConfig{Bounds: []float64{1}, Proportions: []float64{0.5, 0.6}}}, "reference_distribution.proportions: must sum to 1"},
		{"short proportions", "psi", ReferenceConfig{Reference: "pinned", ReferenceDistribution: &DistributionConfig{Bounds: []float64{1, 2}, Proportions: []float64{1}}}, "reference_distribution.proportions: need len(bounds)+1 = 3"},
		{"bad bounds", "psi", ReferenceConfig{Reference: "pinned", ReferenceDistribution: &DistributionConfig{Bounds: []float64{2, 1}, Proportions: []float64{0.5, 0.5, 0}}}, "reference_distribution.bounds: must be finite, strictly increasing"},
		{"reference on a gauge rule", "mean", ReferenceConfig{Reference: "learned"}, `reference: only with a drift aggregation (psi, jensen_shannon, hellinger, wasserstein, ks, linf), not "mean"`},
		{"empty group", "psi", ReferenceConfig{GroupBy: []string{""}}, "group_by[0]: must be an attribute name"},
		{"twice", "psi", ReferenceConfig{GroupBy: []string{"a", "a"}}, `group_by[1]: "a" is listed twice`},
		{"max_groups", "psi", ReferenceConfig{MaxGroups: -1}, "max_groups: must be >= 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate(c.agg)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.Contains(err.Error(), c.want), "%q does not contain %q", err, c.want)
		})
	}
	assert.Equal(t, DefaultMaxGroups, (&ReferenceConfig{}).Groups())
	assert.Equal(t, 7, (&ReferenceConfig{MaxGroups: 7}).Groups())
	assert.Equal(t, PreviousVersion, (&ReferenceConfig{Reference: "previous_version"}).Kind())
	assert.Equal(t, Learned, (&ReferenceConfig{}).Kind())
}
