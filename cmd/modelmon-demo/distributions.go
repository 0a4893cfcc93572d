package main

import (
	"context"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// distributions is what a model's inputs and outputs look like at one
// moment: the mean of each feature and, per serving version, the mean of
// its prediction scores. Scenarios that set Dist export them as histograms
// (model.feature.value with attribute feature.name, model.prediction.score),
// for modelmon's drift rules; the others export none, so the default demo
// sends what it always did.
type distributions struct {
	Features    map[string]float64
	Predictions map[string]float64
}

// featureSpread is each feature's standard deviation; a shift of one
// feature's mean is given in these units.
var featureSpread = map[string]float64{"amount": 15, "age": 12, "income": 15}

// stableDistributions is a model whose inputs and scores do not move.
func stableDistributions(version string) distributions {
	return distributions{
		Features:    map[string]float64{"amount": 50, "age": 40, "income": 50},
		Predictions: map[string]float64{version: 0.3},
	}
}

// distributionScenarios play out drift that only the distributions show:
// the model's own gauges stay healthy.
var distributionScenarios = map[string]scenario{
	"feature_drift": {Name: "feature_drift", Doc: "the income feature's distribution moves by 1.3σ after one phase (histograms)",
		At: func(_, _ time.Duration, base string) sample { return healthy(base) },
		Dist: func(e, p time.Duration, base string) distributions {
			d := stableDistributions(base)
			if e >= p {
				d.Features["income"] += 1.3 * featureSpread["income"]
			}
			return d
		}},
	"canary": {Name: "canary", Doc: "after one phase the next version serves beside this one, scoring higher (histograms)",
		At: func(_, _ time.Duration, base string) sample { return healthy(base) },
		Dist: func(e, p time.Duration, base string) distributions {
			d := stableDistributions(base)
			if e >= p {
				d.Predictions[nextVersion(base)] = 0.45
			}
			return d
		}},
}

// distributionOrder assigns scenarios round-robin in scenario "distributions".
var distributionOrder = []string{"feature_drift", "canary"}

// histograms are a model's distribution instruments.
type histograms struct {
	features, predictions metric.Float64Histogram
}

func (m *simModel) distributionInstruments(meter metric.Meter) error {
	var err error
	m.hists.features, err = meter.Float64Histogram("model.feature.value", metric.WithUnit("1"),
		metric.WithDescription("Values of the model's input features, by feature.name."),
		metric.WithExplicitBucketBoundaries(10, 20, 30, 40, 50, 60, 70, 80, 90))
	if err != nil {
		return err
	}
	m.hists.predictions, err = meter.Float64Histogram("model.prediction.score", metric.WithUnit("1"),
		metric.WithDescription("The model's prediction scores."),
		metric.WithExplicitBucketBoundaries(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
	return err
}

// recordDistributions records n observations of each feature and of each
// serving version's scores.
func (m *simModel) recordDistributions(ctx context.Context, d distributions, n int) {
	for name, mean := range d.Features {
		attrs := metric.WithAttributes(attribute.String("model.name", m.name),
			attribute.String("model.version", m.baseVersion), attribute.String("feature.name", name))
		for _, v := range normals(mean, featureSpread[name], n, m.rng) {
			m.hists.features.Record(ctx, v, attrs)
		}
	}
	for version, mean := range d.Predictions {
		for _, v := range normals(mean, 0.12, n, m.rng) {
			m.hists.predictions.Record(ctx, clamp01(v), m.attrs(version))
		}
	}
}

func normals(mean, sd float64, n int, rng *rand.Rand) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = mean + sd*rng.NormFloat64()
	}
	return out
}
