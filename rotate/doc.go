// Package rotate writes log lines to a file that rotates by size, by time
// and on request, for servers whose logs are shipped by Filebeat or Elastic
// Agent. It is an io.WriteCloser built on gopkg.in/natefinch/lumberjack.v2
// and adds what lumberjack lacks:
//
//   - Whole lines. A Write lands in one file; rotation happens between
//     writes, by the Writer's own byte count, so MaxSize is in bytes rather
//     than lumberjack's whole megabytes. A line longer than MaxSize gets a
//     file of its own instead of lumberjack's "write length exceeds maximum
//     file size" error. A Write that does not end in '\n' is refused with
//     ErrPartialLine and writes nothing. A partial line that a killed
//     process left at the end of the file is cut off when the file is
//     opened.
//   - Time rotation: Every rotates at clock boundaries (the top of the hour,
//     midnight), UTC or local, checked on Write, with no goroutine.
//   - File mode: every file the Writer creates has Options.FileMode (default
//     0640), set with chmod so that a restrictive umask does not narrow it,
//     including the .gz backups lumberjack writes.
//   - Reopen, and ReopenOn for SIGHUP, to work with logrotate.
//   - A Close that stops everything the package started.
//   - Backup names that never collide: lumberjack renames over an existing
//     backup when two rotations fall in the same millisecond.
//
// # Files
//
// Options.Filename, say /var/log/app/aws.json, is always the current file.
// A rotation renames it to aws-2026-11-25T10-00-00.000.json (the time of the
// rotation, UTC unless LocalTime) and creates a new aws.json. Log shippers
// that follow files across renames (Filebeat's filestream input does) read
// every line once; include the backups in their path glob so that lines
// written just before a rotation are still read, and leave out .gz files.
//
// # logrotate
//
// The Writer rotates on its own, so logrotate is not needed. Where it is used
// anyway, configure it with "create" (rename the file and create a new one),
// make the program call Reopen afterwards, for example through ReopenOn and a
// postrotate that sends SIGHUP, and turn the Writer's own rotation off
// (MaxSize math.MaxInt64, Every 0). Never use "copytruncate": it copies the
// file and then truncates it while the Writer keeps appending, so lines
// written between the copy and the truncation are lost, and a shipper that is
// reading the file sees it shrink under it and must guess where to resume.
//
// # What remains of lumberjack's limits
//
//   - Each Writer has one lumberjack.Logger, whose mill goroutine (which
//     compresses and deletes backups) starts on the first open and never
//     stops, even after Close (natefinch/lumberjack#56). Goroutine leak
//     checks must ignore it; its top function is
//     gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun.
//   - Compression and pruning run in that goroutine, after the rotation and
//     possibly after Close; their errors are dropped by lumberjack.
//   - MaxAge is counted in whole days (the Writer rounds up), from the time
//     in the backup's name. lumberjack reads that time as UTC, so with
//     LocalTime ages are off by the zone's offset.
//   - Pruning trusts names: any file in the directory named like a backup
//     (aws-<time>.json, or .json.gz) is counted by MaxBackups and may be
//     deleted.
//   - One process per file: two Writers, in one process or two, on the same
//     Filename rename each other's files.
//
// # Testing
//
// Tests move time through a clock that the package's own tests install;
// the exported API always uses the system clock.
package rotate
