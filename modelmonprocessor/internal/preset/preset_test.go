package preset

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPresetsAreComplete(t *testing.T) {
	names := Names()
	assert.Equal(t, []string{"genai", "kserve", "tgi", "triton", "vllm"}, names)
	assert.True(t, sort.StringsAreSorted(names))
	_, ok := Get("sagemaker")
	assert.False(t, ok)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			p, ok := Get(n)
			assert.True(t, ok)
			assert.Equal(t, n, p.Name)
			assert.NotEmpty(t, p.ModelKey)
			produced := map[string]bool{}
			for _, s := range p.Signals {
				assert.NotEmpty(t, s.Metric)
				assert.True(t, s.Signal != "" || s.ErrorRate != nil || s.Ratio != nil, "%s feeds nothing", s.Metric)
				produced[s.Signal] = true
				if s.ErrorRate != nil {
					produced[s.ErrorRate.Signal] = true
					assert.NotEmpty(t, s.ErrorRate.Attribute)
				}
				if s.Ratio != nil {
					produced[s.Ratio.Signal] = true
					assert.NotEmpty(t, s.Ratio.Per)
				}
			}
			assert.NotEmpty(t, p.Rules)
			for _, r := range p.Rules {
				assert.True(t, produced[r.Signal], "rule %s reads %s, which no metric of the preset feeds", r.Name, r.Signal)
				assert.Positive(t, r.Above)
			}
		})
	}
}

// TestScrapedNamesAreUnitless: every metric of the scraped presets declares
// its unit when its name says it is a time (_seconds, _duration, _us).
func TestScrapedNamesAreUnitless(t *testing.T) {
	for _, n := range []string{"vllm", "triton", "kserve", "tgi"} {
		p, _ := Get(n)
		for _, s := range p.Signals {
			if s.Ratio != nil && s.Ratio.Signal == ErrorRateSignal || s.ErrorRate != nil {
				continue
			}
			assert.NotEmpty(t, s.Unit, "%s: %s", n, s.Metric)
		}
	}
}
