package logstat

import (
	"math"
	"math/bits"
	"time"
)

// subBits is the number of mantissa bits each power of two is split by:
// 2^subBits buckets per octave bound the relative error of a quantile by
// 2^-subBits (3.1%), the precision of HdrHistogram with about 1.5
// significant digits, in a fixed 15 KiB.
const (
	subBits    = 5
	subBuckets = 1 << subBits
	// Values below subBuckets get one exact bucket each; every octave
	// above, up to 2^63 (durations are int64), gets subBuckets buckets.
	numBuckets = (63 - subBits + 1) * subBuckets
)

// Histogram counts durations in fixed log-scale buckets, so quantiles of any
// number of values cost constant memory. A quantile is exact below 32ns and
// otherwise at most 1/32 (3.1%) above the exact value, never below it. The
// zero value is an empty histogram.
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	min, max time.Duration
	sum      float64
}

// bucket returns the index of the bucket holding v >= 0.
func bucket(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - subBits // v>>shift is in [32, 64)
	return (shift+1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketMax returns the largest value that falls into bucket i.
func bucketMax(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	shift := i/subBuckets - 1
	m := uint64(i%subBuckets + subBuckets)
	return (m+1)<<shift - 1
}

// Record adds one duration; negative durations count as 0.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucket(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += float64(d)
}

// Merge adds every value of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Min returns the smallest value recorded, 0 for an empty histogram.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest value recorded, 0 for an empty histogram.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the average of the values recorded, 0 for an empty
// histogram.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the nearest-rank q-quantile (q in [0, 1]; 0.99 for p99):
// the smallest recorded value v such that at least q of the values are <= v,
// rounded up to its bucket's upper bound and clamped to [Min, Max]. It
// returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q <= 0 || math.IsNaN(q) {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := time.Duration(bucketMax(i))
			return max(h.min, min(v, h.max))
		}
	}
	return h.max
}
