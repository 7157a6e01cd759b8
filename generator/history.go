package generator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/handoff"
	"github.com/maproom/maproom/internal/history"
)

// DecodePlan decodes one version of a deal's index.md, as read from git,
// with the loader's own decoder (the strict frontmatter decoding and the
// conversion to a deal; no file is read and nothing date-relative is
// checked). id is the deal's folder name. It fails when the version has an
// error the loader would report, naming the first one.
func DecodePlan(id string, src []byte) (*deal.Deal, error) {
	var ps Problems
	file := filepath.Join(ContentDir, id, BundleIndex)
	col := collector{file: file, ps: &ps}
	r, li, body := decodeDeal(src, col)
	if r == nil {
		return nil, firstError(ps)
	}
	d := convert(r, id, file, body, li, col)
	if err := firstError(ps); err != nil {
		return nil, err
	}
	return d, nil
}

func firstError(ps Problems) error {
	for _, p := range ps {
		if p.Severity == Error {
			return errors.New(p.Error())
		}
	}
	return nil
}

// History holds the thresholds of the signals the plans' git history
// tells (maproom.toml [history]); 0 takes the default in each comment.
type History struct {
	BuyerEditDays int `toml:"buyer_edit_days"` // a plan this many days old with no buyer-side edit is signalled: 14
	FlatDays      int `toml:"flat_days"`       // completion unchanged this many days is: 21
	Slips         int `toml:"slips"`           // a milestone moved later this many times is: 2
	MissedReviews int `toml:"missed_reviews"`  // this many weekly reviews in a row without a note are: 3
	LateAddDays   int `toml:"late_add_days"`   // a step added this close to the close date is: 30
}

// Thresholds returns the settings as the history's signals take them.
func (h History) Thresholds() history.Thresholds {
	return history.Thresholds{BuyerEditDays: h.BuyerEditDays, FlatDays: h.FlatDays, Slips: h.Slips, MissedReviews: h.MissedReviews, LateAddDays: h.LateAddDays}.WithDefaults()
}

func (h History) check(src []byte, col collector) {
	for _, e := range []struct {
		key string
		n   int
	}{{"buyer_edit_days", h.BuyerEditDays}, {"flat_days", h.FlatDays}, {"slips", h.Slips}, {"missed_reviews", h.MissedReviews}, {"late_add_days", h.LateAddDays}} {
		if e.n < 0 {
			col.errorf(tomlKeyLine(src, toml.Key{"history", e.key}), "[history] %s = %d: give a positive number, or leave it out for the default", e.key, e.n)
		}
	}
}

// RoomChanges is how many of the plan's latest changes a room lists, and
// RoomLog how many review notes, the latest first: a room stays small.
const (
	RoomChanges = 5
	RoomLog     = 6
)

// historyView is what a room shows of the plan's story: its latest changes
// this person may see, and the meeting log (the review notes). The zero
// value shows nothing.
type historyView struct {
	Changes []changeLine
	Log     []meetingView
}

// changeLine is one change of the plan, in words. Who names the buyer-side
// person who made it (their commit or their accepted reply), "" for the
// seller's own edits.
type changeLine struct {
	Day, DayLabel string
	What          string
	Who           string
	Reply         bool
	// Said and Link are what the buyer wrote with the reply that made the
	// change, as the room may show it (joinChanges); reply is its id.
	Said, Link string
	reply      string
}

// meetingView is one review note: its day and its paragraphs, as text.
type meetingView struct {
	Day, DayLabel string
	Paras         []string
}

// newHistoryView builds the story part of stakeholder s's room of bundle b
// from the deal's story (nil outside git) and the bundle's review notes
// (reviews/YYYY-MM-DD.md, read by handoff.ReadReviews). Only what s may
// see is listed: every change to the plan's tasks, milestones and dates
// (the room shows the whole plan), a document added only when s is in its
// audience now. A lost deal's room keeps its log but lists no change.
func newHistoryView(b *Bundle, st *history.Story, s *deal.Stakeholder, loc *time.Location, today deal.Date) (historyView, error) {
	var v historyView
	d := b.Deal
	if st != nil && !d.Closed() {
		for i := len(st.Changes) - 1; i >= 0 && len(v.Changes) < RoomChanges; i-- {
			c := st.Changes[i]
			day := history.DayOf(c.InPlan(), loc) // when it came into the plan
			if day.After(today) || c.Kind == history.PlanCreated {
				continue
			}
			if c.Kind == history.PlanEdited && c.Author.Side != deal.Buyer {
				// The seller's edits of fields no room shows (a value, a
				// note) are no change of the plan the person sees; a
				// buyer's rewording is theirs to see.
				continue
			}
			if c.Kind == history.DocAdded {
				visible := false
				for _, col := range d.Collateral {
					if col.ID == c.Item && col.CanSee(*s) {
						visible = true
					}
				}
				if !visible {
					continue
				}
			}
			line := changeLine{Day: day.String(), DayLabel: dateLabel(day), What: changeWhat(c, d, day), Reply: c.Reply != "", reply: c.Reply}
			if c.Author.Side == deal.Buyer {
				line.Who = c.Author.NameIn(d)
			}
			v.Changes = append(v.Changes, line)
		}
	}
	notes, err := handoff.ReadReviews(b.Dir)
	if err != nil {
		return v, err
	}
	for i := len(notes) - 1; i >= 0 && len(v.Log) < RoomLog; i-- {
		day, err := deal.ParseDate(notes[i].Day)
		if err != nil || day.After(today) {
			continue
		}
		paras := handoff.Paragraphs(notes[i].Text)
		if len(paras) == 0 {
			continue // nothing to read (empty, or comments only)
		}
		v.Log = append(v.Log, meetingView{Day: notes[i].Day, DayLabel: dateLabel(day), Paras: paras})
	}
	return v, nil
}

