package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// p95 of log-normal latencies around a median, as the fleet draws them.
func p95(median float64) float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	v := latencies(median, 4000, rng)
	n := 0
	for _, x := range v {
		if x > 120 {
			n++
		}
	}
	return float64(n) / float64(len(v))
}

func TestScenariosCrossDefaultRules(t *testing.T) {
	const p = 20 * time.Second
	tests := []struct {
		scenario string
		at       time.Duration
		check    func(t *testing.T, s sample)
	}{
		{"healthy", 10 * p, func(t *testing.T, s sample) {
			assert.GreaterOrEqual(t, s.Accuracy, 0.94)
			assert.GreaterOrEqual(t, s.F1, 0.90)
			assert.LessOrEqual(t, s.Drift, 0.05)
			assert.Less(t, p95(s.LatencyMs), 0.05, "under 5% of latencies above 120 ms")
		}},
		{"decay", 0, func(t *testing.T, s sample) { assert.GreaterOrEqual(t, s.Accuracy, 0.94) }},
		{"decay", 3 * p, func(t *testing.T, s sample) {
			assert.Less(t, s.Accuracy, 0.85)
			assert.Less(t, s.F1, 0.90)
		}},
		{"drift", p / 2, func(t *testing.T, s sample) { assert.LessOrEqual(t, s.Drift, 0.05) }},
		{"drift", p, func(t *testing.T, s sample) { assert.Greater(t, s.Drift, 0.05) }},
		{"latency", p, func(t *testing.T, s sample) { assert.Greater(t, p95(s.LatencyMs), 0.5, "p95 far above 120 ms") }},
		{"recovery", 0, func(t *testing.T, s sample) { assert.Less(t, s.Accuracy, 0.94) }},
		{"recovery", 2 * p, func(t *testing.T, s sample) { assert.GreaterOrEqual(t, s.Accuracy, 0.94) }},
		{"rollout", p, func(t *testing.T, s sample) {
			assert.Equal(t, "v7", s.Version)
			assert.Less(t, s.Accuracy, 0.94)
		}},
		{"rollout", 2 * p, func(t *testing.T, s sample) {
			assert.Equal(t, "v8", s.Version)
			assert.GreaterOrEqual(t, s.Accuracy, 0.94)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario+"@"+tc.at.String(), func(t *testing.T) {
			sc, err := scenarioFor(tc.scenario, 0)
			require.NoError(t, err)
			tc.check(t, sc.At(tc.at, p, "v7"))
		})
	}
}

func TestScenarioFor(t *testing.T) {
	for i, want := range mixedOrder {
		sc, err := scenarioFor("mixed", i+len(mixedOrder))
		require.NoError(t, err)
		assert.Equal(t, want, sc.Name)
	}
	_, err := scenarioFor("chaos", 0)
	assert.ErrorContains(t, err, `unknown scenario "chaos"`)
}

func TestNextVersion(t *testing.T) {
	for in, want := range map[string]string{"v7": "v8", "v99": "v100", "2024-06": "2024-06-next", "v7b": "v7b-next", "": "-next"} {
		assert.Equal(t, want, nextVersion(in), in)
	}
}

func TestJitterStaysInDomain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 10000; i++ {
		s := jitter(sample{Accuracy: 0.999, Precision: 0.001, Recall: 1, F1: 0, Drift: 0, Throughput: 1}, rng)
		for _, v := range []float64{s.Accuracy, s.Precision, s.Recall, s.F1, s.Drift} {
			require.True(t, v >= 0 && v <= 1, "%v out of [0,1]", v)
		}
		require.GreaterOrEqual(t, s.Throughput, 0.0)
	}
}

func TestParseFleetFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		check   func(t *testing.T, c fleetConfig)
	}{
		{nil, "", func(t *testing.T, c fleetConfig) {
			assert.Equal(t, "localhost:4317", c.Endpoint)
			assert.Equal(t, 6, c.Models)
		}},
		{[]string{"-protocol", "http"}, "", func(t *testing.T, c fleetConfig) { assert.Equal(t, "localhost:4318", c.Endpoint) }},
		{[]string{"-protocol", "udp"}, "-protocol", nil},
		{[]string{"-models", "0"}, "-models 0", nil},
		{[]string{"-models", "100000"}, "-models 100000", nil},
		{[]string{"-models", "1000", "-rate", "10"}, "", func(t *testing.T, c fleetConfig) { assert.Equal(t, 1000, c.Models) }},
		{[]string{"-rate", "0"}, "-rate 0", nil},
		{[]string{"-rate", "NaN"}, "-rate NaN", nil},
		{[]string{"-scenario", "nope"}, "unknown scenario", nil},
		{[]string{"-phase", "0s"}, "-phase", nil},
		{[]string{"-live", "blink"}, "-live", nil},
		{[]string{"extra"}, "unexpected argument", nil},
	}
	for _, tc := range tests {
		t.Run(tc.wantErr+"/"+joinArgs(tc.args), func(t *testing.T) {
			c, err := parseFleetFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

func joinArgs(a []string) string {
	s := ""
	for _, x := range a {
		s += x + " "
	}
	return s
}

func TestStopping(t *testing.T) {
	tests := map[string]struct {
		err  error
		want bool
	}{
		"nil":                   {nil, false},
		"context canceled":      {context.Canceled, true},
		"wrapped":               {fmt.Errorf("failed to upload metrics: %w", context.Canceled), true},
		"grpc canceled":         {status.Error(codes.Canceled, "context canceled"), true},
		"grpc unavailable":      {status.Error(codes.Unavailable, "connection refused"), false},
		"deadline is a failure": {context.DeadlineExceeded, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { assert.Equal(t, tc.want, stopping(tc.err)) })
	}
}

// TestLLMScenarioCrossesGenAIRules: the degrading LLM ends up beyond the
// genai preset's defaults (TTFT p95 > 2 s, error share > 5 %), the other
// stays inside them throughout.
func TestLLMScenarioCrossesGenAIRules(t *testing.T) {
	const p = 20 * time.Second
	ttftP95 := func(median float64) float64 { return median * math.Exp(1.645*0.35) }
	for _, at := range []time.Duration{0, p / 2} {
		s := llmScenario(llmModels[0].model, at, p)
		assert.Less(t, ttftP95(s.TTFT), 2.0)
		assert.Less(t, s.ErrorRate, 0.05)
	}
	bad := llmScenario(llmModels[0].model, 2*p, p)
	assert.Greater(t, ttftP95(bad.TTFT), 2.0)
	assert.Greater(t, bad.ErrorRate, 0.05)
	good := llmScenario(llmModels[1].model, 10*p, p)
	assert.Less(t, ttftP95(good.TTFT), 2.0)
	assert.Less(t, good.ErrorRate, 0.05)
}
