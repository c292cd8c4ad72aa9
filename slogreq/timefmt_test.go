package slogreq

import (
	"testing"
	"time"
)

func TestAppendRFC3339(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("A", 3600), time.FixedZone("B", -(5*3600 + 30*60)),
		time.FixedZone("C", 30), time.FixedZone("D", -90), time.FixedZone("E", 14*3600), time.FixedZone("F", 101*3600)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	times := []time.Time{
		time.Unix(0, 0), time.Unix(-1, 0), time.Unix(0, 1), time.Unix(-1, 999999999),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 120000000, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 10, 0, 0, 100, time.UTC), testTime,
	}
	for _, tm := range times {
		for _, z := range zones {
			tz := tm.In(z)
			if got, want := string(appendRFC3339(nil, tz, false)), tz.Format(time.RFC3339Nano); got != want {
				t.Errorf("%v: got %s, want %s", tz, got, want)
			}
			if got, want := string(appendRFC3339(nil, tz, true)), tz.Format("2006-01-02T15:04:05.000000000Z07:00"); got != want {
				t.Errorf("%v fixed: got %s, want %s", tz, got, want)
			}
		}
	}
}

// FuzzAppendRFC3339 checks the fast formatter against time.AppendFormat.
func FuzzAppendRFC3339(f *testing.F) {
	f.Add(int64(0), int64(0), 0)
	f.Add(int64(1764064800), int64(123456789), 3600)
	f.Add(int64(-62135596800), int64(1), -18000)
	f.Add(int64(253402300799), int64(999999999), 50400)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("Z", offset%(100*3600)))
		if got, want := string(appendRFC3339(nil, tm, false)), tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
		if got, want := string(appendRFC3339(nil, tm, true)), tm.Format("2006-01-02T15:04:05.000000000Z07:00"); got != want {
			t.Fatalf("fixed: got %s, want %s", got, want)
		}
	})
}
