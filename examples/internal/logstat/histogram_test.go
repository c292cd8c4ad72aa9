package logstat

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	values := []uint64{0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<20 + 1, 1e9, 1e12, math.MaxInt64 - 1, math.MaxInt64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		values = append(values, r.Uint64N(math.MaxInt64), uint64(r.ExpFloat64()*1e7))
	}
	for _, v := range values {
		i := bucket(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucket(%d) = %d, outside [0, %d)", v, i, numBuckets)
		}
		hi := bucketMax(i)
		lo := uint64(0)
		if i > 0 {
			lo = bucketMax(i-1) + 1
		}
		if v < lo || v > hi {
			t.Fatalf("bucket(%d) = %d holds [%d, %d]", v, i, lo, hi)
		}
		if v >= subBuckets && float64(hi-v) > float64(v)/subBuckets {
			t.Fatalf("bucket of %d ends at %d: more than 1/%d above", v, hi, subBuckets)
		}
	}
	if got := bucketMax(numBuckets - 1); got != math.MaxInt64 {
		t.Errorf("last bucket ends at %d, want MaxInt64", got)
	}
	for i := 1; i < numBuckets; i++ {
		if bucketMax(i) <= bucketMax(i-1) || bucket(bucketMax(i)) != i || bucket(bucketMax(i-1)+1) != i {
			t.Fatalf("bucket %d: bounds not contiguous", i)
		}
	}
}

// exactQuantile is the nearest-rank quantile of sorted values.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func TestQuantileWithinBound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	distributions := map[string]func() time.Duration{
		"exponential ms":  func() time.Duration { return time.Duration(r.ExpFloat64() * float64(time.Millisecond)) },
		"uniform to 1s":   func() time.Duration { return time.Duration(r.Int64N(int64(time.Second))) },
		"bimodal":         func() time.Duration { return time.Duration(100_000 + r.IntN(2)*50_000_000 + r.IntN(1000)) },
		"tiny":            func() time.Duration { return time.Duration(r.IntN(40)) },
		"constant":        func() time.Duration { return 123456789 },
		"log-normal, 1ms": func() time.Duration { return time.Duration(math.Exp(r.NormFloat64()*2) * 1e6) },
	}
	for name, gen := range distributions {
		for _, n := range []int{1, 2, 3, 10, 99, 1000, 10007} {
			var h Histogram
			vals := make([]time.Duration, n)
			for i := range vals {
				vals[i] = gen()
				h.Record(vals[i])
			}
			slices.Sort(vals)
			if h.Count() != uint64(n) || h.Min() != vals[0] || h.Max() != vals[n-1] {
				t.Fatalf("%s n=%d: count %d min %v max %v, want %d %v %v", name, n, h.Count(), h.Min(), h.Max(), n, vals[0], vals[n-1])
			}
			for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
				exact := exactQuantile(vals, q)
				got := h.Quantile(q)
				if got < exact || float64(got-exact) > float64(exact)/subBuckets {
					t.Errorf("%s n=%d: Quantile(%v) = %v, exact %v: outside [exact, exact·(1+1/%d)]", name, n, q, got, exact, subBuckets)
				}
			}
		}
	}
}

func TestHistogramEdges(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Errorf("empty histogram: p50 %v max %v mean %v, want zeros", h.Quantile(0.5), h.Max(), h.Mean())
	}
	h.Record(-5) // clock steps can make a duration negative; it counts as 0
	h.Record(math.MaxInt64)
	if h.Min() != 0 || h.Max() != math.MaxInt64 || h.Quantile(1) != math.MaxInt64 || h.Quantile(0.5) != 0 {
		t.Errorf("min %v max %v p100 %v p50 %v", h.Min(), h.Max(), h.Quantile(1), h.Quantile(0.5))
	}
	if h.Quantile(math.NaN()) != 0 || h.Quantile(-1) != 0 || h.Quantile(2) != math.MaxInt64 {
		t.Errorf("out-of-range q not clamped")
	}
}

func TestHistogramMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var a, b, all Histogram
	for i := range 5000 {
		d := time.Duration(r.ExpFloat64() * 1e6)
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var empty Histogram
	a.Merge(&b)
	a.Merge(&empty)
	empty.Merge(&a)
	for _, h := range []*Histogram{&a, &empty} {
		if h.counts != all.counts || h.Count() != all.Count() || h.Min() != all.Min() || h.Max() != all.Max() {
			t.Fatal("merged histogram differs from one that recorded every value")
		}
		// The sums are added in another order: equal to rounding.
		if d := h.Mean() - all.Mean(); d < -1 || d > 1 {
			t.Errorf("mean %v, want %v", h.Mean(), all.Mean())
		}
	}
}
