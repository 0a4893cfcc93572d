package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

type hpoint struct {
	sec    int64
	bounds []float64
	counts []uint64
	sum    float64
	count  uint64
}

func addAll(t *testing.T, h *HistWindow, pts []hpoint) {
	t.Helper()
	for _, p := range pts {
		if !h.Add(base+p.sec*sec, p.bounds, p.counts, p.sum, p.count, 1) {
			t.Fatalf("Add(%ds) refused", p.sec)
		}
	}
}

func TestHistAggregate(t *testing.T) {
	type want map[Aggregation]float64 // NaN: not available
	na := math.NaN()
	tests := []struct {
		name string
		pts  []hpoint
		want want
	}{
		{
			// Bounds 1 2 5, counts 1 2 1 0: cumulative 1 3 4 4.
			// p50 rank 2 in (1,2]: 1 + 1·(2−1)/2 = 1.5.
			// p90 rank 3.6 in (2,5]: 2 + 3·0.6 = 3.8; p95 2 + 3·0.8; p99 2 + 3·0.96.
			name: "one point",
			pts:  []hpoint{{1, []float64{1, 2, 5}, []uint64{1, 2, 1, 0}, 9, 4}},
			want: want{Count: 4, Mean: 2.25, Last: 2.25, Min: 0, Max: 5,
				P50: 1.5, P90: 3.8, P95: 4.4, P99: 4.88, Stddev: na, EWMA: na},
		},
		{
			// Same bounds, counts summed: 1 2 3 2, cumulative 1 3 6 8.
			// p50 rank 4 in (2,5]: 2 + 3·(4−3)/3 = 3 (the per-point p50s, 1.5
			// and 5, would average to 3.25). p90 rank 7.2 falls in +Inf: the
			// largest finite bound, 5. Max: +Inf bucket non-empty → 5.
			name: "two points merged, not averaged",
			pts: []hpoint{
				{1, []float64{1, 2, 5}, []uint64{1, 2, 1, 0}, 9, 4},
				{2, []float64{1, 2, 5}, []uint64{0, 0, 2, 2}, 14, 4},
			},
			want: want{Count: 8, Mean: 23.0 / 8, Last: 3.5, Min: 0, Max: 5,
				P50: 3, P90: 5, P95: 5, P99: 5, Stddev: na, EWMA: na},
		},
		{
			// Bounds differ: A 1 2 4 with 2 2 0 0, B 2 4 with 2 2 0. Union 1 2 4;
			// B's (0,2] splits 1 into (0,1] and 1 into (1,2]. Merged 3 3 2 0,
			// cumulative 3 6 8 8. p50 rank 4 in (1,2]: 1 + (4−3)/3.
			// p90 rank 7.2 in (2,4]: 2 + 2·(1.2/2) = 3.2; p95 2 + 2·1.6/2;
			// p99 2 + 2·1.92/2.
			name: "different bounds",
			pts: []hpoint{
				{1, []float64{1, 2, 4}, []uint64{2, 2, 0, 0}, 5, 4},
				{2, []float64{2, 4}, []uint64{2, 2, 0}, 8, 4},
			},
			want: want{Count: 8, Mean: 13.0 / 8, Last: 2, Min: 0, Max: 4,
				P50: 1 + 1.0/3, P90: 3.2, P95: 3.6, P99: 3.92, Stddev: na, EWMA: na},
		},
		{
			// A tops out at 2, B at 10: the merge stops at 2 and B's
			// observations in (2,5] and (5,10] count in +Inf. Merged 1 1 | 2,
			// cumulative 1 2 4: p50 rank 2 in (1,2] → 2; higher ranks → 2.
			// Max is per point: B's (5,10] is non-empty → 10.
			name: "merge stops at the coarsest top bound",
			pts: []hpoint{
				{1, []float64{1, 2}, []uint64{1, 1, 0}, 2, 2},
				{2, []float64{1, 2, 5, 10}, []uint64{0, 0, 1, 1, 0}, 11, 2},
			},
			want: want{Count: 4, Mean: 13.0 / 4, Last: 5.5, Min: 0, Max: 10,
				P50: 2, P90: 2, P95: 2, P99: 2, Stddev: na, EWMA: na},
		},
		{
			// C's bucket (1.5,3] straddles the limit 2: ⅓ of its 2 counts
			// (0.5 of width 1.5) go to (1.5,2], ⅔ to +Inf. A's (1,2] splits
			// 0.5/0.5 at 1.5. Merged buckets (…,1] 1, (1,1.5] 0.5,
			// (1.5,2] 0.5+⅔, +Inf 4/3; cumulative 1, 1.5, 8/3, 4.
			// p50 rank 2 in (1.5,2]: 1.5 + 0.5·(0.5/(7/6)) = 1.5 + 3/14.
			name: "bucket straddling the merge limit",
			pts: []hpoint{
				{1, []float64{1, 2}, []uint64{1, 1, 0}, 2, 2},
				{2, []float64{1.5, 3}, []uint64{0, 2, 0}, 5, 2},
			},
			want: want{Count: 4, Mean: 7.0 / 4, Last: 2.5, Min: 0, Max: 3,
				P50: 1.5 + 3.0/14, P90: 2, P95: 2, P99: 2, Stddev: na, EWMA: na},
		},
		{
			// A lowest bound ≤ 0 holds its observations at the bound, as
			// histogram_quantile: bounds 0 10, counts 2 2 0, cumulative 2 4 4.
			// p50 rank 2 in the first bucket → 0. p90 rank 3.6 in (0,10]: 8.
			name: "non-positive lowest bound",
			pts:  []hpoint{{1, []float64{0, 10}, []uint64{2, 2, 0}, 10, 4}},
			want: want{Count: 4, Mean: 2.5, Last: 2.5, Min: 0, Max: 10,
				P50: 0, P90: 8, P95: 9, P99: 9.8, Stddev: na, EWMA: na},
		},
		{
			// Observations recorded in no finite bucket: no quantile, no Min/Max.
			name: "only the +Inf bucket",
			pts:  []hpoint{{1, nil, []uint64{3}, 30, 3}},
			want: want{Count: 3, Mean: 10, Last: 10, Min: na, Max: na,
				P50: na, P90: na, P95: na, P99: na, Stddev: na, EWMA: na},
		},
		{
			name: "no observations",
			pts:  []hpoint{{1, []float64{1, 2}, []uint64{0, 0, 0}, 0, 0}},
			want: want{Count: 0, Mean: na, Last: na, Min: na, Max: na,
				P50: na, P90: na, P95: na, P99: na, Stddev: na, EWMA: na},
		},
		{
			// A point without observations neither lowers the merge limit nor
			// adds to the merged counts; the last point's empty mean is unavailable.
			name: "empty point ignored by the merge",
			pts: []hpoint{
				{1, []float64{1, 2, 4}, []uint64{0, 2, 2, 0}, 10, 4},
				{2, []float64{1}, []uint64{0, 0}, 0, 0},
			},
			want: want{Count: 4, Mean: 2.5, Last: na, Min: 1, Max: 4,
				P50: 2, P90: 3.6, P95: 3.8, P99: 3.96, Stddev: na, EWMA: na},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHist(0, 0)
			addAll(t, h, tt.pts)
			if len(tt.want) != int(numAggregations) {
				t.Fatalf("case lists %d aggregations, want all %d", len(tt.want), numAggregations)
			}
			for a, exp := range tt.want {
				got, ok := h.Aggregate(a)
				if math.IsNaN(exp) {
					if ok {
						t.Errorf("%v = %v, want unavailable", a, got)
					}
					continue
				}
				if !ok || !near(got, exp) {
					t.Errorf("%v = %v, %v; want %v", a, got, ok, exp)
				}
			}
		})
	}
}

