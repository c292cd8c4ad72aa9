package rotate

import "time"

// nextBoundary returns the first multiple of every, on the wall clock of loc,
// that is strictly after t. Time rotation happens at the first write at or
// after it.
//
// In UTC this is t.Truncate(every)+every: Truncate counts from the zero time,
// which is midnight UTC, so hours and days fall where a person expects. For
// another location the same arithmetic runs on the local wall clock (read as
// if it were UTC) and the result is placed back in loc, so 24h means local
// midnight. Across a daylight-saving change the period follows the wall
// clock: the boundary at a skipped 02:00 becomes 03:00, and a repeated hour
// is not a boundary twice.
func nextBoundary(t time.Time, every time.Duration, loc *time.Location) time.Time {
	if loc == time.UTC {
		return t.Truncate(every).Add(every)
	}
	lt := t.In(loc)
	wall := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC)
	next := wall.Truncate(every).Add(every)
	b := time.Date(next.Year(), next.Month(), next.Day(), next.Hour(), next.Minute(), next.Second(), next.Nanosecond(), loc)
	if !b.After(t) {
		// time.Date may pick the earlier of two instants sharing a wall
		// clock; never return a boundary that is already behind us.
		b = t.Add(every)
	}
	return b
}
