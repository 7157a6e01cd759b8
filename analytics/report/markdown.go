package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the per-deal report as Markdown (GitHub-flavoured
// tables) that pastes into a CRM note or a chat.
func (r *Report) WriteMarkdown(w io.Writer) error {
	m := &mdOut{w: bufio.NewWriter(w), since: r.Since}
	m.header(r)
	for i := range r.Deals {
		m.deal(&r.Deals[i])
	}
	return m.w.Flush()
}

// WritePortfolioMarkdown writes the portfolio as Markdown.
func (r *Report) WritePortfolioMarkdown(w io.Writer) error {
	m := &mdOut{w: bufio.NewWriter(w)}
	m.header(r)
	m.portfolio(r.Portfolio)
	return m.w.Flush()
}

type mdOut struct {
	w     *bufio.Writer
	since string // the report's -since day: its first visits count from it
}

func (m *mdOut) line(format string, args ...any) {
	fmt.Fprintf(m.w, format, args...)
	m.w.WriteByte('\n')
}

// mdEscape makes s safe in Markdown text and table cells, where it never
// starts a line: a backslash keeps "<" from opening HTML or an autolink
// and reads as itself in the plain text, and ">", a blockquote only at
// the start of a line, stays as typed ("->" reads "->", not "-&gt;").
var mdEscape = strings.NewReplacer(`\`, `\\`, `|`, `\|`, `*`, `\*`, `_`, `\_`, "`", "\\`", `[`, `\[`, `]`, `\]`,
	`<`, `\<`, "\n", " ")

func md(s string) string { return mdEscape.Replace(s) }

func (m *mdOut) table(head []string, rows [][]string) {
	m.line("| %s |", strings.Join(head, " | "))
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	m.line("|%s|", strings.Join(seps, "|"))
	for _, r := range rows {
		for i := range r {
			if r[i] == "" {
				r[i] = " "
			}
		}
		m.line("| %s |", strings.Join(r, " | "))
	}
	m.line("")
}

func (m *mdOut) header(r *Report) {
	title := "Deal report"
	if r.Title != "" {
		title = r.Title
	}
	m.line("# %s: %s", md(title), r.Today)
	m.line("")
	in := r.Input
	s := fmt.Sprintf("%s from %s%s; %s", plural(in.Events, "event", "events"), plural(in.Files, "log file", "log files"), leftOut(in), plural(in.Visits, "human-verified visit", "human-verified visits"))
	if in.Scanner > 0 {
		s += "; " + plural(in.Scanner, "scanner-like page-load", "scanner-like page-loads") + " not counted as reads"
	}
	if in.Duplicates > 0 {
		s += fmt.Sprintf("; %d duplicates dropped", in.Duplicates) // as the terminal and HTML say
	}
	if r.Since != "" {
		s += "; since " + r.Since
	}
	m.line("_%s._", md(s))
	m.line("")
	for _, w := range reportNotes(r) {
		m.line("> **Note:** %s.", md(w))
		m.line("")
	}
}

func (m *mdOut) deal(d *DealReport) {
	m.line("## %s", md(d.Title))
	m.line("")
	m.line("**%s** · %s · %s · %s%s", d.Outcome, md(closeText(d)), md(planText(d)), md(dealProgressText(d)), md(valueText(d.Value)))
	m.line("")
	if errs := checkLines(d); len(errs) > 0 {
		for _, l := range errs {
			m.line("- **Check error:** %s", md(l))
		}
		m.line("")
	}
	if d.Week != nil {
		m.line("- **Last 7 days, %s:** %s", weekSpan(d.Week), md(weekText(d.Week, d.Progress.Percent)))
		if len(d.Week.Done) > 0 {
			m.line("  - done: %s", md(refsText(d.Week.Done)))
		}
		if len(d.Week.Reopened) > 0 {
			m.line("  - reopened: %s", md(refsText(d.Week.Reopened)))
		}
		if len(d.Week.NewOverdue) > 0 {
			m.line("  - newly overdue: %s", md(refsText(d.Week.NewOverdue)))
		}
	}
	if d.Turn != nil {
		late := ""
		if d.Turn.DaysLate > 0 {
			late = fmt.Sprintf("; **%s** (%s)", turnLateWords(d.Turn), d.Turn.Severity)
		}
		m.line("- **Whose turn:** %s%s", md(turnText(d.Turn)), late)
	}
	if d.Schedule != nil {
		m.line("- **Schedule:** %s; %s %s", md(scheduleText(d.Schedule, d.Close)), pathLabel(d.Schedule), md(strings.Join(d.Schedule.CriticalPath, " → ")))
	}
	if d.Week != nil || d.Turn != nil || d.Schedule != nil {
		m.line("")
	}
	if d.History != nil {
		m.line("### History")
		m.line("")
		for _, l := range historyLines(d.History) {
			m.line("- %s", md(l))
		}
		m.line("")
	}
	if len(d.Signals) > 0 {
		m.line("### Warning signals")
		m.line("")
		for _, s := range d.Signals {
			m.line("- **%s**: %s", s.Severity, md(s.Summary))
			for _, e := range s.Evidence {
				m.line("  - %s", md(e))
			}
		}
		m.line("")
	}
	if len(d.Replies) > 0 {
		m.line("### Replies waiting")
		m.line("")
		var rows [][]string
		for i := range d.Replies {
			w := &d.Replies[i]
			rows = append(rows, []string{"`" + w.ID + "`", md(w.Person), w.Side, w.Kind, md(w.About), md(replyWhat(w)), ageText(w.AgeDays)})
		}
		m.table([]string{"Reply", "Person", "Side", "Kind", "About", "What", "Age"}, rows)
	}
	if len(d.Overdue) > 0 {
		m.line("### Overdue")
		m.line("")
		var rows [][]string
		for _, o := range d.Overdue {
			due := o.Due
			if o.DueComputed {
				due += " (computed)"
			}
			task := md(o.Title)
			if o.Critical {
				task += " (critical path)"
			}
			if o.WaitsOn != "" {
				task += " (waits on " + md(o.WaitsOn) + ")"
			}
			rows = append(rows, []string{task, md(o.OwnerName), o.Side, due, fmt.Sprint(o.DaysLate), "**" + o.Severity + "**", md(o.StatusLine())})
		}
		m.table([]string{"Task", "Owner", "Side", "Due", "Calendar days late", "Severity", "Status"}, rows)
	}
	if len(d.Milestones) > 0 {
		m.line("### Milestones")
		m.line("")
		var rows [][]string
		for _, ms := range d.Milestones {
			state := fmt.Sprintf("%d%%", ms.Progress.Percent)
			if ms.Done {
				state = "done " + ms.DoneOn
			} else if ms.DaysLate > 0 {
				state += ", " + milestoneLate(ms)
			}
			title := ms.Title
			if ms.Onboarding {
				title += " (onboarding)"
			}
			rows = append(rows, []string{md(title), ms.Due, md(ms.LeadName), fmt.Sprintf("%d/%d", ms.Progress.Done, ms.Progress.Total),
				fmt.Sprint(ms.Progress.DoneLate), fmt.Sprint(ms.Progress.Overdue), state})
		}
		m.table([]string{"Milestone", "Due", "Lead", "Done", "Done late", "Overdue", "State"}, rows)
	}
	if len(d.Stakeholders) > 0 {
		m.line("### Stakeholders")
		m.line("")
		var rows [][]string
		for i := range d.Stakeholders {
			s := &d.Stakeholders[i]
			name := md(s.Name)
			if !s.Room {
				name += " (no room)"
			}
			visits := fmt.Sprint(s.Visits)
			if s.OldLinkVisits > 0 {
				visits += fmt.Sprintf(" (%d old link)", s.OldLinkVisits)
			}
			visits += repliedText(s)
			rows = append(rows, []string{name, s.Role, visits, dateOnly(s.FirstVisit), dateOnly(s.LastVisit), hoursMinutes(s.ActiveSeconds),
				fmt.Sprint(s.Networks), fmt.Sprint(s.Scanner), md(openedText(s)), md(neverText(s))})
		}
		first := "First"
		if m.since != "" {
			first = "First from " + m.since // the days before were not read
		}
		m.table([]string{"Stakeholder", "Role", "Visits", first, "Last", "Active", "Networks", "Scanner-like", "Read (reading time)", "Never read"}, rows)
		if d.SellerPreviews > 0 {
			m.line("_Seller-side previews, not counted as engagement: %d._", d.SellerPreviews)
			m.line("")
		}
	}
	if len(d.Activity) > 0 {
		m.line("### Activity")
		m.line("")
		var rows [][]string
		for _, a := range d.Activity {
			rows = append(rows, []string{activityDay(a.Time), md(a.Who), md(a.What)})
		}
		m.table([]string{"When", "Who", "What"}, rows)
	}
}

func (m *mdOut) portfolio(p *Portfolio) {
	m.line("## Portfolio")
	m.line("")
	m.line("%s: %d open, %d won, %d lost. Pipeline (open deals' value) %s, of which committed %s (a current plan that passes check, fits before its close, no step late at alert on its critical path or holding up late work, none blocked that the close waits on, not flat, the buyer owning steps, %s, its close ahead); won %s.", plural(p.Deals, "deal", "deals"), p.Open, p.Won, p.Lost, money(p.Pipeline), money(p.Committed), publishedText(p), money(p.WonValue))
	m.line("")
	m.table([]string{"Measure", "Value", "What it counts"}, [][]string{
		{"Coverage", ratioText(p.Coverage), "recent deals (open, or ended in the last 90 days) run with a plan (at least one milestone, as in the win rates)"},
		{"Completion", ratioText(p.Completion), "tasks done in the plans of ended (won or lost) deals"},
		{"Win rate with a plan", ratioText(p.WinRateWithPlan), "won of ended deals with at least one milestone"},
		{"Win rate without a plan", ratioText(p.WinRateWithoutPlan), "won of ended deals without milestones"},
	})
	if len(p.BySize) > 0 {
		m.line("")
		var rows [][]string
		for _, b := range p.BySize {
			rows = append(rows, []string{md(b.Label()), ratioText(b.WithPlan), ratioText(b.WithoutPlan)})
		}
		m.table([]string{"Win rate at comparable size (deal value)", "With a plan", "Without"}, rows)
	}
	if h := p.History; h != nil {
		rows := [][]string{
			{"Deals with buyer edits", ratioText(h.WithBuyerEdits), "deals whose plan a buyer-side person changed, of deals whose plan git holds from while they were open"},
			{"Median slip", medianSlipText(h), "days a date moved later, the median over every slip"},
			{"Win rate with buyer edits", ratioText(h.WinRateWithBuyerEdits), "won of ended deals whose plan a buyer changed before it was won or lost"},
			{"Win rate without buyer edits", ratioText(h.WinRateWithoutBuyerEdits), "won of ended deals no buyer changed before they were won or lost"},
		}
		if h.Shallow > 0 {
			rows = append(rows, []string{"Left out", plural(h.Shallow, "deal", "deals"), "a shallow clone cuts their history (git fetch --unshallow reads it)"})
		}
		m.table([]string{"From the plans' history", "Value", "What it counts"}, rows)
	}
	if len(p.Ranking) == 0 {
		m.line("No deal needs attention.")
		return
	}
	m.line("### Needs attention first")
	m.line("")
	m.line("%s", md(rankingNote(p)))
	m.line("")
	var rows [][]string
	for _, d := range p.Ranking {
		rows = append(rows, []string{fmt.Sprint(d.Rank), md(d.Title), decimal(d.Priority), rankClose(d), md(weighedText(d, p.SizeMedian)), md(reasonsText(d.Reasons, 3))})
	}
	m.table([]string{"#", "Deal", "Priority", "Close", "Points × size", "Why"}, rows)
}
