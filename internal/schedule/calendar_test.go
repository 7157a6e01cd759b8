package schedule

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// day parses a YYYY-MM-DD test date.
func day(t testing.TB, s string) deal.Date {
	t.Helper()
	d, err := deal.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddBusinessDays(t *testing.T) {
	july3 := []string{"2026-07-03"} // a Friday
	tests := []struct {
		from     string
		n        int
		holidays []string
		want     string
	}{
		{"2026-07-29", 0, nil, "2026-07-29"},
		{"2026-08-01", 0, nil, "2026-08-01"},  // n 0 leaves even a Saturday alone
		{"2026-07-29", 2, nil, "2026-07-31"},  // Wed + 2 = Fri
		{"2026-07-31", 1, nil, "2026-08-03"},  // Fri + 1 = Mon
		{"2026-08-01", 1, nil, "2026-08-03"},  // Sat + 1 = Mon
		{"2026-08-02", 1, nil, "2026-08-03"},  // Sun + 1 = Mon
		{"2026-08-01", -1, nil, "2026-07-31"}, // Sat - 1 = Fri
		{"2026-08-03", -1, nil, "2026-07-31"}, // Mon - 1 = Fri
		{"2026-08-03", -5, nil, "2026-07-27"}, // a week back
		{"2026-07-31", 30, nil, "2026-09-11"}, // six weeks
		{"2026-07-31", -30, nil, "2026-06-19"},
		{"2026-07-02", 1, july3, "2026-07-06"},  // Thu + 1 skips the holiday and the weekend
		{"2026-07-06", -1, july3, "2026-07-02"}, // and back
		{"2026-07-03", 1, july3, "2026-07-06"},  // from a holiday
		{"2026-07-03", -1, july3, "2026-07-02"},
		{"2026-07-01", 3, []string{"2026-07-03", "2026-07-04"}, "2026-07-07"}, // a Saturday holiday changes nothing
		{"2026-12-23", 3, []string{"2026-12-25", "2026-12-24", "2026-12-25"}, "2026-12-30"},
	}
	for _, tt := range tests {
		var hs []deal.Date
		for _, h := range tt.holidays {
			hs = append(hs, day(t, h))
		}
		cal := NewCalendar(hs...)
		if got := cal.AddBusinessDays(day(t, tt.from), tt.n); got != day(t, tt.want) {
			t.Errorf("AddBusinessDays(%s, %d) with holidays %v = %s, want %s", tt.from, tt.n, tt.holidays, got, tt.want)
		}
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	cal := NewCalendar(day(t, "2026-07-03"))
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-07-27", "2026-07-27", 0},
		{"2026-07-27", "2026-07-31", 4},  // Mon to Fri
		{"2026-07-31", "2026-08-03", 1},  // Fri to Mon
		{"2026-08-01", "2026-08-02", 0},  // Sat to Sun
		{"2026-08-03", "2026-07-31", -1}, // backwards
		{"2026-07-02", "2026-07-06", 1},  // over the holiday and the weekend
		{"2026-06-19", "2026-07-31", 29}, // 30 weekdays, one of them a holiday
	}
	for _, tt := range tests {
		if got := cal.BusinessDaysBetween(day(t, tt.a), day(t, tt.b)); got != tt.want {
			t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIsBusinessDay(t *testing.T) {
	cal := NewCalendar(day(t, "2026-07-03"), deal.Date{})
	for s, want := range map[string]bool{
		"2026-07-02": true, "2026-07-03": false, "2026-07-04": false, "2026-07-05": false,
		"2026-07-06": true, "1969-12-29": true, "1969-12-28": false, "0001-01-01": true,
	} {
		if got := cal.IsBusinessDay(day(t, s)); got != want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestCalendarMatchesCounting checks the calendar's arithmetic against
// counting day by day, over random dates (before and after 1970), steps and
// holiday lists.
func TestCalendarMatchesCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := day(t, "1969-06-01")
	for range 300 {
		var hs []deal.Date
		holiday := map[deal.Date]bool{}
		for range rng.IntN(40) {
			h := base.AddDays(rng.IntN(400))
			hs = append(hs, h)
			holiday[h] = true
		}
		cal := NewCalendar(hs...)
		business := func(d deal.Date) bool {
			wd := d.Weekday()
			return wd != time.Saturday && wd != time.Sunday && !holiday[d]
		}
		for range 20 {
			from := base.AddDays(rng.IntN(400))
			n := rng.IntN(81) - 40
			want := from
			for k := n; k != 0; {
				if k > 0 {
					want = want.AddDays(1)
					if business(want) {
						k--
					}
				} else {
					want = want.AddDays(-1)
					if business(want) {
						k++
					}
				}
			}
			if got := cal.AddBusinessDays(from, n); got != want {
				t.Fatalf("AddBusinessDays(%s, %d) = %s, want %s (holidays %v)", from, n, got, want, hs)
			}
			if got := cal.IsBusinessDay(from); got != business(from) {
				t.Fatalf("IsBusinessDay(%s) = %v", from, got)
			}
			to := base.AddDays(rng.IntN(400))
			between := 0
			for d := from; d.Before(to); {
				d = d.AddDays(1)
				if business(d) {
					between++
				}
			}
			for d := to; d.Before(from); {
				d = d.AddDays(1)
				if business(d) {
					between--
				}
			}
			if got := cal.BusinessDaysBetween(from, to); got != between {
				t.Fatalf("BusinessDaysBetween(%s, %s) = %d, want %d", from, to, got, between)
			}
		}
	}
}

func TestSignBy(t *testing.T) {
	tests := []struct {
		goLive     string
		onboarding int
		holidays   []string
		want       string
	}{
		// The system is live on go-live day; onboarding ends the business
		// day before. A Saturday go-live is treated like the Monday after it.
		{"2026-08-01", 30, nil, "2026-06-19"},
		{"2026-08-03", 30, nil, "2026-06-19"},
		{"2026-07-31", 30, nil, "2026-06-18"},
		{"2026-08-01", 30, []string{"2026-07-03"}, "2026-06-18"},
		{"2026-08-03", 0, nil, "2026-07-31"},
		{"2026-08-03", -5, nil, "2026-07-31"},
	}
	for _, tt := range tests {
		var hs []deal.Date
		for _, h := range tt.holidays {
			hs = append(hs, day(t, h))
		}
		if got := SignBy(day(t, tt.goLive), tt.onboarding, NewCalendar(hs...)); got != day(t, tt.want) {
			t.Errorf("SignBy(%s, %d) = %s, want %s", tt.goLive, tt.onboarding, got, tt.want)
		}
	}
}
