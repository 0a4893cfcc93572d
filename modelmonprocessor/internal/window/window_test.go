package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

const sec = int64(time.Second)

// base is a realistic data-point time, so offsets never sit near zero.
const base = int64(1_700_000_000) * sec

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func TestParseAggregation(t *testing.T) {
	for i, name := range Names() {
		a, err := ParseAggregation(name)
		if err != nil || a != Aggregation(i) || a.String() != name {
			t.Errorf("ParseAggregation(%q) = %v, %v", name, a, err)
		}
	}
	if len(Names()) != 11 {
		t.Errorf("Names() = %v, want 11 names", Names())
	}
	_, err := ParseAggregation("median")
	if err == nil {
		t.Fatal("ParseAggregation(median) succeeded")
	}
	want := "last, mean, min, max, stddev, count, p50, p90, p95, p99, ewma"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not list %q", err, want)
	}
	n := Names()
	n[0] = "changed"
	if Names()[0] != "last" {
		t.Error("Names() exposes its backing array")
	}
}

// fill adds values at times base+1s, base+2s… or at the given second offsets.
func fill(w *Window, vals []float64, secs []int64) {
	for i, v := range vals {
		ts := int64(i + 1)
		if secs != nil {
			ts = secs[i]
		}
		w.Add(base+ts*sec, v)
	}
}

func TestAggregate(t *testing.T) {
	type want map[Aggregation]float64
	tests := []struct {
		name string
		vals []float64
		secs []int64 // nil: 1, 2, 3…
		want want
	}{
		{
			// Classic population-stddev example: mean 5, σ 2.
			// Sorted 2 4 4 4 5 5 7 9, rank q·7: p50 3.5 → 4.5; p90 6.3 → 7+0.3·2;
			// p95 6.65 → 7+0.65·2; p99 6.93 → 7+0.93·2.
			// EWMA α 0.3: 2 → 2.6 → 3.02 → 3.314 → 3.8198 → 4.17386 → 5.021702 → 6.2151914.
			name: "eight values",
			vals: []float64{2, 4, 4, 4, 5, 5, 7, 9},
			want: want{Last: 9, Mean: 5, Min: 2, Max: 9, Stddev: 2, Count: 8,
				P50: 4.5, P90: 7.6, P95: 8.3, P99: 8.86, EWMA: 6.2151914},
		},
		{
			// 1…10 inserted shuffled, each at time = value. Time order is 1…10,
			// so Last is 10 and EWMA runs 1 → 1.3 → 1.81 → 2.467 → 3.2269 →
			// 4.05883 → 4.941181 → 5.8588267 → 6.80117869 → 7.760825083.
			// Rank q·9: p50 4.5 → 5.5; p90 8.1 → 9.1; p95 8.55; p99 8.91.
			// Population variance of 1…10 is (n²−1)/12 = 99/12 = 8.25.
			name: "out of order",
			vals: []float64{7, 3, 10, 1, 5, 9, 2, 8, 4, 6},
			secs: []int64{7, 3, 10, 1, 5, 9, 2, 8, 4, 6},
			want: want{Last: 10, Mean: 5.5, Min: 1, Max: 10, Stddev: math.Sqrt(8.25), Count: 10,
				P50: 5.5, P90: 9.1, P95: 9.55, P99: 9.91, EWMA: 7.760825083},
		},
		{
			name: "single sample",
			vals: []float64{3.5},
			want: want{Last: 3.5, Mean: 3.5, Min: 3.5, Max: 3.5, Stddev: 0, Count: 1,
				P50: 3.5, P90: 3.5, P95: 3.5, P99: 3.5, EWMA: 3.5},
		},
		{
			name: "all equal",
			vals: []float64{0.94, 0.94, 0.94, 0.94, 0.94},
			want: want{Last: 0.94, Mean: 0.94, Min: 0.94, Max: 0.94, Stddev: 0, Count: 5,
				P50: 0.94, P90: 0.94, P95: 0.94, P99: 0.94, EWMA: 0.94},
		},
		{
			// Two samples: rank q·1 interpolates between them.
			name: "two samples",
			vals: []float64{10, 20},
			want: want{Last: 20, Mean: 15, Min: 10, Max: 20, Stddev: 5, Count: 2,
				P50: 15, P90: 19, P95: 19.5, P99: 19.9, EWMA: 13},
		},
		{
			// Equal timestamps keep arrival order: Last is the later arrival,
			// EWMA sees 1 then 3: 0.3·3 + 0.7·1 = 1.6.
			name: "duplicate timestamps",
			vals: []float64{1, 3},
			secs: []int64{5, 5},
			want: want{Last: 3, Mean: 2, Min: 1, Max: 3, Stddev: 1, Count: 2,
				P50: 2, P90: 2.8, P95: 2.9, P99: 2.98, EWMA: 1.6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(0, 0)
			fill(w, tt.vals, tt.secs)
			if len(tt.want) != int(numAggregations) {
				t.Fatalf("case lists %d aggregations, want all %d", len(tt.want), numAggregations)
			}
			for a, exp := range tt.want {
				got, ok := w.Aggregate(a)
				if !ok || !near(got, exp) {
					t.Errorf("%v = %v, %v; want %v", a, got, ok, exp)
				}
			}
		})
	}
}

