package rotate_test

import (
	"testing"
	"time"
	_ "time/tzdata" // America/New_York wherever the tests run

	"github.com/slogreq/slogreq/rotate"
)

func TestNextBoundary(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name  string
		t     time.Time
		every time.Duration
		loc   *time.Location
		want  time.Time
	}{
		{"hour", time.Date(2026, 11, 25, 10, 20, 0, 0, time.UTC), time.Hour, time.UTC, time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)},
		{"on the boundary is the next one", time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC), time.Hour, time.UTC, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)},
		{"day UTC", time.Date(2026, 11, 25, 23, 59, 59, 0, time.UTC), 24 * time.Hour, time.UTC, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)},
		{"15 minutes", time.Date(2026, 11, 25, 10, 44, 0, 0, time.UTC), 15 * time.Minute, time.UTC, time.Date(2026, 11, 25, 10, 45, 0, 0, time.UTC)},
		{"day UTC for a time given in another zone", time.Date(2026, 11, 25, 1, 0, 0, 0, ist), 24 * time.Hour, time.UTC, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		{"local midnight, half-hour zone", time.Date(2026, 11, 25, 1, 0, 0, 0, ist), 24 * time.Hour, ist, time.Date(2026, 11, 26, 0, 0, 0, 0, ist)},
		{"local hour, half-hour zone", time.Date(2026, 11, 25, 10, 20, 0, 0, ist), time.Hour, ist, time.Date(2026, 11, 25, 11, 0, 0, 0, ist)},
		// 2026-03-08: New York skips 02:00-03:00.
		{"skipped hour", time.Date(2026, 3, 8, 1, 30, 0, 0, ny), time.Hour, ny, time.Date(2026, 3, 8, 3, 0, 0, 0, ny)},
		{"midnight after a 23-hour day", time.Date(2026, 3, 8, 12, 0, 0, 0, ny), 24 * time.Hour, ny, time.Date(2026, 3, 9, 0, 0, 0, 0, ny)},
		// 2026-11-01: New York repeats 01:00-02:00.
		{"midnight after a 25-hour day", time.Date(2026, 11, 1, 0, 30, 0, 0, ny), 24 * time.Hour, ny, time.Date(2026, 11, 2, 0, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rotate.NextBoundary(tt.t, tt.every, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("NextBoundary(%v, %v) = %v; want %v", tt.t, tt.every, got, tt.want)
			}
			if !got.After(tt.t) {
				t.Errorf("boundary %v is not after %v", got, tt.t)
			}
		})
	}
}

// Walking boundary to boundary through a year in a zone with daylight
// saving always moves forward and lands on local midnights.
func TestNextBoundaryWalksForward(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, every := range []time.Duration{time.Hour, 24 * time.Hour} {
		b := time.Date(2026, 1, 1, 0, 0, 0, 0, ny)
		for range 24 * 366 * time.Hour / every {
			next := rotate.NextBoundary(b, every, ny)
			if !next.After(b) || next.Sub(b) > every+time.Hour {
				t.Fatalf("every %v: after %v comes %v", every, b, next)
			}
			if l := next.In(ny); l.Minute() != 0 || (every == 24*time.Hour && l.Hour() != 0) {
				t.Fatalf("every %v: boundary %v is not on the local clock", every, l)
			}
			b = next
		}
	}
}
