package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// sample is what one model reports at one moment.
type sample struct {
	Version    string
	Accuracy   float64
	Precision  float64
	Recall     float64
	F1         float64
	Drift      float64
	Throughput float64 // predictions per second
	LatencyMs  float64 // median; observations spread around it
}

// healthy is a model in good shape, comfortably inside modelmon's default rules
// (accuracy ≥ 0.94, f1 ≥ 0.90, drift ≤ 0.05, p95 latency ≤ 120 ms).
func healthy(version string) sample {
	return sample{Version: version, Accuracy: 0.965, Precision: 0.955, Recall: 0.945, F1: 0.95,
		Drift: 0.015, Throughput: 200, LatencyMs: 40}
}

// scenario scripts a model's metrics over time; phase is the time unit of the
// script (the default 20s makes every scenario play out within a minute or two).
type scenario struct {
	Name string
	Doc  string
	At   func(elapsed, phase time.Duration, base string) sample
}

// scenarios are the scripted behaviours, by name.
var scenarios = map[string]scenario{
	"healthy": {Name: "healthy", Doc: "stays healthy", At: func(_, _ time.Duration, base string) sample {
		return healthy(base)
	}},
	"decay": {Name: "decay", Doc: "accuracy and f1 decay gradually over two phases", At: func(e, p time.Duration, base string) sample {
		s := healthy(base)
		f := ramp(e, 0, 2*p)
		s.Accuracy -= 0.145 * f
		s.Precision -= 0.12 * f
		s.Recall -= 0.16 * f
		s.F1 -= 0.14 * f
		return s
	}},
	"drift": {Name: "drift", Doc: "input drift spikes after one phase", At: func(e, p time.Duration, base string) sample {
		s := healthy(base)
		if e >= p {
			s.Drift = 0.25
			s.Accuracy -= 0.01
		}
		return s
	}},
	"latency": {Name: "latency", Doc: "latency regresses after one phase", At: func(e, p time.Duration, base string) sample {
		s := healthy(base)
		if e >= p {
			s.LatencyMs = 180
			s.Throughput = 120
		}
		return s
	}},
	"recovery": {Name: "recovery", Doc: "starts degraded, recovers after two phases", At: func(e, p time.Duration, base string) sample {
		s := healthy(base)
		if e < 2*p {
			s.Accuracy, s.F1, s.Drift = 0.84, 0.85, 0.12
		}
		return s
	}},
	"rollout": {Name: "rollout", Doc: "a weak version is replaced by the next one after two phases", At: func(e, p time.Duration, base string) sample {
		if e < 2*p {
			s := healthy(base)
			s.Accuracy, s.F1 = 0.90, 0.88
			return s
		}
		return healthy(nextVersion(base))
	}},
}

// mixedOrder assigns scenarios to models round-robin in scenario "mixed".
var mixedOrder = []string{"decay", "drift", "latency", "recovery", "rollout", "healthy"}

// scenarioFor returns the scenario of model i under the chosen name.
func scenarioFor(name string, i int) (scenario, error) {
	if name == "mixed" {
		return scenarios[mixedOrder[i%len(mixedOrder)]], nil
	}
	s, ok := scenarios[name]
	if !ok {
		return scenario{}, fmt.Errorf("unknown scenario %q (want mixed, %s)", name, strings.Join(scenarioNames(), ", "))
	}
	return s, nil
}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ramp is 0 before from, 1 after to, linear in between.
func ramp(e, from, to time.Duration) float64 {
	switch {
	case e <= from:
		return 0
	case e >= to:
		return 1
	}
	return float64(e-from) / float64(to-from)
}

// nextVersion turns v7 into v8; other versions get a "-next" suffix.
func nextVersion(v string) string {
	var n int
	if _, err := fmt.Sscanf(v, "v%d", &n); err == nil && fmt.Sprintf("v%d", n) == v {
		return fmt.Sprintf("v%d", n+1)
	}
	return v + "-next"
}

// jitter adds measurement noise and keeps every value in its domain.
func jitter(s sample, rng *rand.Rand) sample {
	const sd = 0.003
	n := func(v float64) float64 { return clamp01(v + rng.NormFloat64()*sd) }
	s.Accuracy = n(s.Accuracy)
	s.Precision = n(s.Precision)
	s.Recall = n(s.Recall)
	s.F1 = n(s.F1)
	s.Drift = n(s.Drift)
	s.Throughput = math.Max(0, s.Throughput*(1+rng.NormFloat64()*0.05))
	return s
}

// latencies draws n observations around the median (log-normal, σ 0.35:
// the p95 is about 1.8× the median).
func latencies(median float64, n int, rng *rand.Rand) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = median * math.Exp(rng.NormFloat64()*0.35)
	}
	return out
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }
