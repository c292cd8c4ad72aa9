//go:build linux

package faults

import (
	"bufio"
	"math/bits"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// latHist is a latency histogram of fixed size: a producer that runs for
// minutes must not measure itself into memory growth. Buckets split each
// power of two into 16, so a quantile is exact to within 1/16.
type latHist struct {
	counts [64 * 16]uint64
	n      uint64
	max    time.Duration
}

func latBucket(d time.Duration) int {
	if d < 16 {
		return max(int(d), 0)
	}
	v := uint64(d)
	e := bits.Len64(v) - 1 // e >= 4
	return e*16 + int((v>>(e-4))&15)
}

// latUpper is the largest duration in bucket i.
func latUpper(i int) time.Duration {
	if i < 16 {
		return time.Duration(i)
	}
	e, sub := i/16, uint64(i%16)
	return time.Duration((16+sub+1)<<(e-4) - 1)
}

func (h *latHist) add(d time.Duration) {
	h.counts[latBucket(d)]++
	h.n++
	h.max = max(h.max, d)
}

func (h *latHist) merge(o *latHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns an upper bound of the q-quantile, never above max.
func (h *latHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	want := uint64(q * float64(h.n))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if c > 0 && seen >= want {
			return min(latUpper(i), h.max)
		}
	}
	return h.max
}

// memUse is a sample of the Go runtime's memory: the heap in use (spans
// holding objects, live or not yet swept, as runtime.MemStats.HeapInuse) and
// all memory obtained from the OS (MemStats.Sys).
type memUse struct {
	HeapInuse uint64 `json:"heap_inuse"`
	Sys       uint64 `json:"sys"`
}

var memNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/total:bytes",
}

// readMem reads runtime/metrics, which unlike runtime.ReadMemStats does not
// stop the world, so sampling does not disturb the latencies measured.
func readMem(s []metrics.Sample) memUse {
	metrics.Read(s)
	return memUse{
		HeapInuse: s[0].Value.Uint64() + s[1].Value.Uint64(),
		Sys:       s[2].Value.Uint64(),
	}
}

func newMemSamples() []metrics.Sample {
	s := make([]metrics.Sample, len(memNames))
	for i, n := range memNames {
		s[i].Name = n
	}
	return s
}

// baselineMem collects garbage and returns what remains in use: the
// reference the peak is compared with.
func baselineMem() memUse {
	runtime.GC()
	return readMem(newMemSamples())
}

// memPeak samples memory every few milliseconds until stop and keeps the
// highest values seen.
type memPeak struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak memUse
}

func startMemPeak() *memPeak {
	m := &memPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		s := newMemSamples()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			u := readMem(s)
			m.mu.Lock()
			m.peak.HeapInuse = max(m.peak.HeapInuse, u.HeapInuse)
			m.peak.Sys = max(m.peak.Sys, u.Sys)
			m.mu.Unlock()
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// Stop ends the sampling and returns the peak.
func (m *memPeak) Stop() memUse {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peak
}

// vmHWM returns the process's peak resident set size (VmHWM) in bytes, or 0
// if /proc is not readable.
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
