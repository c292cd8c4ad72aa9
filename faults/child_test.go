//go:build linux

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/slogreq"
)

// A child is this test binary run again with childEnv naming a scenario and
// configEnv holding its childConfig as JSON. TestMain runs the scenario
// instead of the tests. The child writes to stdout one line per event, as
// JSON, and "a <producer> <number>" for each record a producer saw
// accepted; it reads commands, one per line, from stdin.
const (
	childEnv  = "SLOGREQ_FAULTS_CHILD"
	configEnv = "SLOGREQ_FAULTS_CONFIG"
)

// childConfig is what a scenario is asked to do; each uses the fields it
// needs.
type childConfig struct {
	Dir           string        `json:"dir"`
	Records       int64         `json:"records,omitempty"`
	Producers     int           `json:"producers,omitempty"`
	Rate          int           `json:"rate,omitempty"` // records per second
	BufferSize    int           `json:"buffer_size,omitempty"`
	FlushInterval time.Duration `json:"flush_interval,omitempty"`
	MaxSize       int64         `json:"max_size,omitempty"`
	Run           int           `json:"run,omitempty"`
	FileLimit     uint64        `json:"file_limit,omitempty"`
	Phase         time.Duration `json:"phase,omitempty"`
	Deadline      time.Duration `json:"deadline,omitempty"`
	WriteDelay    time.Duration `json:"write_delay,omitempty"` // added to every write: a slow disk
	Pad           int           `json:"pad,omitempty"`         // bytes of padding per record, if not the usual
}

// childEvent is one event line of a child. "progress" events carry the
// handler's counters; the "result" event ends a scenario.
type childEvent struct {
	Ev       string        `json:"ev"`
	Sent     []int64       `json:"sent,omitempty"` // per producer
	Stats    slogreq.Stats `json:"stats"`
	Elapsed  time.Duration `json:"elapsed,omitempty"`
	LatP99   time.Duration `json:"lat_p99,omitempty"`
	LatMax   time.Duration `json:"lat_max,omitempty"`
	HeapBase memUse        `json:"heap_base"`
	HeapPeak memUse        `json:"heap_peak"`
	HeapLive memUse        `json:"heap_live"` // after the run and a collection, the handler still alive
	VmHWM    uint64        `json:"vm_hwm,omitempty"`
	// Err is an error the scenario met, such as Shutdown's.
	Err string `json:"err,omitempty"`
	// WriteErr is the first error the handler's io.Writer returned, and
	// WriteErrno its errno, if any.
	WriteErr   string        `json:"write_err,omitempty"`
	WriteErrno int           `json:"write_errno,omitempty"`
	Pending    uint64        `json:"pending,omitempty"`
	Took       time.Duration `json:"took,omitempty"`
	Size       int64         `json:"size,omitempty"`
	Uid        int           `json:"uid,omitempty"`
	Whole      bool          `json:"whole,omitempty"`
}

func (e childEvent) totalSent() uint64 {
	var n uint64
	for _, s := range e.Sent {
		n += uint64(s)
	}
	return n
}

// scenarios are the programs a child can run, by name.
var scenarios = map[string]func(*childProc) error{
	"burst":    childBurst,
	"fulldisk": childFullDisk,
	"perms":    childPerms,
	"steady":   childSteady,
	"sigterm":  childSigterm,
	"flood":    childFlood,
}

// childProc is the child's side: its configuration, its stdout and the
// commands read from stdin.
type childProc struct {
	cfg  childConfig
	mu   sync.Mutex // serializes lines on stdout
	out  *os.File
	cmds chan string
}

func runChild(name string) int {
	run, ok := scenarios[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "faults child: no scenario %q\n", name)
		return 2
	}
	c := &childProc{out: os.Stdout, cmds: make(chan string, 16)}
	if err := json.Unmarshal([]byte(os.Getenv(configEnv)), &c.cfg); err != nil {
		fmt.Fprintf(os.Stderr, "faults child: %s: %v\n", configEnv, err)
		return 2
	}
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			c.cmds <- sc.Text()
		}
		close(c.cmds)
	}()
	if err := run(c); err != nil {
		c.emit(childEvent{Ev: "error", Err: err.Error()})
		return 1
	}
	return 0
}

func (c *childProc) emit(e childEvent) {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Write(append(b, '\n'))
}

// ack tells the parent that record i of producer p was accepted. It is one
// write(2) per record, so the parent knows of an acceptance as soon as it
// happened, even if the child is killed the next instant.
func (c *childProc) ack(p int, i int64) {
	var buf [48]byte
	b := append(buf[:0], "a "...)
	b = strconv.AppendInt(b, int64(p), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, i, 10)
	b = append(b, '\n')
	c.mu.Lock()
	c.out.Write(b)
	c.mu.Unlock()
}

// command waits up to d for the next command; "" on timeout or end of input.
func (c *childProc) command(d time.Duration) string {
	select {
	case s := <-c.cmds:
		return s
	case <-time.After(d):
		return ""
	}
}

// childRun is the parent's side of a running child.
type childRun struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr lockedBuffer

	mu      sync.Mutex
	events  []childEvent
	acked   map[int]int64 // producer → highest number acknowledged
	changed chan struct{} // closed and replaced when events or acked change
	exited  chan struct{} // closed when the child has exited
	waitErr error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// childOpts are how a child is started, beyond its scenario and config.
