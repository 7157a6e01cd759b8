package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/maproom/maproom/internal/reply"
)

// WriteTable writes the per-deal report as aligned text for a terminal.
// With color, severities and states are coloured with ANSI escapes; the
// caller decides (colour only on a terminal, never with NO_COLOR set).
func (r *Report) WriteTable(w io.Writer, color bool) error {
	t := &textOut{w: bufio.NewWriter(w), color: color}
	t.header(r)
	for i := range r.Deals {
		t.deal(r, &r.Deals[i])
	}
	if len(r.Deals) == 0 {
		t.line("No deal to report.")
	}
	return t.w.Flush()
}

// WritePortfolioTable writes the portfolio as aligned text.
func (r *Report) WritePortfolioTable(w io.Writer, color bool) error {
	t := &textOut{w: bufio.NewWriter(w), color: color}
	t.header(r)
	t.portfolio(r.Portfolio)
	return t.w.Flush()
}

// ANSI colours.
const (
	ansiRed    = "31"
	ansiYellow = "33"
	ansiGreen  = "32"
	ansiBold   = "1"
	ansiDim    = "2"
)

type textOut struct {
	w     *bufio.Writer
	color bool
}

func (t *textOut) paint(code, s string) string {
	if !t.color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (t *textOut) line(format string, args ...any) {
	t.w.WriteString(terminalText(fmt.Sprintf(format, args...), t.color))
	t.w.WriteByte('\n')
}

// sgr matches the colour codes the table writes (paint).
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// terminalText makes a line of the table safe for a terminal: text from
// the plans (a title, a name) holding a line break, a carriage return or
// another control character would break the table's lines or move the
// cursor, so each is a space; of the escape sequences, only colour codes
// are kept, and only when the table is coloured.
func terminalText(s string, color bool) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				return ' '
			}
			return r
		}, s)
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return s
	}
	if !color {
		return clean(s)
	}
	var b strings.Builder
	last := 0
	for _, m := range sgr.FindAllStringIndex(s, -1) {
		b.WriteString(clean(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(clean(s[last:]))
	return b.String()
}

// milestoneLate says how late a milestone not reached is: "26 calendar
// days late (alert)", the grade left out under the flag.
func milestoneLate(m MilestoneProgress) string {
	s := plural(m.DaysLate, "calendar day", "calendar days") + " late"
	if m.Severity != SeverityLate {
		s += " (" + m.Severity + ")"
	}
	return s
}

func severityColor(s string) string {
	switch s {
	case SeverityAlert:
		return ansiRed
	case SeverityFlag:
		return ansiYellow
	}
	return ""
}

// cell is one table cell: its text and its colour.
type cell struct{ text, color string }

func textCell(s string) cell         { return cell{text: s} }
func paintCell(s, color string) cell { return cell{text: s, color: color} }
func numCell(n int) cell             { return cell{text: fmt.Sprint(n)} }

// PadRight pads s with spaces to n terminal cells (TextWidth), so that
// columns line up in any script.
func PadRight(s string, n int) string { return s + strings.Repeat(" ", max(0, n-TextWidth(s))) }

// TextWidth is how many terminal cells s takes: two for an East Asian Wide
// or Fullwidth character (林, Ａ), none for a combining mark or a format
// character (the accent of a decomposed é, a zero-width space), one for
// any other.
func TextWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			n++
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case wide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

// wide reports whether r is East Asian Wide or Fullwidth.
func wide(r rune) bool {
	k := width.LookupRune(r).Kind()
	return k == width.EastAsianWide || k == width.EastAsianFullwidth
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// table writes rows aligned in columns two spaces apart, indented by two;
// the first row is the header. Colour escapes do not count in the widths.
func (t *textOut) table(rows [][]cell) {
	var widths []int
	for _, r := range rows {
		for i := range r {
			r[i].text = terminalText(r[i].text, false) // measured as printed
		}
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], TextWidth(c.text))
		}
	}
	for ri, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			text := c.text
			if i < len(r)-1 {
				text = PadRight(text, widths[i])
			}
			code := c.color
			if ri == 0 {
				code = ansiDim
			}
			b.WriteString(t.paint(code, text))
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		t.line("%s", strings.TrimRight(b.String(), " "))
	}
}