// changeWhat says a change of deal d's plan in words, as the rooms show
// it (people by their names in d now); on is the day the room dates it.
func changeWhat(c history.Change, d *deal.Deal, on deal.Date) string {
	day := func(s string) string {
		d, err := deal.ParseDate(s)
		if err != nil {
			return s
		}
		return dateLabel(d)
	}
	switch c.Kind {
	case history.TaskDue, history.MilestoneDue:
		kind := "Step"
		if c.Kind == history.MilestoneDue {
			kind = "Milestone"
		}
		switch {
		case c.From == "":
			return fmt.Sprintf("%s \"%s\" dated %s", kind, c.Title, day(c.To))
		case c.To == "":
			return fmt.Sprintf("%s \"%s\" no longer has its own date (was %s)", kind, c.Title, day(c.From))
		case c.Days > 0:
			return fmt.Sprintf("%s \"%s\" moved later, from %s to %s", kind, c.Title, day(c.From), day(c.To))
		}
		return fmt.Sprintf("%s \"%s\" moved earlier, from %s to %s", kind, c.Title, day(c.From), day(c.To))
	case history.TaskStatus:
		s := fmt.Sprintf("Step \"%s\" is now %s (was %s)", c.Title, strings.ToLower(statusLabels[deal.Status(c.To)]), strings.ToLower(statusLabels[deal.Status(c.From)]))
		if t, ok := d.Task(c.Item); ok && c.To == string(deal.Done) && t.Status == deal.Done && !t.Done.IsZero() && t.Done != on {
			// Recorded later than it was done (an accepted reply, say):
			// the day it was done, as the plan gives it.
			s += ", done " + dateLabel(t.Done)
		}
		return s
	case history.TaskAdded:
		return fmt.Sprintf("Step \"%s\" added", c.Title)
	case history.TaskRemoved:
		return fmt.Sprintf("Step \"%s\" taken out of the plan", c.Title)
	case history.MilestoneAdded:
		return fmt.Sprintf("Milestone \"%s\" added", c.Title)
	case history.CloseMoved:
		return fmt.Sprintf("Target signature date moved from %s to %s", day(c.From), day(c.To))
	case history.DocAdded:
		return fmt.Sprintf("Document \"%s\" shared", c.Title)
	case history.TaskOwner:
		name := func(id string) string {
			if p, ok := d.Stakeholder(id); ok {
				return p.Name
			}
			if r, ok := strings.CutPrefix(id, "role:"); ok {
				return "the " + strings.ReplaceAll(r, "-", " ") + " (not yet named)"
			}
			return id
		}
		return fmt.Sprintf("Step \"%s\" handed from %s to %s", c.Title, name(c.From), name(c.To))
	case history.TaskRetitled:
		return fmt.Sprintf("Step \"%s\" renamed \"%s\"", c.From, c.To)
	case history.MilestoneRetitled:
		return fmt.Sprintf("Milestone \"%s\" renamed \"%s\"", c.From, c.To)
	case history.PlanEdited:
		return "The plan's wording was edited"
	case history.OutcomeSet:
		switch deal.Outcome(c.To) {
		case deal.Won:
			return "The deal was signed"
		case deal.Lost:
			return "The deal was closed without a purchase"
		}
		return "The deal is open again"
	}
	return string(c.Kind)
}

// historyFingerprint is what a deal's rooms show of its history, for the
// build's fingerprint: the latest changes and the review notes' names and
// sizes (a note edited or added renders the rooms again).
func historyFingerprint(b *Bundle, st *history.Story) string {
	var parts []string
	if st != nil {
		from := max(0, len(st.Changes)-RoomChanges-8) // a few more than shown: some are hidden from some rooms
		for _, c := range st.Changes[from:] {
			parts = append(parts, c.Commit, string(c.Kind), c.Item)
		}
	}
	if ents, err := os.ReadDir(filepath.Join(b.Dir, handoff.ReviewsDir)); err == nil {
		for _, e := range ents {
			if fi, err := e.Info(); err == nil {
				parts = append(parts, e.Name(), fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()))
			}
		}
	}
	return fingerprint(parts...)
}