func TestHistEmpty(t *testing.T) {
	h := NewHist(4, time.Minute)
	for a := range numAggregations {
		if v, ok := h.Aggregate(a); ok {
			t.Errorf("%v on empty window = %v, true", a, v)
		}
	}
}

// setBounds returns the (scaled) bounds the newest point was stored with.
func setBounds(h *HistWindow) []float64 {
	return h.sets[h.r.at(h.r.n-1).set].bounds
}

func TestAddExponential(t *testing.T) {
	tests := []struct {
		name       string
		expScale   int32
		zero       uint64
		offset     int32
		counts     []uint64
		unit       float64
		wantBounds []float64
	}{
		// Scale 0, base 2: bucket i covers (2^i, 2^(i+1)]. Offset 1, three
		// buckets: bounds 0 (zero bucket), 2, 4, 8, 16.
		{"scale 0", 0, 1, 1, []uint64{1, 2, 1}, 1, []float64{0, 2, 4, 8, 16}},
		// Scale 1, base √2, offset −2: 2^−1, 2^−0.5, 2^0.
		{"scale 1", 1, 0, -2, []uint64{1, 1}, 1, []float64{0, 0.5, math.Sqrt2 / 2, 1}},
		// The same in milliseconds.
		{"scale 1 s to ms", 1, 0, -2, []uint64{1, 1}, 1000, []float64{0, 500, 1000 * math.Sqrt2 / 2, 1000}},
		// Scale −1, base 4: offset 1 covers (4, 16].
		{"scale -1", -1, 0, 1, []uint64{3}, 1, []float64{0, 4, 16}},
		// Zero bucket only.
		{"zero only", 3, 5, 0, nil, 1, []float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHist(0, 0)
			if !h.AddExponential(base, tt.expScale, tt.zero, tt.offset, tt.counts, 1, 1, tt.unit) {
				t.Fatal("AddExponential refused")
			}
			got := setBounds(h)
			if len(got) != len(tt.wantBounds) {
				t.Fatalf("bounds %v, want %v", got, tt.wantBounds)
			}
			for i := range got {
				if !near(got[i], tt.wantBounds[i]) {
					t.Fatalf("bounds %v, want %v", got, tt.wantBounds)
				}
			}
			wantCounts := append(append([]uint64{tt.zero, 0}, tt.counts...), 0)
			if c := h.pointCounts(h.r.at(0)); !slices.Equal(c, wantCounts) {
				t.Errorf("counts %v, want %v", c, wantCounts)
			}
		})
	}

	// Quantiles of the scale-0 point: counts per bucket (…,0] 1, (0,2] 0,
	// (2,4] 1, (4,8] 2, (8,16] 1; cumulative 1 1 2 4 5. p50 rank 2.5 in
	// (4,8]: 4 + 4·0.5/2 = 5. p90 rank 4.5 in (8,16]: 12. p99 rank 4.95: 15.6.
	// Min: the zero bucket's bound 0. Max: 16.
	h := NewHist(0, 0)
	h.AddExponential(base, 0, 1, 1, []uint64{1, 2, 1}, 30, 5, 1)
	for a, exp := range map[Aggregation]float64{P50: 5, P90: 12, P99: 15.6, Min: 0, Max: 16, Mean: 6, Count: 5} {
		if got, ok := h.Aggregate(a); !ok || !near(got, exp) {
			t.Errorf("%v = %v, %v; want %v", a, got, ok, exp)
		}
	}
}