func (t *textOut) header(r *Report) {
	title := "maproom report"
	if r.Title != "" {
		title = r.Title
	}
	t.line("%s, %s (%s)", t.paint(ansiBold, title), r.Today, r.Timezone)
	in := r.Input
	s := fmt.Sprintf("events: %d read from %s%s, %s", in.Events, plural(in.Files, "file", "files"), leftOut(in), plural(in.Visits, "human-verified visit", "human-verified visits"))
	if in.Scanner > 0 {
		s += ", " + plural(in.Scanner, "scanner-like page-load", "scanner-like page-loads") + " not counted"
	}
	if in.Duplicates > 0 {
		s += fmt.Sprintf(", %d duplicates dropped", in.Duplicates)
	}
	if r.Since != "" {
		s += ", since " + r.Since
	}
	t.line("%s", s)
	for _, w := range reportNotes(r) {
		t.line("%s", t.paint(ansiYellow, w))
	}
}

// leftOut says, after the count of events read, how many of them the
// figures leave out and why: " (52 left out: 32 outside the report's
// days, 20 of a deal or person the content no longer has)", and those of
// other deals (-deal) and of the local preview; "" when none.
func leftOut(in InputStats) string {
	var why []string
	if in.OutsideDates > 0 {
		why = append(why, fmt.Sprintf("%d outside the report's days", in.OutsideDates))
	}
	if in.OtherDeals > 0 {
		why = append(why, fmt.Sprintf("%d of other deals", in.OtherDeals))
	}
	if in.Unknown > 0 {
		why = append(why, fmt.Sprintf("%d of a deal or person the content no longer has", in.Unknown))
	}
	if in.LocalPreview > 0 {
		why = append(why, fmt.Sprintf("%d of the local preview (maproom serve)", in.LocalPreview))
	}
	if len(why) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d left out: %s)", in.OutsideDates+in.OtherDeals+in.Unknown+in.LocalPreview, strings.Join(why, ", "))
}

// inputWarnings say, in every format, what makes the engagement figures
// partial or absent: no events read at all, lines skipped, events out of
// order.
func inputWarnings(in InputStats) []string {
	var out []string
	if in.PlansOnly {
		out = append(out, "no event log was read: this report is of the plans only; who visited and what they read is not known")
	}
	if in.Corrupt > 0 {
		w := plural(in.Corrupt, "corrupt line", "corrupt lines") + " skipped"
		if len(in.CorruptAt) > 0 {
			w += ", the first: " + in.CorruptAt[0]
		}
		out = append(out, w+": the engagement figures leave them out")
	}
	if in.OutOfOrder > 0 {
		out = append(out, fmt.Sprintf("%s came over two days out of order: their copies may count twice; pass the log folders rather than concatenated files", plural(in.OutOfOrder, "event", "events")))
	}
	return out
}

// reportNotes is what a reader must know before the figures: inputWarnings,
// why the deals have no history, and the settings the report left out.
func reportNotes(r *Report) []string {
	out := inputWarnings(r.Input)
	if r.HistoryNote != "" {
		out = append(out, r.HistoryNote)
	}
	if n := len(r.SettingsErrors); n > 0 {
		out = append(out, fmt.Sprintf("the settings have %s, so the report leaves those settings out and uses their defaults (run maproom check): %s", plural(n, "error", "errors"), strings.Join(r.SettingsErrors, "; ")))
	}
	return out
}

// closeText describes the close date.
func closeText(d *DealReport) string {
	if d.DaysToClose == nil {
		return "no close date"
	}
	n := *d.DaysToClose
	switch {
	case d.Outcome != "open":
		// The plan records how the deal ended, not when: the close date
		// is the plan's, not the day it was won or lost.
		return "close date " + d.Close
	case n > 0:
		return fmt.Sprintf("closes %s (in %s)", d.Close, plural(n, "day", "days"))
	case n == 0:
		return fmt.Sprintf("closes today, %s", d.Close)
	}
	return fmt.Sprintf("close date %s passed %s ago", d.Close, plural(-n, "day", "days"))
}

