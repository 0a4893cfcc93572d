package strategy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		strategy string
		cfg      Config
		wantErr  string
	}{
		{"static ignores blocks", Static, Config{EWMA: EWMAConfig{Alpha: pf(7)}}, ""},
		{"baseline defaults", Baseline, Config{}, ""},
		{"ewma defaults", EWMA, Config{}, ""},
		{"page_hinkley defaults", PageHinkley, Config{}, ""},
		{"cusum defaults", CUSUM, Config{}, ""},
		{"only the rule's block is checked", CUSUM, Config{EWMA: EWMAConfig{Alpha: pf(0)}}, ""},
		{"alpha 1 is allowed", EWMA, Config{EWMA: EWMAConfig{Alpha: pf(1)}}, ""},
		{"slack 0 is allowed", CUSUM, Config{CUSUM: CUSUMConfig{Slack: pf(0)}}, ""},
		{"unknown", "zscore", Config{}, `unknown strategy "zscore"`},
		{"ewma alpha 0", EWMA, Config{EWMA: EWMAConfig{Alpha: pf(0)}}, "ewma.alpha: must be in (0, 1]"},
		{"ewma alpha above 1", EWMA, Config{EWMA: EWMAConfig{Alpha: pf(1.5)}}, "ewma.alpha: must be in (0, 1]"},
		{"ewma threshold 0", EWMA, Config{EWMA: EWMAConfig{Threshold: pf(0)}}, "ewma.threshold: must be a finite number > 0"},
		{"ewma warmup 1", EWMA, Config{EWMA: EWMAConfig{Warmup: pi(1)}}, "ewma.warmup: must be at least 2"},
		{"page_hinkley alpha", PageHinkley, Config{PageHinkley: PageHinkleyConfig{Alpha: pf(-0.1)}}, "page_hinkley.alpha: must be in (0, 1]"},
		{"page_hinkley delta", PageHinkley, Config{PageHinkley: PageHinkleyConfig{Delta: pf(-1)}}, "page_hinkley.delta: must be a finite number >= 0"},
		{"page_hinkley threshold", PageHinkley, Config{PageHinkley: PageHinkleyConfig{Threshold: pf(-3)}}, "page_hinkley.threshold: must be a finite number > 0"},
		{"page_hinkley min_instances", PageHinkley, Config{PageHinkley: PageHinkleyConfig{MinInstances: pi(0)}}, "page_hinkley.min_instances: must be at least 2"},
		{"cusum threshold NaN", CUSUM, Config{CUSUM: CUSUMConfig{Threshold: pf(nan())}}, "cusum.threshold: must be a finite number > 0"},
		{"cusum slack", CUSUM, Config{CUSUM: CUSUMConfig{Slack: pf(-0.5)}}, "cusum.slack: must be a finite number >= 0"},
		{"cusum warmup", CUSUM, Config{CUSUM: CUSUMConfig{Warmup: pi(-4)}}, "cusum.warmup: must be at least 2"},
		{"baseline zscore 0", Baseline, Config{Baseline: BaselineConfig{ZScore: pf(0)}}, "baseline.zscore: must be a finite number > 0"},
		{"baseline relative change", Baseline, Config{Baseline: BaselineConfig{MaxRelativeChange: pf(-0.05)}}, "baseline.max_relative_change: must be a finite number > 0"},
		{"baseline window", Baseline, Config{Baseline: BaselineConfig{Window: durationPtr(time.Millisecond)}}, "baseline.window: must be at least 1s"},
		{"baseline reference", Baseline, Config{Baseline: BaselineConfig{Reference: "last"}}, `baseline.reference: must be "rolling" or "first"`},
		{"baseline warmup", Baseline, Config{Baseline: BaselineConfig{Warmup: pi(1)}}, "baseline.warmup: must be at least 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate(tt.strategy)
			_, newErr := New(tt.strategy, &tt.cfg, Below, 0)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, newErr)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.ErrorContains(t, newErr, tt.wantErr, "New refuses what Validate refuses")
		})
	}
}

func TestValidateReportsEveryBadField(t *testing.T) {
	cfg := Config{EWMA: EWMAConfig{Alpha: pf(2), Threshold: pf(-1), Warmup: pi(0)}}
	err := cfg.Validate(EWMA)
	for _, field := range []string{"ewma.alpha", "ewma.threshold", "ewma.warmup"} {
		assert.ErrorContains(t, err, field)
	}
}

func TestNewRejectsUnknownDirection(t *testing.T) {
	_, err := New(CUSUM, &Config{}, Direction(9), 0)
	require.ErrorContains(t, err, "unknown direction")
}

func TestNewNilConfigIsDefaults(t *testing.T) {
	d, err := New(CUSUM, nil, Below, 0)
	require.NoError(t, err)
	assert.Equal(t, DefaultCUSUMThreshold, d.(*cusum).threshold)
}

// TestUnmarshal checks the YAML shape: unset keys stay nil (defaults), set
// ones are kept exactly, durations parse from strings.
func TestUnmarshal(t *testing.T) {
	conf := confmap.NewFromStringMap(map[string]any{
		"baseline":     map[string]any{"window": "90m", "max_relative_change": 0.05, "reference": "first"},
		"ewma":         map[string]any{"alpha": 0.2},
		"page_hinkley": map[string]any{"min_instances": 50},
		"cusum":        map[string]any{"threshold": 8, "slack": 0},
	})
	var got Config
	require.NoError(t, conf.Unmarshal(&got))
	want := Config{
		Baseline:    BaselineConfig{Reference: ReferenceFirst, Window: durationPtr(90 * time.Minute), MaxRelativeChange: pf(0.05)},
		EWMA:        EWMAConfig{Alpha: pf(0.2)},
		PageHinkley: PageHinkleyConfig{MinInstances: pi(50)},
		CUSUM:       CUSUMConfig{Threshold: pf(8), Slack: pf(0)},
	}
	assert.Equal(t, want, got)
	for _, name := range Names() {
		assert.NoError(t, got.Validate(name))
	}
	e := newEWMA(got.EWMA, Below)
	assert.Equal(t, 0.2, e.alpha)
	assert.Equal(t, DefaultEWMAThreshold, e.threshold)
	assert.Equal(t, DefaultEWMAWarmup, e.warmup)
}

func TestParseDirection(t *testing.T) {
	for _, dir := range []Direction{Below, Above, Both} {
		got, err := ParseDirection(dir.String())
		require.NoError(t, err)
		assert.Equal(t, dir, got)
	}
	_, err := ParseDirection("sideways")
	assert.ErrorContains(t, err, `unknown direction "sideways"`)
}
