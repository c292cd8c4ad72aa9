package rotate

import (
	"fmt"
	"math"
	"os"
	"time"
)

// Defaults applied by New to zero fields of Options.
const (
	// DefaultMaxSize is the size limit used when Options.MaxSize is 0. It is
	// lumberjack's own default (100 MiB).
	DefaultMaxSize int64 = 100 << 20

	// DefaultFileMode is the permission of created files when Options.FileMode
	// is 0: the owner writes, the group (for example the log shipper's) reads.
	DefaultFileMode os.FileMode = 0o640
)

// minDuration is the smallest accepted Every and MaxAge. A positive value
// below it is almost always a unit mistake (Every: 24 is 24ns, not 24h), so
// New rejects it instead of rotating on every write.
const minDuration = time.Second

// Options configures a Writer. The zero value of every field except Filename
// is usable.
type Options struct {
	// Filename is the current log file. Backups are written next to it,
	// named like lumberjack's: aws.json rotates to
	// aws-2026-11-25T10-00-00.000.json (UTC unless LocalTime). The directory
	// is created (mode 0755, filtered by the umask) if it does not exist.
	// Required.
	Filename string

	// MaxSize is the size in bytes at which the current file is rotated.
	// A write that would take the file past MaxSize goes into a fresh file
	// instead; a single line longer than MaxSize gets a file of its own.
	// 0 means DefaultMaxSize (100 MiB). To leave size rotation to an
	// external tool such as logrotate, set math.MaxInt64.
	MaxSize int64

	// MaxBackups is the number of backups to keep; older ones are deleted
	// by lumberjack after each rotation. 0 keeps all of them (MaxAge may
	// still delete).
	MaxBackups int

	// MaxAge is how long to keep backups, judged by the time in their
	// names. lumberjack counts whole days, so it is rounded up to a
	// multiple of 24h. 0 keeps backups regardless of age.
	MaxAge time.Duration

	// Compress makes lumberjack gzip backups (aws-….json.gz) in the
	// background after each rotation.
	Compress bool

	// LocalTime uses the local time zone, instead of UTC, for the time in
	// backup names and for aligning Every to the clock.
	LocalTime bool

	// Every rotates the file when the clock crosses a multiple of Every:
	// time.Hour rotates at the top of each hour, 24*time.Hour at midnight
	// (UTC, or local midnight with LocalTime). Periods count from
	// January 1 of year 1, so values that divide a day align as expected
	// and 48h means every other day. The check runs on Write: a quiet hour
	// produces no empty file, and the first write after the boundary
	// rotates. 0 turns time rotation off.
	Every time.Duration

	// FileMode is the permission of every file the Writer creates: the
	// current file, the new file after each rotation and, with Compress,
	// the .gz backups. It is applied with chmod, so the process umask does
	// not narrow it. Renamed backups keep it. A file that already exists at
	// Filename (from an earlier run, or created by logrotate) keeps its own
	// mode. It must let the owner write. 0 means DefaultFileMode (0640).
	FileMode os.FileMode
}

// withDefaults validates o and returns a copy with defaults filled in. The
// errors name the field and the offending value.
func (o Options) withDefaults() (Options, error) {
	if o.Filename == "" {
		return o, fmt.Errorf("rotate: Options.Filename is empty; want the path of the log file, e.g. /var/log/app/aws.json")
	}
	if o.MaxSize < 0 {
		return o, fmt.Errorf("rotate: Options.MaxSize is %d; want 0 (default %d bytes) or a positive number of bytes", o.MaxSize, DefaultMaxSize)
	}
	if o.MaxBackups < 0 {
		return o, fmt.Errorf("rotate: Options.MaxBackups is %d; want 0 (keep all) or more", o.MaxBackups)
	}
	if o.MaxAge < 0 || (o.MaxAge > 0 && o.MaxAge < minDuration) {
		return o, fmt.Errorf("rotate: Options.MaxAge is %v; want 0 (keep all) or at least %v, e.g. 7*24*time.Hour", o.MaxAge, minDuration)
	}
	if o.Every < 0 || (o.Every > 0 && o.Every < minDuration) {
		return o, fmt.Errorf("rotate: Options.Every is %v; want 0 (off) or at least %v, e.g. time.Hour", o.Every, minDuration)
	}
	if o.FileMode&^os.ModePerm != 0 {
		return o, fmt.Errorf("rotate: Options.FileMode is %v; want permission bits only, e.g. 0640", o.FileMode)
	}
	if o.FileMode != 0 && o.FileMode&0o200 == 0 {
		// The Writer and lumberjack reopen the files they create for writing.
		return o, fmt.Errorf("rotate: Options.FileMode is %v; the owner needs write permission (0200), e.g. 0640", o.FileMode)
	}
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.FileMode == 0 {
		o.FileMode = DefaultFileMode
	}
	return o, nil
}

// maxAgeDays converts MaxAge to lumberjack's whole days, rounding up so that
// no backup is deleted earlier than asked.
func maxAgeDays(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	const day = 24 * time.Hour
	days := d / day
	if d%day != 0 {
		days++
	}
	// lumberjack multiplies the days back into a Duration; keep that
	// product from overflowing.
	const maxDays = math.MaxInt64 / int64(day)
	return int(min(int64(days), maxDays))
}