func TestHistScale(t *testing.T) {
	h := NewHist(0, 0)
	if !h.Add(base, []float64{0.1, 0.5}, []uint64{1, 1, 0}, 0.4, 2, 1000) {
		t.Fatal("refused")
	}
	if got := setBounds(h); !slices.Equal(got, []float64{100, 500}) {
		t.Errorf("bounds %v, want [100 500]", got)
	}
	if got, _ := h.Aggregate(Mean); !near(got, 200) {
		t.Errorf("mean %v, want 200", got)
	}
	// p50 rank 1 in (0,100] → 100.
	if got, _ := h.Aggregate(P50); !near(got, 100) {
		t.Errorf("p50 %v, want 100", got)
	}
	// scale ≤ 0 means 1.
	h.Add(base+sec, []float64{0.1, 0.5}, []uint64{1, 1, 0}, 0.4, 2, 0)
	if got := setBounds(h); !slices.Equal(got, []float64{0.1, 0.5}) {
		t.Errorf("scale 0: bounds %v", got)
	}
}

func TestHistMalformed(t *testing.T) {
	tests := []struct {
		name   string
		bounds []float64
		counts []uint64
	}{
		{"counts too short", []float64{1, 2}, []uint64{1, 1}},
		{"counts too long", []float64{1}, []uint64{1, 1, 1}},
		{"not increasing", []float64{2, 1}, []uint64{1, 1, 1}},
		{"duplicate bound", []float64{1, 1}, []uint64{1, 1, 1}},
		{"NaN bound", []float64{math.NaN()}, []uint64{1, 1}},
		{"infinite bound", []float64{1, math.Inf(1)}, []uint64{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if CheckBuckets(tt.bounds, tt.counts) == nil {
				t.Error("CheckBuckets accepted")
			}
			h := NewHist(0, 0)
			if h.Add(base, tt.bounds, tt.counts, 1, 1, 1) || h.Len() != 0 {
				t.Error("Add accepted")
			}
		})
	}
	if err := CheckBuckets([]float64{1, 2}, []uint64{0, 0, 0}); err != nil {
		t.Errorf("CheckBuckets rejected a valid histogram: %v", err)
	}
	h := NewHist(0, 0)
	if h.Add(base, []float64{1e300, 1e308}, []uint64{1, 1, 1}, 1, 3, 1e10) {
		t.Error("Add accepted bounds that overflow when scaled")
	}
}

