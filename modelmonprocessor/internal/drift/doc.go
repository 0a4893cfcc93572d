// Package drift measures how far a distribution has moved from a reference:
// six distances over histogram buckets, the bucket grids they are computed
// on (explicit bounds, exponential histograms, regridding between them), and
// the references a rule compares with (learned, pinned, previous version).
//
// Both distributions are bucket shares over one set of explicit upper bounds
// b₀ < … < bₙ₋₁: bucket 0 is (−∞, b₀], bucket i is (bᵢ₋₁, bᵢ], bucket n is
// (bₙ₋₁, +∞). p are the current shares, q the reference's.
//
//   - psi: Σ (pᵢ − qᵢ)·ln(pᵢ/qᵢ), an empty share replaced by 0.0001.
//   - jensen_shannon: the Jensen–Shannon distance with base-2 logarithms,
//     √(½ KL(p‖m) + ½ KL(q‖m)) with m = (p+q)/2, in [0, 1]; the same as
//     scipy.spatial.distance.jensenshannon(p, q, base=2).
//   - hellinger: √(Σ (√pᵢ − √qᵢ)²) / √2, in [0, 1].
//   - linf: maxᵢ |pᵢ − qᵢ|.
//   - ks: maxᵢ |P(bᵢ) − Q(bᵢ)|, the cumulative shares at the finite bounds.
//   - wasserstein: the earth mover's distance between the two histograms
//     with each bucket's share at its midpoint, divided by the reference's
//     standard deviation; see Wasserstein below for the edge buckets.
//
// Every distance also reports the three buckets that contribute most to it,
// so an event can say where the distribution moved, not only how far.
//
// The pieces an engine puts together per rule, model key and group: a Window
// (points in data-point time, bounded by count and age, with their running
// sum as a Hist), a reference (LearnedReference, PinnedReference or
// Versions), and Compare with a Scratch per engine. docs/drift.md describes
// the behaviour operators see.
package drift
