package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress writes what the workload is doing, one line per step. On a
// terminal the PutObject count is rewritten in place, at most ten times a
// second; elsewhere (a pipe, a CI log) only the step's final line is
// written. A nil writer writes nothing.
type progress struct {
	w    io.Writer
	live bool

	mu      sync.Mutex
	name    string
	total   int
	done    int
	started time.Time
	shown   time.Time
}

func (p *progress) linef(format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// start begins a counted step of total items.
func (p *progress) start(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.total, p.done, p.started = name, total, 0, time.Now()
	p.show(false)
}

// tick counts one item of the current step.
func (p *progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if time.Since(p.shown) >= 100*time.Millisecond {
		p.show(false)
	}
}

// finish writes the step's final line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.show(true)
}

func (p *progress) show(final bool) {
	if p.w == nil || (!final && !p.live) {
		return
	}
	p.shown = time.Now()
	if p.live {
		fmt.Fprint(p.w, "\r\x1b[K") // back to the start of the line and clear it
	}
	fmt.Fprintf(p.w, "%s %d/%d", p.name, p.done, p.total)
	if final {
		fmt.Fprintf(p.w, " in %s\n", time.Since(p.started).Round(time.Millisecond))
	}
}