func histTimes(h *HistWindow) []int64 {
	var out []int64
	for i := 0; i < h.r.n; i++ {
		out = append(out, (h.r.at(i).t-base)/sec)
	}
	return out
}

func TestHistEviction(t *testing.T) {
	b := []float64{1, 2}
	h := NewHist(3, 10*time.Second)
	add := func(s int64, c uint64) bool { return h.Add(base+s*sec, b, []uint64{c, 0, 0}, float64(c), c, 1) }
	for _, s := range []int64{1, 3, 2} { // out of order
		if !add(s, uint64(s)) {
			t.Fatalf("Add(%d) refused", s)
		}
	}
	if got := histTimes(h); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("times %v", got)
	}
	if add(0, 9) { // full and older than all
		t.Error("Add(0) into full window accepted")
	}
	add(4, 4) // count bound drops 1
	if got := histTimes(h); !slices.Equal(got, []int64{2, 3, 4}) {
		t.Fatalf("times %v", got)
	}
	if got, _ := h.Aggregate(Count); got != 9 {
		t.Errorf("count %v, want 9", got)
	}
	add(13, 1) // age bound: cutoff 3 s drops 2
	if got := histTimes(h); !slices.Equal(got, []int64{3, 4, 13}) {
		t.Fatalf("times %v", got)
	}
	if add(2, 1) {
		t.Error("late Add(2) accepted")
	}
	h.Expire(base + 20*sec) // cutoff 10 s
	if got := histTimes(h); !slices.Equal(got, []int64{13}) || h.Start() != base+13*sec || h.End() != base+13*sec {
		t.Fatalf("after Expire: %v", got)
	}
	h.Reset()
	if h.Len() != 0 || !add(0, 1) {
		t.Error("Reset did not forget the floor")
	}
}