func TestAggregateEmpty(t *testing.T) {
	w := New(4, time.Minute)
	for a := range numAggregations {
		if v, ok := w.Aggregate(a); ok {
			t.Errorf("%v on empty window = %v, true", a, v)
		}
	}
	if _, ok := w.Aggregate(numAggregations); ok {
		t.Error("unknown aggregation succeeded")
	}
	if w.Start() != 0 || w.End() != 0 || w.Len() != 0 {
		t.Errorf("empty window: start %d end %d len %d", w.Start(), w.End(), w.Len())
	}
}

func TestEWMAAlpha(t *testing.T) {
	w := New(0, 0)
	for _, bad := range []float64{0, -0.1, 1.5, math.NaN()} {
		if w.SetEWMAAlpha(bad) == nil {
			t.Errorf("SetEWMAAlpha(%v) accepted", bad)
		}
	}
	fill(w, []float64{10, 20, 40}, nil)
	// α 0.5: 10 → 15 → 27.5.
	if err := w.SetEWMAAlpha(0.5); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Aggregate(EWMA); got != 27.5 {
		t.Errorf("EWMA α 0.5 = %v, want 27.5", got)
	}
	// α 1 is the last value.
	_ = w.SetEWMAAlpha(1)
	if got, _ := w.Aggregate(EWMA); got != 40 {
		t.Errorf("EWMA α 1 = %v, want 40", got)
	}
}

// times returns the window's sample times as second offsets from base.
func times(w *Window) []int64 {
	var out []int64
	for i := 0; i < w.Len(); i++ {
		out = append(out, (w.sampleAt(i).t-base)/sec)
	}
	return out
}

func values(w *Window) []float64 {
	var out []float64
	for i := 0; i < w.Len(); i++ {
		out = append(out, w.sampleAt(i).v)
	}
	return out
}

