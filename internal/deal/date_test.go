package deal

import (
	"testing"
	"time"
)

// FuzzParseDate holds ParseDate to time.Parse with time.DateOnly: the same
// inputs accepted, the same day read.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-05", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "0000-01-01", "9999-12-31", "2026-1-05", "2026-12-5", "+026-12-05", "2026-12-05 ", "２026-12-05", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		want, werr := time.Parse(time.DateOnly, s)
		if (err == nil) != (werr == nil) {
			t.Fatalf("ParseDate(%q): error %v, time.Parse: %v", s, err, werr)
		}
		if err == nil && !got.Time().Equal(want) {
			t.Fatalf("ParseDate(%q) = %v, time.Parse: %v", s, got.Time(), want)
		}
	})
}

// FuzzDateString holds Date.String to time.Format with time.DateOnly, for
// any day from year -20000 to 20000.
func FuzzDateString(f *testing.F) {
	for _, d := range []int64{0, 1, -1, 738000, -719162, 2932896, 3000000, -8000000} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, days int64) {
		days %= 8_000_000
		tm := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(days))
		d := Date{tm}
		want := tm.Format(time.DateOnly)
		if d.IsZero() {
			want = ""
		}
		if got := d.String(); got != want {
			t.Fatalf("%v: String() = %q, want %q", tm, got, want)
		}
	})
}

// TestPlausibleDays: the plausible years are those whose distance in days
// from any other plausible day a time.Duration holds (DaysUntil).
func TestPlausibleDays(t *testing.T) {
	lo, hi := NewDate(1970, 1, 1), NewDate(2199, 12, 31)
	if !lo.Plausible() || !hi.Plausible() || NewDate(1969, 12, 31).Plausible() || NewDate(2200, 1, 1).Plausible() || (Date{}).Plausible() {
		t.Fatal("Plausible: the bounds are 1970-01-01 and 2199-12-31")
	}
	if n := lo.DaysUntil(hi); n != 84005 {
		t.Errorf("days from 1970-01-01 to 2199-12-31: %d, want 84005", n)
	}
}