func TestHistBoundSetsShared(t *testing.T) {
	h := NewHist(4, time.Hour)
	a, b := []float64{1, 2}, []float64{1, 2, 3}
	for i := 0; i < 100; i++ {
		h.Add(base+int64(i)*sec, a, []uint64{1, 1, 1}, 1, 3, 1)
	}
	if len(h.sets) != 1 || h.sets[0].refs != 4 {
		t.Fatalf("100 points with equal bounds: %d sets, refs %d", len(h.sets), h.sets[0].refs)
	}
	// Alternate bound sets; at most the two distinct sets exist at a time.
	for i := 100; i < 200; i++ {
		bb, c := a, []uint64{1, 1, 1}
		if i%2 == 0 {
			bb, c = b, []uint64{1, 1, 1, 1}
		}
		h.Add(base+int64(i)*sec, bb, c, 1, uint64(len(c)), 1)
	}
	if len(h.sets) > 3 {
		t.Errorf("alternating bounds grew %d sets", len(h.sets))
	}
	refs := 0
	for _, s := range h.sets {
		refs += s.refs
	}
	if refs != h.Len() {
		t.Errorf("set refs %d, want one per point (%d)", refs, h.Len())
	}
}

// TestHistMergeMatchesSum: with equal bounds the merged quantile equals the
// quantile of the summed histogram, and splitting one histogram's buckets
// into finer bounds with the counts spread uniformly changes nothing.
func TestHistMergeMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	bounds := []float64{5, 10, 25, 50, 100, 250, 500, 1000}
	for round := 0; round < 100; round++ {
		h := NewHist(16, time.Hour)
		sum := make([]float64, len(bounds)+1)
		for i := 0; i < 16; i++ {
			c := make([]uint64, len(bounds)+1)
			for j := range c {
				c[j] = uint64(rng.IntN(5))
				sum[j] += float64(c[j])
			}
			h.Add(base+int64(i)*sec, bounds, c, 0, 0, 1)
		}
		for k := 1; k < len(sum); k++ {
			sum[k] += sum[k-1]
		}
		if sum[len(sum)-1] == 0 {
			continue
		}
		for _, a := range []Aggregation{P50, P90, P99} {
			q, _ := a.Quantile()
			got, _ := h.Aggregate(a)
			if want := bucketQuantile(q, bounds, sum); !near(got, want) {
				t.Fatalf("%v = %v, want %v", a, got, want)
			}
		}
	}

	// One point with bounds 10 20 and one with 10 15 20 whose (10,20] counts
	// are the first's halved: the merge equals twice the first point.
	h := NewHist(0, 0)
	h.Add(base, []float64{10, 20}, []uint64{2, 4, 0}, 0, 6, 1)
	h.Add(base+sec, []float64{10, 15, 20}, []uint64{2, 2, 2, 0}, 0, 6, 1)
	// Alone, the first point: cumulative 2 6 6, p50 rank 3 in (10,20]:
	// 10 + 10·(1/4) = 12.5 — and so for the doubled histogram.
	for _, a := range []Aggregation{P50, P90} {
		q, _ := a.Quantile()
		got, _ := h.Aggregate(a)
		if want := bucketQuantile(q, []float64{10, 20}, []float64{2, 6, 6}); !near(got, want) {
			t.Errorf("%v = %v, want %v", a, got, want)
		}
	}
}

func TestHistZeroAllocs(t *testing.T) {
	h := NewHist(128, time.Hour)
	bounds := []float64{5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000}
	counts := []uint64{1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1}
	exp := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	ts := base
	for i := 0; i < 300; i++ {
		ts += sec
		h.Add(ts, bounds, counts, 100, 36, 1000)
		ts += sec
		h.AddExponential(ts, 2, 1, 10, exp, 100, 37, 1)
	}
	h.Aggregate(P95)
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		h.Add(ts, bounds, counts, 100, 36, 1000)
	}); n != 0 {
		t.Errorf("Add: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		h.AddExponential(ts, 2, 1, 10, exp, 100, 37, 1)
	}); n != 0 {
		t.Errorf("AddExponential: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		h.Add(ts, bounds, counts, 100, 36, 1000)
		for a := range numAggregations {
			h.Aggregate(a)
		}
	}); n != 0 {
		t.Errorf("Aggregate: %v allocs", n)
	}
	t.Logf("histogram window, 128 points of 10 explicit and 8 exponential buckets: MemSize %d B", h.MemSize())
}