func TestAdd(t *testing.T) {
	type add struct {
		sec int64
		v   float64
		ok  bool
	}
	tests := []struct {
		name      string
		size      int
		maxAge    time.Duration
		adds      []add
		wantTimes []int64
		wantVals  []float64
	}{
		{
			name: "out of order placed in time order",
			size: 10, maxAge: time.Minute,
			adds:      []add{{10, 1, true}, {30, 3, true}, {20, 2, true}, {5, 0, true}},
			wantTimes: []int64{5, 10, 20, 30}, wantVals: []float64{0, 1, 2, 3},
		},
		{
			name: "duplicate times kept in arrival order",
			size: 10, maxAge: time.Minute,
			adds:      []add{{10, 1, true}, {20, 2, true}, {10, 3, true}, {20, 4, true}},
			wantTimes: []int64{10, 10, 20, 20}, wantVals: []float64{1, 3, 2, 4},
		},
		{
			// Newest 120 s, maxAge 60 s: 60 s is the oldest time kept, 59 s is late.
			name: "late refused at the age bound",
			size: 10, maxAge: time.Minute,
			adds:      []add{{120, 1, true}, {60, 2, true}, {59, 3, false}},
			wantTimes: []int64{60, 120}, wantVals: []float64{2, 1},
		},
		{
			name: "newer sample ages out the oldest",
			size: 10, maxAge: 10 * time.Second,
			adds:      []add{{0, 1, true}, {5, 2, true}, {12, 3, true}, {1, 4, false}, {2, 5, true}},
			wantTimes: []int64{2, 5, 12}, wantVals: []float64{5, 2, 3},
		},
		{
			// Full at 3: each newer sample drops the oldest; one older than
			// every stored sample would be dropped at once, so it is refused;
			// one equal to the oldest replaces it.
			name: "count bound",
			size: 3, maxAge: time.Hour,
			adds: []add{{1, 1, true}, {2, 2, true}, {3, 3, true}, {4, 4, true}, {5, 5, true},
				{2, 9, false}, {3, 8, true}, {4, 7, true}},
			wantTimes: []int64{4, 4, 5}, wantVals: []float64{4, 7, 5},
		},
		{
			name: "out of order into a full window",
			size: 3, maxAge: time.Hour,
			adds:      []add{{10, 1, true}, {20, 2, true}, {30, 3, true}, {15, 4, true}},
			wantTimes: []int64{15, 20, 30}, wantVals: []float64{4, 2, 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(tt.size, tt.maxAge)
			for _, a := range tt.adds {
				if got := w.Add(base+a.sec*sec, a.v); got != a.ok {
					t.Errorf("Add(%ds, %v) = %v, want %v", a.sec, a.v, got, a.ok)
				}
			}
			if got := times(w); !slices.Equal(got, tt.wantTimes) {
				t.Errorf("times %v, want %v", got, tt.wantTimes)
			}
			if got := values(w); !slices.Equal(got, tt.wantVals) {
				t.Errorf("values %v, want %v", got, tt.wantVals)
			}
			if w.Len() != len(tt.wantTimes) || w.Start() != base+tt.wantTimes[0]*sec ||
				w.End() != base+tt.wantTimes[len(tt.wantTimes)-1]*sec {
				t.Errorf("len %d start %d end %d", w.Len(), w.Start(), w.End())
			}
		})
	}
}

func TestExpire(t *testing.T) {
	w := New(10, 10*time.Second)
	fill(w, []float64{1, 2, 3}, []int64{0, 5, 10})
	w.Expire(base + 14*sec) // cutoff 4 s
	if got := times(w); !slices.Equal(got, []int64{5, 10}) {
		t.Fatalf("after Expire(14s): %v", got)
	}
	w.Expire(base + 10*sec) // earlier than the floor: no effect
	if w.Len() != 2 {
		t.Fatalf("Expire backwards dropped samples: %v", times(w))
	}
	w.Expire(base + 30*sec) // cutoff 20 s
	if w.Len() != 0 {
		t.Fatalf("after Expire(30s): %v", times(w))
	}
	if _, ok := w.Aggregate(Mean); ok {
		t.Error("Mean of expired window succeeded")
	}
	// The drained window still refuses what it expired.
	if w.Add(base+15*sec, 1) {
		t.Error("Add(15s) after Expire(30s) accepted")
	}
	if !w.Add(base+25*sec, 1) {
		t.Error("Add(25s) after Expire(30s) refused")
	}
	w.Reset()
	if w.Len() != 0 || !w.Add(base, 1) {
		t.Error("Reset did not forget the floor")
	}
}

func TestPercentileCacheInvalidated(t *testing.T) {
	w := New(0, 0)
	fill(w, []float64{1, 2, 3}, nil)
	if got, _ := w.Aggregate(P50); got != 2 {
		t.Fatalf("p50 = %v", got)
	}
	w.Add(base+4*sec, 100) // 1 2 3 100: rank 1.5 → 2.5
	if got, _ := w.Aggregate(P50); got != 2.5 {
		t.Errorf("p50 after Add = %v, want 2.5", got)
	}
	w.Expire(base + 2*sec + int64(DefaultMaxAge)) // keeps 2 3 100
	if got, _ := w.Aggregate(P50); got != 3 {
		t.Errorf("p50 after Expire = %v, want 3", got)
	}
}

