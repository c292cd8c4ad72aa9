//go:build linux

package faults

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slogreq/slogreq/rotate"
	"github.com/slogreq/slogreq/slogreq"
)

// nobody is the unprivileged user the permissions fault runs as when the
// tests run as root, since root ignores directory permissions.
const nobody = 65534

// TestFault4PermissionsLost turns the log directory read-only under a
// child that logs at a steady rate into a rotate.Writer whose small
// MaxSize makes it rotate every few dozen records: a rotation can no longer
// rename the file or create the next one. Errors must be counted and
// reported, callers must not block, and logging and rotation must resume
// when the directory is writable again. Every drop is counted.
func TestFault4PermissionsLost(t *testing.T) {
	base, err := os.MkdirTemp("", "slogreq-faults-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var o childOpts
	if os.Geteuid() == 0 {
		// Root passes every permission check, so the child runs as nobody
		// on a directory nobody owns; it needs a copy of this binary that
		// nobody may execute (go test builds in a private directory).
		if err := os.Chown(dir, nobody, nobody); err != nil {
			t.Skipf("cannot give the log directory to uid %d: %v", nobody, err)
		}
		o.exe = filepath.Join(base, "faults.test")
		if err := copyExecutable(o.exe); err != nil {
			t.Fatal(err)
		}
		o.cred = &syscall.Credential{Uid: nobody, Gid: nobody}
		o.dir = base
	}
	cfg := childConfig{
		Dir:           dir,
		Rate:          2000,
		BufferSize:    16 << 10,
		FlushInterval: 20 * time.Millisecond,
		MaxSize:       16 << 10,
	}
	readOnly := pick(time.Second, 5*time.Second)
	c, err := startChild(t, "perms", cfg, o)
	if err != nil {
		t.Skipf("cannot start a child as uid %d: %v", nobody, err)
	}
	ready := c.waitEvent(10*time.Second, "first records written", func(e childEvent) bool {
		return e.Ev == "progress" && e.Stats.Written >= 300
	})
	if ready.Uid == 0 {
		t.Fatalf("the child runs as root, which ignores the directory's permissions")
	}

	// The directory turns read-only.
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	roAt := time.Now()
	failing := c.waitEvent(10*time.Second, "write errors", func(e childEvent) bool {
		return e.Ev == "progress" && e.Stats.WriteErrors >= 3
	})
	time.Sleep(time.Until(roAt.Add(readOnly)))
	stillFailing := c.waitEvent(10*time.Second, "progress", func(e childEvent) bool {
		return e.Ev == "progress" && e.Stats.WriteErrors > failing.Stats.WriteErrors
	})

	// Permission returns.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rwAt := time.Now()
	filesAtRestore := len(logFiles(t, dir))
	c.waitEvent(10*time.Second, "a report line", func(e childEvent) bool {
		return e.Ev == "progress" && e.Stats.Reports > 0
	})
	resumedIn := time.Since(rwAt)
	c.waitEvent(10*time.Second, "resumed writing", func(e childEvent) bool {
		return e.Ev == "progress" && e.Stats.Written >= stillFailing.Stats.Written+300
	})
	c.send("stop")
	res := c.result(time.Minute)
	d := readLogDir(t, dir, "perms")

	if res.Err != "" {
		t.Errorf("Shutdown: %s", res.Err)
	}
	// Callers went on while writes failed: the producer kept logging.
	if stillFailing.totalSent() <= failing.totalSent() {
		t.Errorf("the producer logged nothing while the directory was read-only (sent %d, then %d)", failing.totalSent(), stillFailing.totalSent())
	}
	if limit := readOnly / 2; res.LatMax >= limit {
		t.Errorf("a Block call took %v; want under %v", res.LatMax, limit)
	}
	if files := len(logFiles(t, dir)); files <= filesAtRestore {
		t.Errorf("%d files when the directory was writable again, %d at the end: rotation did not resume", filesAtRestore, files)
	}
	if !strings.Contains(res.WriteErr, "permission denied") {
		t.Errorf("first write error %q; want permission denied", res.WriteErr)
	}

	st := res.Stats
	sent := res.totalSent()
	onDisk := uint64(d.records())
	checkInOrder(t, d, 0, int64(sent))
	checkFailedWrites(t, d, st, sent, "permission denied")
	t.Logf("read-only for %v as uid %d: %d write errors (%s), %d dropped, %d reports; writing resumed within %v of permission returning",
		readOnly, ready.Uid, st.WriteErrors, res.WriteErr, st.Dropped, len(d.Reports), resumedIn.Round(time.Millisecond))
	addRow(t, row{
		fault:   fmt.Sprintf("4 log directory read-only %v, Block, 2000 records/s", readOnly),
		sent:    sent,
		onDisk:  onDisk,
		dropped: fmt.Sprintf("%d / %d; %d write errors reported", st.Dropped, sent-onDisk, st.WriteErrors), // equal to the reports' sum, checked above
		latP99:  res.LatP99,
		latMax:  res.LatMax,
		mem:     memCell(res.HeapBase, res.HeapPeak, res.VmHWM),
	})
}

// copyExecutable copies this test binary to path, executable by all.
func copyExecutable(path string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// childPerms logs Rate records a second, reporting progress every 25ms,
// until told to stop.
func childPerms(c *childProc) error {
	cfg := c.cfg
	base := baselineMem()
	w, err := rotate.New(rotate.Options{Filename: logPath(cfg.Dir), MaxSize: cfg.MaxSize})
	if err != nil {
		return err
	}
	var first atomic.Pointer[error]
	h := slogreq.NewHandler(w, &slogreq.Options{
		BufferSize:    cfg.BufferSize,
		FlushInterval: cfg.FlushInterval,
		OnError: func(err error) {
			first.CompareAndSwap(nil, &err)
		},
	})
	peak := startMemPeak()
	p := newProducer(0, h)
	var stop atomic.Bool
	var sent atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pace := newPacer(cfg.Rate)
		for i := int64(0); !stop.Load(); i++ {
			pace.wait(i)
			p.log("perms", i)
			sent.Store(i + 1)
		}
	}()
	for {
		cmd := c.command(25 * time.Millisecond)
		c.emit(childEvent{Ev: "progress", Sent: []int64{sent.Load()}, Stats: h.Stats(), Uid: os.Geteuid()})
		if cmd == "stop" {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serr := h.Shutdown(ctx)
	mem := peak.Stop()
	if err := w.Close(); err != nil {
		return err
	}
	res := childEvent{
		Ev: "result", Sent: []int64{p.sent}, Stats: h.Stats(),
		LatP99: p.lat.quantile(0.99), LatMax: p.lat.max,
		HeapBase: base, HeapPeak: mem, VmHWM: vmHWM(),
	}
	if serr != nil {
		res.Err = serr.Error()
	}
	if e := first.Load(); e != nil {
		res.WriteErr = (*e).Error()
	}
	c.emit(res)
	return nil
}
