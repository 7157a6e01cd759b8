package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/ics"
)

// ReviewCalendar is the weekly MAP review of d as an .ics file, the same
// event (same UID, start, length and end of the series) that a room's
// calendar.ics holds, so a calendar that imports both keeps one: the first
// review on or after today at the review's time in loc, weekly until the
// day deal.ReviewSeries gives. nil when d holds no review (no review day,
// lost, or won with no onboarding work left).
func ReviewCalendar(d *deal.Deal, loc *time.Location, today deal.Date, holidays []deal.Date) []byte {
	start, until, skipped, ok := d.ReviewMeetings(today, loc, holidays)
	if !ok {
		return nil
	}
	day := deal.DateOf(start)
	sum := sha256.Sum256([]byte(strings.Join([]string{d.ID, "review"}, "\x00")))
	ev := ics.Event{
		UID: hex.EncodeToString(sum[:12]) + "@maproom", Summary: "MAP review: " + d.Title, Start: start, Length: d.Review.Length,
		Weekly: !until.Before(day), Until: until.Time(), Except: skipped,
		Description: d.Review.Agenda(),
		// One more each day a calendar is made: a review moved since (its
		// day, time or length) replaces the one a calendar holds, in
		// clients that compare sequences.
		Sequence: ics.DaySequence(today.Time()),
	}
	return ics.Calendar(d.Title, today.Time(), []ics.Event{ev})
}

// reviewPhrase says when the review is: "on Tuesdays at 15:00
// (Europe/London), for 15 minutes"; "" without one.
func reviewPhrase(d *deal.Deal, tz string) string {
	if _, ok := d.ReviewSeries(); !ok {
		return ""
	}
	s := fmt.Sprintf("on %ss at %s (%s)", d.Review.Day, d.Review.Time, tz)
	if m := int(d.Review.Length.Minutes()); m > 0 {
		s += fmt.Sprintf(", for %d minutes", m)
	}
	return s
}