type childOpts struct {
	exe  string              // the binary; default this test binary
	cred *syscall.Credential // run as this user
	dir  string              // working directory
}

// startChild starts scenario name with cfg. A child still running when the
// test ends is killed.
func startChild(t testing.TB, name string, cfg childConfig, o childOpts) (*childRun, error) {
	t.Helper()
	exe := o.exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	// The race detector sleeps a second at exit, waiting for reports from
	// other threads; a child has none to wait for.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), childEnv+"="+name, configEnv+"="+string(b), "GORACE="+race)
	cmd.Dir = o.dir
	if o.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: o.cred}
	}
	c := &childRun{t: t, cmd: cmd, acked: map[int]int64{}, changed: make(chan struct{}), exited: make(chan struct{})}
	cmd.Stderr = &c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go c.read(stdout)
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Kill()
			<-c.exited
		}
	})
	return c, nil
}

// read collects the child's output until it exits.
func (c *childRun) read(stdout io.Reader) {
	r := bufio.NewReaderSize(stdout, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			c.parse(line)
		}
		if err != nil {
			break
		}
	}
	err := c.cmd.Wait()
	c.mu.Lock()
	c.waitErr = err
	c.mu.Unlock()
	close(c.exited)
}

func (c *childRun) parse(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case bytes.HasPrefix(line, []byte("a ")):
		f := strings.Fields(string(line[2:]))
		if len(f) != 2 {
			fmt.Fprintf(&c.stderr, "faults: bad ack line %q\n", line)
			return
		}
		p, err1 := strconv.Atoi(f[0])
		i, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			fmt.Fprintf(&c.stderr, "faults: bad ack line %q\n", line)
			return
		}
		if prev, ok := c.acked[p]; !ok || i > prev {
			c.acked[p] = i
		}
	case bytes.HasPrefix(line, []byte("{")):
		var e childEvent
		if err := json.Unmarshal(line, &e); err != nil {
			fmt.Fprintf(&c.stderr, "faults: bad event line %q: %v\n", line, err)
			return
		}
		c.events = append(c.events, e)
	default:
		fmt.Fprintf(&c.stderr, "faults: unexpected output: %q\n", line)
		return
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitEvent returns the first event, in order, for which ok is true,
// waiting up to d for it. It fails the test if none comes.
func (c *childRun) waitEvent(d time.Duration, what string, ok func(childEvent) bool) childEvent {
	c.t.Helper()
	timeout := time.After(d)
	for {
		c.mu.Lock()
		for _, e := range c.events {
			if ok(e) {
				c.mu.Unlock()
				return e
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-c.exited:
			c.mu.Lock()
			for _, e := range c.events {
				if ok(e) {
					c.mu.Unlock()
					return e
				}
			}
			c.mu.Unlock()
			c.t.Fatalf("child exited (%v) before %s\nstderr:\n%s", c.exitErr(), what, c.stderr.String())
		case <-timeout:
			c.t.Fatalf("no %s from the child within %v\nstderr:\n%s", what, d, c.stderr.String())
		}
	}
}

// waitAcks waits up to d until producer p has n records acknowledged.
func (c *childRun) waitAcks(d time.Duration, p int, n int64) {
	c.t.Helper()
	timeout := time.After(d)
	for {
		c.mu.Lock()
		i, ok := c.acked[p]
		changed := c.changed
		c.mu.Unlock()
		if ok && i+1 >= n {
			return
		}
		select {
		case <-changed:
		case <-c.exited:
			c.t.Fatalf("child exited (%v) before %d acknowledgements\nstderr:\n%s", c.exitErr(), n, c.stderr.String())
		case <-timeout:
			c.t.Fatalf("fewer than %d acknowledgements from the child within %v", n, d)
		}
	}
}

// acks returns, per producer, how many records were acknowledged so far
// (the highest number plus one; records are numbered from 0).
func (c *childRun) acks() map[int]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[int]int64, len(c.acked))
	for p, i := range c.acked {
		m[p] = i + 1
	}
	return m
}

func (c *childRun) send(cmd string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		c.t.Fatalf("command %q to the child: %v", cmd, err)
	}
}

func (c *childRun) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waitErr
}

// wait waits up to d for the child to exit and returns how it exited. A
// child that does not exit in time is killed and the test fails.
func (c *childRun) wait(d time.Duration) error {
	c.t.Helper()
	select {
	case <-c.exited:
		return c.exitErr()
	case <-time.After(d):
		c.cmd.Process.Kill()
		<-c.exited
		c.t.Fatalf("child did not exit within %v; killed\nstderr:\n%s", d, c.stderr.String())
		return nil
	}
}

// result waits up to d for the child to finish its scenario and returns
// its "result" event; a child that failed or exited with an error (a data
// race, say) fails the test.
func (c *childRun) result(d time.Duration) childEvent {
	c.t.Helper()
	err := c.wait(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if e.Ev == "error" {
			c.t.Fatalf("child failed: %s\nstderr:\n%s", e.Err, c.stderr.String())
		}
	}
	if err != nil {
		c.t.Fatalf("child exited: %v\nstderr:\n%s", err, c.stderr.String())
	}
	if s := c.stderr.String(); s != "" {
		c.t.Errorf("child wrote to stderr:\n%s", s)
	}
	for _, e := range c.events {
		if e.Ev == "result" {
			return e
		}
	}
	c.t.Fatalf("child exited without a result")
	return childEvent{}
}
