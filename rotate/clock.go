package rotate

import "time"

// nextBoundary returns the first multiple of every, on the wall clock of loc,
// that is strictly after t. Time rotation happens at the first write at or
// after it.
//
// In UTC this is t.Truncate(every)+every: Truncate counts from the zero time,
// which is midnight UTC, so hours and days fall where a person expects. In
// another zone the same arithmetic runs on the local wall clock, so 24h means
// local midnight. Across a daylight-saving change the periods follow the wall
// clock: a boundary in a skipped hour (02:00) moves to the end of the gap
// (03:00), and a repeated hour counts once.
func nextBoundary(t time.Time, every time.Duration, loc *time.Location) time.Time {
	if loc == time.UTC {
		return t.Truncate(every).Add(every)
	}
	lt := t.In(loc)
	next := wallClock(lt).Truncate(every).Add(every)
	// The instant of that wall time depends on the zone offset then, which
	// time.Date resolves arbitrarily in a gap or an overlap. Of the two
	// offsets in play, take the earliest instant that is after t and whose
	// wall clock has reached next.
	_, offset := lt.Zone()
	var best time.Time
	for _, c := range []time.Time{
		next.Add(-time.Duration(offset) * time.Second),
		time.Date(next.Year(), next.Month(), next.Day(), next.Hour(), next.Minute(), next.Second(), next.Nanosecond(), loc),
	} {
		if c.After(t) && !wallClock(c.In(loc)).Before(next) && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if best.IsZero() {
		return t.Add(every)
	}
	return best.In(loc)
}

// wallClock returns the date and clock reading of t as the same reading in
// UTC, so that wall times can be truncated and compared.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