// TestAgainstReference drives windows with random in-order, out-of-order,
// late and duplicate samples and expires, and checks every state against a
// plain sorted slice that applies the documented rules.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		size := 1 + rng.IntN(40)
		maxAge := int64(1+rng.IntN(60)) * sec
		w := New(size, time.Duration(maxAge))
		var ref []sample
		floor := int64(math.MinInt64)
		now := base
		for step := 0; step < 300; step++ {
			if rng.IntN(20) == 0 {
				now += int64(rng.IntN(30)) * sec
				w.Expire(now)
				floor = max(floor, now-maxAge)
				ref = slices.DeleteFunc(ref, func(s sample) bool { return s.t < floor })
			} else {
				now += int64(rng.IntN(3)) * sec / 2
				ts := now - int64(rng.IntN(40))*sec/4
				v := float64(rng.IntN(100))
				wantOK := ts >= floor && (len(ref) != size || ts >= ref[0].t)
				if got := w.Add(ts, v); got != wantOK {
					t.Fatalf("round %d step %d: Add(%d) = %v, want %v", round, step, ts, got, wantOK)
				}
				if wantOK {
					if len(ref) == size {
						ref = ref[1:]
					}
					pos := len(ref)
					for pos > 0 && ref[pos-1].t > ts {
						pos--
					}
					ref = slices.Insert(ref, pos, sample{ts, v})
					newest := ref[len(ref)-1].t
					floor = max(floor, newest-maxAge)
					ref = slices.DeleteFunc(ref, func(s sample) bool { return s.t < floor })
				}
			}
			if w.Len() != len(ref) {
				t.Fatalf("round %d step %d: len %d, want %d", round, step, w.Len(), len(ref))
			}
			for i := range ref {
				if w.sampleAt(i) != ref[i] {
					t.Fatalf("round %d step %d: sample %d = %v, want %v", round, step, i, w.sampleAt(i), ref[i])
				}
			}
			if len(ref) > 0 {
				vals := make([]float64, len(ref))
				for i, s := range ref {
					vals[i] = s.v
				}
				slices.Sort(vals)
				if got, _ := w.Aggregate(P90); !near(got, sortedQuantile(vals, 0.9)) {
					t.Fatalf("p90 = %v, want %v", got, sortedQuantile(vals, 0.9))
				}
				wantMean, wantSD := exactMoments(vals)
				if got, _ := w.Aggregate(Mean); !near(got, wantMean) {
					t.Fatalf("round %d step %d: mean = %v, want %v", round, step, got, wantMean)
				}
				if got, _ := w.Aggregate(Stddev); !near(got, wantSD) {
					t.Fatalf("round %d step %d: stddev = %v, want %v", round, step, got, wantSD)
				}
			}
		}
	}
}

func TestMemSize(t *testing.T) {
	w := New(128, time.Hour)
	small := w.MemSize()
	for i := 0; i < 30; i++ { // a 10 s signal over 5 m
		w.Add(base+int64(i)*10*sec, 1)
	}
	thirty := w.MemSize()
	for i := 30; i < 200; i++ {
		w.Add(base+int64(i)*10*sec, 1)
	}
	full := w.MemSize()
	w.Aggregate(P95)
	withIndex := w.MemSize()
	w.Add(base+200*10*sec+1, 1) // off the 10 s grid
	irregular := w.MemSize()
	t.Logf("scalar window, size 128: empty %d B, 30 samples %d B, full %d B, full after a percentile %d B, with irregular times %d B",
		small, thirty, full, withIndex, irregular)
	if full < 128*8 || full > 128*8+256 {
		t.Errorf("full window MemSize %d, want 1 KiB plus a small header", full)
	}
	if withIndex != full+128 {
		t.Errorf("percentile index adds %d B, want %d", withIndex-full, 128)
	}
	if irregular != withIndex+128*8 {
		t.Errorf("irregular times add %d B, want %d", irregular-withIndex, 128*8)
	}
	if thirty > 32*8+256 {
		t.Errorf("30-sample window MemSize %d, want ≤ %d", thirty, 32*8+256)
	}
}

func TestZeroAllocs(t *testing.T) {
	w := New(128, time.Hour)
	ts := base
	for i := 0; i < 256; i++ {
		ts += sec
		w.Add(ts, float64(i))
	}
	w.Aggregate(P95)
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		w.Add(ts, 1)
	}); n != 0 {
		t.Errorf("Add in order: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		w.Add(ts-30*sec, 1)
	}); n != 0 {
		t.Errorf("Add out of order: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		ts += sec
		w.Add(ts, 1)
		for a := range numAggregations {
			w.Aggregate(a)
		}
	}); n != 0 {
		t.Errorf("Aggregate: %v allocs", n)
	}
}
