package schedule

import (
	"slices"
	"sort"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// Calendar says which days are business days: Monday to Friday, less a list
// of holidays. The zero Calendar has no holidays. A Calendar is never
// modified once made, so it may be copied freely and used from several
// goroutines at once.
//
// Every method takes O(log h) time or better for h holidays, whatever the
// distance between the dates involved.
type Calendar struct {
	holidays []int // weekday holidays as day numbers, sorted, no repeats
}

// NewCalendar returns the calendar whose business days are Monday to Friday
// except the given holidays. Holidays that fall on a weekend, repeated ones
// and zero Dates are ignored; their order does not matter.
func NewCalendar(holidays ...deal.Date) Calendar {
	hs := make([]int, 0, len(holidays))
	for _, h := range holidays {
		if h.IsZero() {
			continue
		}
		if x := dayNumber(h); isWeekday(x) {
			hs = append(hs, x)
		}
	}
	slices.Sort(hs)
	return Calendar{holidays: slices.Compact(hs)}
}

// IsBusinessDay reports whether d is a weekday and not a holiday.
func (c Calendar) IsBusinessDay(d deal.Date) bool { return c.isBusiness(dayNumber(d)) }

// AddBusinessDays returns the n-th business day after d when n > 0, the
// |n|-th business day before d when n < 0, and d itself when n is 0. d
// need not be a business day; the result is one unless n is 0. So
// AddBusinessDays(friday, 1) is the next Monday, AddBusinessDays(saturday,
// 1) too, and AddBusinessDays(saturday, -1) is the Friday before it.
func (c Calendar) AddBusinessDays(d deal.Date, n int) deal.Date {
	x := dayNumber(d)
	switch {
	case n > 0:
		return dateOf(c.find(c.count(x) + n))
	case n < 0:
		return dateOf(c.find(c.count(x-1) + n + 1))
	}
	return d
}

// BusinessDaysBetween returns the number of business days after a up to and
// including b when a is not after b, and minus the number of business days
// after b up to and including a otherwise. For business days a and b,
// AddBusinessDays(a, BusinessDaysBetween(a, b)) == b.
func (c Calendar) BusinessDaysBetween(a, b deal.Date) int {
	return c.count(dayNumber(b)) - c.count(dayNumber(a))
}

// The scheduler works on day numbers (days since 1970-01-01, a Thursday)
// and on business-day indexes: count(x) is the number of business days up
// to and including day x, counted from an arbitrary origin, so the business
// days between two days are a subtraction and the k-th business day is
// find(k).

// dayNumber returns d as the number of days since 1970-01-01.
func dayNumber(d deal.Date) int { return int(floorDiv64(d.Time().Unix(), 86400)) }

// dateOf returns the Date of day number x.
func dateOf(x int) deal.Date { return deal.NewDate(1970, time.January, 1+x) }

// isWeekday reports whether day x is Monday to Friday. Day -3, 1969-12-29,
// was a Monday.
func isWeekday(x int) bool { return floorMod(x+3, 7) < 5 }

// weekdays returns the number of weekdays from day -3 (a Monday) up to and
// including day x, extended below day -3 so that weekdays(x)-weekdays(x-1)
// is 1 exactly when x is a weekday.
func weekdays(x int) int {
	m := x + 3
	return 5*floorDiv(m, 7) + min(floorMod(m, 7)+1, 5)
}

// holidaysUpTo returns the number of holidays on or before day x.
func (c Calendar) holidaysUpTo(x int) int { return sort.SearchInts(c.holidays, x+1) }

func (c Calendar) isBusiness(x int) bool {
	if !isWeekday(x) {
		return false
	}
	i := sort.SearchInts(c.holidays, x)
	return i == len(c.holidays) || c.holidays[i] != x
}

// count returns the business-day index of day x: the number of business
// days up to and including x from the calendar's origin. It grows by one on
// each business day and stays flat on other days.
func (c Calendar) count(x int) int { return weekdays(x) - c.holidaysUpTo(x) }

// find returns the business day whose index is k: the first day x with
// count(x) >= k.
func (c Calendar) find(k int) int {
	// weekdays(x) >= count(x), so no day before the k-th weekday can do;
	// each holiday before a guess pushes the answer one weekday later. A
	// few rounds of that settle it unless holidays are packed together.
	lo := kthWeekday(k)
	for range 4 {
		if c.count(lo) >= k {
			return lo
		}
		lo = kthWeekday(k + c.holidaysUpTo(lo))
	}
	if c.count(lo) >= k {
		return lo
	}
	// Gallop, then bisect (lo, hi].
	hi := lo + 1
	for step := 1; c.count(hi) < k; step *= 2 {
		lo, hi = hi, hi+step
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if c.count(mid) >= k {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// kthWeekday returns the first day x with weekdays(x) >= k.
func kthWeekday(k int) int {
	q := floorDiv(k-1, 5)
	return 7*q + (k - 1 - 5*q) - 3
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }

func floorDiv64(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