// dealProgressText is the deal's progress line: progressText and, for a
// plan with onboarding milestones (after the close), the sale's and the
// onboarding's counts apart, as the portfolio counts the sale's alone.
func dealProgressText(d *DealReport) string {
	s := progressText(d.Progress)
	ob, obDone := 0, 0
	for _, m := range d.Milestones {
		if m.Onboarding {
			ob += m.Progress.Total
			obDone += m.Progress.Done
		}
	}
	if ob > 0 {
		done, total := saleProgress(d)
		s += fmt.Sprintf(" (sale %d/%d, onboarding %d/%d)", done, total, obDone, ob)
	}
	return s
}

func progressText(p Progress) string {
	if p.Total == 0 {
		return "no task in the plan yet"
	}
	s := fmt.Sprintf("%d/%d tasks done (%d%%)", p.Done, p.Total, p.Percent)
	if p.Done > 0 {
		s += fmt.Sprintf(": %d on time, %d done late", p.DoneOnTime, p.DoneLate)
	}
	if p.Overdue > 0 {
		s += fmt.Sprintf("; %d overdue", p.Overdue)
	}
	return s
}

// checkShown is how many of a deal's check errors the report quotes.
const checkShown = 3

// checkLines quotes the first of the deal's check errors, and says how
// many more check gives.
func checkLines(d *DealReport) []string {
	n := min(len(d.CheckMessages), checkShown)
	out := slices.Clone(d.CheckMessages[:n])
	if more := max(d.CheckErrors, len(d.CheckMessages)) - n; more > 0 && n > 0 {
		out = append(out, "and "+strings.Replace(plural(more, "error", "errors"), " ", " more ", 1)+": maproom check lists them all")
	}
	return out
}

func planText(d *DealReport) string {
	switch d.Plan {
	case PlanNone:
		return "no plan (no milestones)"
	case PlanErrors:
		return fmt.Sprintf("plan fails check (%s): run maproom check", plural(d.CheckErrors, "error", "errors"))
	}
	return "plan ok"
}

// turnLate says how late the turn is, "" when it is not: the writers
// that have no markup of their own add it to turnText.
func turnLate(tn *Turn) string {
	if tn.DaysLate <= 0 {
		return ""
	}
	return fmt.Sprintf("; %s (%s)", turnLateWords(tn), tn.Severity)
}

// turnLateWords says how late the turn's step is: "15 calendar days
// late", or, when the move is the seller's on the buyer's answer, "the
// step is 15 calendar days late" (the seller is not late).
func turnLateWords(tn *Turn) string {
	s := plural(tn.DaysLate, "calendar day", "calendar days") + " late"
	if tn.Answer != nil {
		s = "the step is " + s
	}
	return s
}

// answerText says what a waiting reply answered of a step, and how to
// decide it: "Chris Champ reported it done on 2026-12-02 (sent
// 2026-12-02): accept or decline reply abc".
func answerText(an *Answer) string {
	what := "proposed " + an.Date
	if an.Kind == string(reply.Done) {
		what = "reported it done"
		if an.Date != "" {
			what += " on " + an.Date
		}
	}
	return fmt.Sprintf("%s %s (sent %s): accept or decline reply %s", an.Person, what, an.Sent, an.Reply)
}

func turnText(tn *Turn) string {
	if an := tn.Answer; an != nil {
		s := fmt.Sprintf("seller side: decide the reply on %q (%s's", tn.Title, tn.OwnerName)
		if tn.Due != "" {
			s += ", due " + tn.Due
		}
		return s + "): " + answerText(an)
	}
	s := fmt.Sprintf("%s side: %s, %q", tn.Side, tn.OwnerName, tn.Title)
	if tn.Side == "" {
		// An owner the plan does not name (a plan that fails check).
		s = fmt.Sprintf("%q, owned by %q, whom the plan does not name", tn.Title, tn.Owner)
		if tn.Due != "" {
			s += ","
		}
	}
	if tn.Due != "" {
		s += " due " + tn.Due
	}
	if tn.Critical {
		s += ", on the critical path"
	}
	if tn.HoldsUp != "" {
		s += " (" + tn.HoldsUp + " waits on it)"
	}
	return s
}

// scheduleText says what the schedule knows of the open work: a forecast
// from durations (in which a step with a date and no duration happens on
// its date), or, for a plan written with due dates, only the last open due
// date against the close date.
func scheduleText(s *ScheduleSummary, close string) string {
	if s.Basis == ScheduleDueDates {
		open := plural(s.Open, "open task", "open tasks")
		switch {
		case s.LastDue == "":
			return open + ", none with a due date or a duration: nothing tells when the work can finish"
		case close == "":
			return fmt.Sprintf("%s, the last due %s (%s); no close date", open, s.LastDue, s.LastDueTask)
		case s.ClosePassed && s.LastDue <= close:
			return fmt.Sprintf("%s, the last due %s (%s), still open after the close date %s", open, s.LastDue, s.LastDueTask, close)
		case !s.Fits:
			return fmt.Sprintf("%s, the last due %s (%s), %s after the close date %s", open, s.LastDue, s.LastDueTask,
				plural(s.OverrunDays, "business day", "business days"), close)
		case s.LastDue == close:
			return fmt.Sprintf("%s, the last due %s (%s), on the close date", open, s.LastDue, s.LastDueTask)
		}
		return fmt.Sprintf("%s, the last due %s (%s), before the close date %s", open, s.LastDue, s.LastDueTask, close)
	}
	switch {
	case !s.Fits:
		return fmt.Sprintf("the remaining work finishes %s at the earliest, %s after the close date", s.Finish, plural(s.OverrunDays, "business day", "business days"))
	case close == "":
		return fmt.Sprintf("the remaining work can finish %s; no close date", s.Finish)
	case s.Finish == close:
		return fmt.Sprintf("the remaining work can finish %s, on the close date", s.Finish)
	}
	return fmt.Sprintf("the remaining work can finish %s, before the close date", s.Finish)
}

// pathLabel names the schedule's chain of tasks: the critical path of a
// forecast from durations; for due dates, the work the last due date
// waits on (the turn and the task marks keep the critical path's name
// for that chain, as the rooms do).
func pathLabel(s *ScheduleSummary) string {
	if s.Basis == ScheduleDueDates {
		return "the chain to the last due"
	}
	return "critical path"
}

// ageText is a waiting reply's age.
func ageText(days int) string {
	if days == 0 {
		return "today"
	}
	return plural(days, "day", "days")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// day cuts an RFC 3339 stamp to its date.
func dateOnly(stamp string) string {
	if len(stamp) >= 10 {
		return stamp[:10]
	}
	return stamp
}

// hoursMinutes formats an active time: the seconds under a minute, else
// to the nearest minute (100 s is 2m, not 1m).
func hoursMinutes(sec int64) string {
	m := (sec + 30) / 60
	switch {
	case sec == 0:
		return "0"
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case m < 60:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// minutesSeconds formats a reading time to the second: 45s, 1m07s, 1h02m.
func minutesSeconds(sec int64) string {
	switch {
	case sec < 60:
		return fmt.Sprintf("%ds", sec)
	case sec < 3600:
		return fmt.Sprintf("%dm%02ds", sec/60, sec%60)
	}
	return fmt.Sprintf("%dh%02dm", sec/3600, sec%3600/60)
}

// repliedText is " (+ 2 replies)" for a person who replied from their
// room, "" for one who did not: a reply is engagement (report.go,
// StakeholderReport.Replies), shown beside the visits.
func repliedText(s *StakeholderReport) string {
	if s.Replies == 0 {
		return ""
	}
	return " (+ " + plural(s.Replies, "reply", "replies") + ")"
}

// openedText lists the documents s read: each with the visits that read it
// when more than one, and its reading time (none for a downloaded file).
func openedText(s *StakeholderReport) string {
	var parts []string
	for _, o := range s.Opened {
		p := o.ID
		if o.Times > 1 {
			p += fmt.Sprintf(" x%d", o.Times)
		}
		if o.ActiveSeconds > 0 {
			p += " " + minutesSeconds(o.ActiveSeconds)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func neverText(s *StakeholderReport) string {
	var parts []string
	for _, n := range s.NeverOpened {
		parts = append(parts, n.ID)
	}
	return strings.Join(parts, ", ")
}

func (t *textOut) deal(r *Report, d *DealReport) {
	t.line("")
	t.line("%s  %s", t.paint(ansiBold, d.Title), t.paint(ansiDim, d.ID))
	state := d.Outcome
	switch d.Outcome {
	case "won":
		state = t.paint(ansiGreen, "won")
	case "lost":
		state = t.paint(ansiRed, "lost")
	}
	planState := planText(d)
	if d.Plan != PlanOK {
		planState = t.paint(ansiYellow, planState)
	}
	t.line("  %s · %s · %s", state, closeText(d), planState)
	for _, l := range checkLines(d) {
		t.line("  error     %s", t.paint(ansiYellow, l))
	}
	if d.Value > 0 {
		t.line("  value     %s", money(d.Value))
	}
	t.line("  progress  %s", dealProgressText(d))
	if d.Week != nil {
		t.line("  week      %s: %s", weekSpan(d.Week), weekText(d.Week, d.Progress.Percent))
	}
	if d.Turn != nil {
		t.line("  turn      %s%s", turnText(d.Turn), turnLate(d.Turn))
	}
	if d.Schedule != nil {
		s := scheduleText(d.Schedule, d.Close)
		if !d.Schedule.Fits {
			s = t.paint(ansiRed, s)
		}
		t.line("  schedule  %s", s)
		t.line("            %s: %s", pathLabel(d.Schedule), strings.Join(d.Schedule.CriticalPath, " -> "))
	}
	for i, l := range historyLines(d.History) {
		if i == 0 {
			t.line("  history   %s", l)
		} else {
			t.line("            %s", l)
		}
	}
	if len(d.Signals) > 0 {
		t.line("")
		t.line("  %s", t.paint(ansiBold, "Warning signals"))
		for _, s := range d.Signals {
			t.line("  %s %s", t.paint(severityColor(s.Severity), PadRight(s.Severity, 5)), s.Summary)
			for _, e := range s.Evidence {
				t.line("        - %s", e)
			}
		}
	}
	if len(d.Replies) > 0 {
		t.line("")
		rows := [][]cell{{textCell("REPLY WAITING"), textCell("PERSON"), textCell("SIDE"), textCell("KIND"), textCell("ABOUT"), textCell("WHAT"), textCell("AGE")}}
		for i := range d.Replies {
			w := &d.Replies[i]
			rows = append(rows, []cell{textCell(w.ID), textCell(w.Person), textCell(orDash(w.Side)), textCell(w.Kind),
				textCell(shorten(w.About, 40)), textCell(shorten(replyWhat(w), 72)), textCell(ageText(w.AgeDays))})
		}
		t.table(rows)
		t.line("  %s", t.paint(ansiDim, fmt.Sprintf("accept, decline or answer them by id: maproom replies -deal %s lists them in full", d.ID)))
	}
	if len(d.Overdue) > 0 {
		t.line("")
		rows := [][]cell{{textCell("OVERDUE TASK"), textCell("OWNER"), textCell("SIDE"), textCell("DUE"), textCell("LATE (CALENDAR)"), textCell("SEVERITY"), textCell("STATUS")}}
		for _, o := range d.Overdue {
			due := o.Due
			if o.DueComputed {
				due += "*"
			}
			task := o.Task
			switch {
			case o.Critical && o.WaitsOn != "":
				task += " (critical, waits on " + o.WaitsOn + ")"
			case o.Critical:
				task += " (critical)"
			case o.WaitsOn != "":
				task += " (waits on " + o.WaitsOn + ")"
			}
			rows = append(rows, []cell{textCell(task), textCell(o.OwnerName), textCell(o.Side), textCell(due), textCell(plural(o.DaysLate, "day", "days")),
				paintCell(o.Severity, severityColor(o.Severity)), textCell(o.StatusLine())})
		}
		t.table(rows)
		if slices.ContainsFunc(d.Overdue, func(o OverdueTask) bool { return o.DueComputed }) {
			t.line("  %s", t.paint(ansiDim, "* a date the schedule computed: the task has no due date of its own"))
		}
	}
	if len(d.Milestones) > 0 {
		t.line("")
		rows := [][]cell{{textCell("MILESTONE"), textCell("DUE"), textCell("LEAD"), textCell("DONE"), textCell("ON TIME"), textCell("DONE LATE"), textCell("OVERDUE"), textCell("STATE")}}
		for _, m := range d.Milestones {
			state, color := fmt.Sprintf("%d%%", m.Progress.Percent), ""
			if m.Done {
				state, color = "done "+m.DoneOn, ansiGreen
			} else if m.DaysLate > 0 {
				state, color = state+", "+milestoneLate(m), severityColor(m.Severity)
			} else if m.Progress.Overdue > 0 {
				color = ansiYellow
			}
			title := m.Title
			if m.Onboarding {
				title += " (onboarding)"
			}
			rows = append(rows, []cell{textCell(title), textCell(m.Due), textCell(m.LeadName), textCell(fmt.Sprintf("%d/%d", m.Progress.Done, m.Progress.Total)),
				numCell(m.Progress.DoneOnTime), numCell(m.Progress.DoneLate), numCell(m.Progress.Overdue), paintCell(state, color)})
		}
		t.table(rows)
	}
	if len(d.Stakeholders) > 0 {
		t.line("")
		first := "FIRST"
		if r.Since != "" {
			first = "FIRST FROM " + r.Since // the days before were not read
		}
		rows := [][]cell{{textCell("STAKEHOLDER"), textCell("ROLE"), textCell("VISITS"), textCell(first), textCell("LAST"), textCell("ACTIVE"), textCell("NETWORKS"), textCell("SCANNER"), textCell("READ (TIME)"), textCell("NEVER READ")}}
		for i := range d.Stakeholders {
			s := &d.Stakeholders[i]
			name := s.Name
			if !s.Room {
				name += " (no room)"
			}
			visits := paintCell(fmt.Sprint(s.Visits), "")
			if s.Visits == 0 && s.Replies == 0 {
				visits.color = ansiYellow
			}
			if s.OldLinkVisits > 0 {
				visits.text += fmt.Sprintf(" (%d old link)", s.OldLinkVisits)
			}
			visits.text += repliedText(s)
			rows = append(rows, []cell{textCell(name), textCell(s.Role), visits, textCell(dateOnly(s.FirstVisit)), textCell(dateOnly(s.LastVisit)), textCell(hoursMinutes(s.ActiveSeconds)),
				numCell(s.Networks), numCell(s.Scanner), textCell(openedText(s)), textCell(neverText(s))})
		}
		t.table(rows)
		if d.SellerPreviews > 0 {
			t.line("  %s", t.paint(ansiDim, fmt.Sprintf("seller-side previews (not engagement): %d", d.SellerPreviews)))
		}
	}
	if len(d.Activity) > 0 {
		t.line("")
		rows := [][]cell{{textCell("ACTIVITY"), textCell("WHO"), textCell("WHAT")}}
		for _, a := range d.Activity {
			rows = append(rows, []cell{textCell(activityDay(a.Time)), textCell(a.Who), textCell(a.What)})
		}
		t.table(rows)
	}
}

func (t *textOut) portfolio(p *Portfolio) {
	t.line("")
	t.line("%s  %s: %d open, %d won, %d lost; pipeline %s (committed %s: a current plan that passes check, fits before its close, no step late at alert on its critical path or holding up late work, none blocked that the close waits on, not flat, the buyer owning steps, %s, its close ahead), won %s", t.paint(ansiBold, "Portfolio"), plural(p.Deals, "deal", "deals"), p.Open, p.Won, p.Lost, money(p.Pipeline), money(p.Committed), publishedText(p), money(p.WonValue))
	t.line("  coverage     %s of recent deals (open, or ended in the last 90 days) run with a plan (at least one milestone, as in the win rates)", ratioText(p.Coverage))
	t.line("  completion   %s of the tasks of ended deals' plans done", ratioText(p.Completion))
	t.line("  win rate     %s with a plan, %s without", ratioText(p.WinRateWithPlan), ratioText(p.WinRateWithoutPlan))
	for _, b := range p.BySize {
		t.line("    %-17s %s with a plan, %s without", b.Label()+":", ratioText(b.WithPlan), ratioText(b.WithoutPlan))
	}
	if h := p.History; h != nil {
		t.line("  history      buyer-side edits in %s of the plans git holds from while their deal was open; median slip %s; win rate %s with buyer edits, %s without",
			ratioText(h.WithBuyerEdits), medianSlipText(h), ratioText(h.WinRateWithBuyerEdits), ratioText(h.WinRateWithoutBuyerEdits))
		if s := shallowText(h); s != "" {
			t.line("               %s", s)
		}
	}
	if p.WinRateWithPlan.Den+p.WinRateWithoutPlan.Den < 10 {
		t.line("               %s", t.paint(ansiDim, "(few ended deals: read the win rates as anecdotes)"))
	}
	t.line("")
	if len(p.Ranking) == 0 {
		t.line("  No deal needs attention.")
		return
	}
	t.line("  %s  %s", t.paint(ansiBold, "Needs attention first"), t.paint(ansiDim, "("+rankingNote(p)+")"))
	rows := [][]cell{{textCell("#"), textCell("DEAL"), textCell("PRIORITY"), textCell("CLOSE"), textCell("POINTS × SIZE"), textCell("WHY")}}
	for _, d := range p.Ranking {
		rows = append(rows, []cell{numCell(d.Rank), textCell(d.Deal), textCell(decimal(d.Priority)), textCell(rankClose(d)),
			textCell(weighedText(d, p.SizeMedian)), textCell(reasonsText(d.Reasons, 3))})
	}
	t.table(rows)
}

// rankingNote says what orders the ranking: the priority, attention points
// times size, and the median value the sizes are weighed against.
func rankingNote(p *Portfolio) string {
	if p.SizeMedian == 0 {
		return fmt.Sprintf("by attention points: fewer than %d open deals have a value to weigh their size by", sizeMinDeals)
	}
	return fmt.Sprintf("by priority: attention points × size, the deal's value against the open deals' median value %s, clipped to 0.5–3", money(p.SizeMedian))
}

// weighedText says what makes a ranked deal's priority: "27 points × 2.5
// (size)". A weight of 1 for a deal without a value, a won deal's
// onboarding, or no median to weigh against says why.
func weighedText(d RankedDeal, median int64) string {
	why := "size"
	switch {
	case d.Onboarding:
		why = "won: onboarding"
	case d.Value <= 0:
		why = "no value"
	case median == 0:
		why = "no median"
	}
	return fmt.Sprintf("%s × %s (%s)", plural(d.Score, "point", "points"), decimal(d.SizeWeight), why)
}

// decimal writes a size weight or a priority as short as it is: 3, 2.5,
// 0.67.
func decimal(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// rankClose is the close column of a ranked deal: when an open deal
// closes, or that a won one is in onboarding.
func rankClose(d RankedDeal) string {
	switch {
	case d.Onboarding:
		return "won: onboarding"
	case d.DaysToClose != nil:
		return closeIn(*d.DaysToClose)
	}
	return ""
}

// closeIn says when an open deal closes, counted from today: "in 12
// days", "today" or "11 days ago" for a close date already passed.
func closeIn(days int) string {
	switch {
	case days > 0:
		return "in " + plural(days, "day", "days")
	case days == 0:
		return "today"
	}
	return plural(-days, "day", "days") + " ago"
}

func ratioText(r Ratio) string {
	if r.Percent == nil {
		return "n/a (0 of 0)"
	}
	return fmt.Sprintf("%d%% (%d of %d)", *r.Percent, r.Num, r.Den)
}

// reasonsText lists the first n reasons, heaviest first.
func reasonsText(rs []AttentionReason, n int) string {
	sorted := append([]AttentionReason(nil), rs...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].Points > sorted[j-1].Points; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var parts []string
	for i, r := range sorted {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(sorted)-n))
			break
		}
		parts = append(parts, r.Why)
	}
	return strings.Join(parts, "; ")
}

// valueText is " · value 380,000", or "" for a deal without a value.
func valueText(v int64) string {
	if v <= 0 {
		return ""
	}
	return " · value " + money(v)
}

// publishedText is how the committed pipeline's rule on publication reads:
// known from the room manifest, or not known without one.
func publishedText(p *Portfolio) string {
	if p.PublishedUnknown {
		return "published to the buyer (not known: no room manifest was read)"
	}
	return "published to the buyer"
}
