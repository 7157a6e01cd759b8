package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// reportCSVHeader is the header of the per-deal CSV. Each row is one record
// (the first column): a deal, milestone, overdue task, stakeholder, reply
// waiting or signal; columns that do not apply to a record are empty.
// Filter on the record column in a spreadsheet. A stakeholder's opened
// lists the documents they read, and read_seconds their reading times in
// the same order. A deal's value is its plan's value (the report's only,
// never a room's). A deal's days_late are its most overdue task's; an
// overdue task's days_late are calendar days, and business_days_late the
// site calendar's business days. A reply's row holds its
// id, what it is about (title), the person (owner, side, role), its kind
// (status), the target's due date now (due), and what it says and when it
// was sent (detail). A history row says what the plan's git history tells
// (detail); a slip row is a task, milestone or the close (status) whose
// date moved later moves times, slip_days days in all, to due. An added
// or a removed row is a step or milestone (status: task or milestone)
// added after the plan's first version, or a step removed: on day, by the
// person in owner and side (as the plan names them), its date then in due,
// its milestone in detail. A week row is the last seven days after day:
// the deal's percent done now, the buyer side's visits and replies in
// them, what changed in words (title), and the steps done, reopened and
// newly overdue (detail); an activity row is one thing that happened in
// them (status: visit, read, done or reply) by owner of side, at day, what
// in detail. An input
// row, first, says what makes the engagement figures partial or absent (no
// event log read, corrupt lines skipped) in its detail.
var reportCSVHeader = []string{"record", "deal", "id", "title", "owner", "side", "role", "status", "due", "done",
	"days_late", "severity", "done_tasks", "total_tasks", "percent", "visits", "active_seconds", "first_visit",
	"last_visit", "networks", "scanner", "opened", "never_opened", "detail", "read_seconds", "business_days_late", "moves", "slip_days", "replies", "last_reply", "value", "day"}

// csvOut writes CSV rows whose text cells a spreadsheet will not run:
// what a buyer wrote from their room (a reply's words) reaches the report,
// and a cell that starts with =, +, -, @ or a tab or carriage return would
// be read as a formula. Such a cell is written with a leading apostrophe,
// as spreadsheets mark text; a number (a negative count of days) is kept.
type csvOut struct{ w *csv.Writer }

func newCSV(w io.Writer) csvOut { return csvOut{csv.NewWriter(w)} }

func (c csvOut) Write(row []string) error {
	for i, v := range row {
		row[i] = cellText(v)
	}
	return c.w.Write(row)
}

func (c csvOut) Flush()       { c.w.Flush() }
func (c csvOut) Error() error { return c.w.Error() }

// plainNumber is a number a spreadsheet reads as one, and nothing else.
var plainNumber = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?$`)

// cellText is v as a CSV cell no spreadsheet reads as a formula.
func cellText(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) || plainNumber.MatchString(v) {
		return v
	}
	return "'" + v
}

// WriteCSV writes the per-deal report as CSV: one record per row, see
// reportCSVHeader.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := newCSV(w)
	cw.Write(reportCSVHeader)
	col := map[string]int{}
	for i, h := range reportCSVHeader {
		col[h] = i
	}
	rec := func(kind, dealID string, kv ...string) {
		row := make([]string, len(reportCSVHeader))
		row[0], row[1] = kind, dealID
		for i := 0; i+1 < len(kv); i += 2 {
			row[col[kv[i]]] = kv[i+1]
		}
		cw.Write(row)
	}
	itoa := func(n int) string { return fmt.Sprint(n) }
	for _, w := range reportNotes(r) {
		rec("input", "", "detail", w)
	}
	for i := range r.Deals {
		d := &r.Deals[i]
		detail := planText(d)
		if d.Turn != nil {
			detail += "; turn: " + turnText(d.Turn) + turnLate(d.Turn)
		}
		if d.Schedule != nil {
			detail += "; " + scheduleText(d.Schedule, d.Close)
		}
		if d.RepliesWaiting > 0 {
			detail += "; " + plural(d.RepliesWaiting, "reply", "replies") + " waiting"
		}
		late := "" // the most days late of its overdue tasks
		for _, o := range d.Overdue {
			if n, err := strconv.Atoi(late); err != nil || o.DaysLate > n {
				late = itoa(o.DaysLate)
			}
		}
		value := ""
		if d.Value != 0 {
			value = fmt.Sprint(d.Value)
		}
		rec("deal", d.ID, "id", d.ID, "title", d.Title, "status", d.Outcome, "due", d.Close,
			"done_tasks", itoa(d.Progress.Done), "total_tasks", itoa(d.Progress.Total), "percent", itoa(d.Progress.Percent),
			"days_late", late, "severity", maxSeverity(d), "visits", itoa(dealVisits(d)), "last_visit", d.LastVisit, "detail", detail, "value", value)
		for _, m := range d.Milestones {
			state, late, blate := "open", "", ""
			if m.Done {
				state = "done"
			}
			if m.DaysLate > 0 {
				late = itoa(m.DaysLate)
			}
			if m.BusinessDaysLate > 0 {
				blate = itoa(m.BusinessDaysLate)
			}
			rec("milestone", d.ID, "id", m.ID, "title", m.Title, "owner", m.Lead, "status", state, "due", m.Due, "done", m.DoneOn,
				"days_late", late, "business_days_late", blate, "severity", m.Severity,
				"done_tasks", itoa(m.Progress.Done), "total_tasks", itoa(m.Progress.Total), "percent", itoa(m.Progress.Percent))
		}
		if h := d.History; h != nil {
			rec("history", d.ID, "id", d.ID, "detail", strings.Join(historyLines(h), "; "))
			for _, s := range h.Slips {
				rec("slip", d.ID, "id", s.ID, "title", s.Title, "status", s.Kind, "due", s.Now, "moves", itoa(s.Moves), "slip_days", itoa(s.Days),
					"detail", fmt.Sprintf("first %s, net %+d days", s.First, s.Net)+s.along())
			}
			for _, s := range h.AddedRemoved {
				detail := ""
				if s.Milestone != "" {
					detail = "milestone " + s.Milestone
				}
				rec(s.Change, d.ID, "id", s.ID, "title", s.Title, "owner", s.Who, "side", s.Side, "status", s.Kind, "due", s.Due, "day", s.Day, "detail", detail)
			}
		}
		for _, o := range d.Overdue {
			detail := ""
			if o.DueComputed {
				detail = "due date computed by the schedule"
			}
			if o.Critical {
				detail = strings.TrimPrefix(detail+"; on the critical path", "; ")
			}
			if o.WaitsOn != "" {
				detail = strings.TrimPrefix(detail+"; waits on "+o.WaitsOn, "; ")
			}
			if o.Answer != nil {
				detail = strings.TrimPrefix(detail+"; "+answerText(o.Answer), "; ")
			}
			rec("overdue", d.ID, "id", o.Task, "title", o.Title, "owner", o.Owner, "side", o.Side, "status", o.Status,
				"due", o.Due, "days_late", itoa(o.DaysLate), "severity", o.Severity, "detail", detail,
				"business_days_late", itoa(o.BusinessDaysLate))
		}
		for j := range d.Stakeholders {
			s := &d.Stakeholders[j]
			detail := ""
			if !s.Room {
				detail = "no room published"
			}
			if s.OldLinkVisits > 0 {
				detail = strings.TrimPrefix(detail+"; "+plural(s.OldLinkVisits, "visit", "visits")+" through an old link", "; ")
			}
			rec("stakeholder", d.ID, "id", s.ID, "title", s.Name, "side", "buyer", "role", s.Role, "visits", itoa(s.Visits),
				"active_seconds", fmt.Sprint(s.ActiveSeconds), "first_visit", s.FirstVisit, "last_visit", s.LastVisit,
				"networks", itoa(s.Networks), "scanner", itoa(s.Scanner), "opened", idList(s.Opened),
				"never_opened", refList(s.NeverOpened), "detail", detail, "read_seconds", readSeconds(s.Opened),
				"replies", itoa(s.Replies), "last_reply", s.LastReply)
		}
		for j := range d.Replies {
			w := &d.Replies[j]
			rec("reply", d.ID, "id", w.ID, "title", w.About, "owner", w.Stakeholder, "side", w.Side, "role", w.Role,
				"status", w.Kind, "due", w.Due, "detail", replyWhat(w)+"; sent "+w.Sent)
		}
		for _, s := range d.Signals {
			rec("signal", d.ID, "id", s.Kind, "title", s.Summary, "severity", s.Severity, "detail", strings.Join(s.Evidence, "; "))
		}
		if w := d.Week; w != nil {
			// The last seven days, as the other formats head each deal.
			var lists []string
			for _, l := range []struct {
				what string
				refs []TaskRef
			}{{"done", w.Done}, {"reopened", w.Reopened}, {"newly overdue", w.NewOverdue}} {
				if len(l.refs) > 0 {
					lists = append(lists, l.what+": "+refsText(l.refs))
				}
			}
			rec("week", d.ID, "day", w.Since, "percent", itoa(d.Progress.Percent), "visits", itoa(w.Visits),
				"replies", itoa(w.Replies), "title", weekText(w, d.Progress.Percent), "detail", strings.Join(lists, "; "))
		}
		for _, a := range d.Activity {
			rec("activity", d.ID, "day", a.Time, "status", a.Kind, "owner", a.Who, "side", a.Side, "detail", a.What)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WritePortfolioCSV writes one row per deal with the portfolio figures
// (coverage, completion and win rates follow from the rows, and the
// committed pipeline is the value of the rows whose committed is true) and the
// attention rank, with its size weight and priority (the ranking's
// order: the score times the size weight; empty for a deal not ranked). The history's figures follow too: the rows whose
// in_history_figures is true are the deals they count (PortfolioHistory),
// and slip_each_days lists the days of each slip, the median slip's input.
func (r *Report) WritePortfolioCSV(w io.Writer) error {
	cw := newCSV(w)
	cw.Write([]string{"deal", "title", "outcome", "plan", "covered", "done_tasks", "total_tasks", "days_to_close",
		"overdue", "alerts", "signals", "visits", "last_visit", "score", "rank", "value",
		"commits", "buyer_edits", "slips", "slip_days", "slip_each_days", "in_history_figures", "recent",
		"size_weight", "priority", "committed", "buyer_edits_while_open"})
	rank := map[string]RankedDeal{}
	for _, d := range r.Portfolio.Ranking {
		rank[d.Deal] = d
	}
	// The plan's history per deal (empty without one), so that the share
	// with buyer edits, the median slip and the win rates with and without
	// buyer edits follow from the rows, as the other figures do.
	hist, openEdits := map[string][]string{}, map[string]string{}
	for i := range r.Deals {
		if h := r.Deals[i].History; h != nil {
			// slips are moves later, as the portfolio's median slip counts
			// them (an item moved three times is three slips; a step moved
			// with its milestone, one).
			moves, days := len(h.moves), 0
			for _, m := range h.moves {
				days += m
			}
			each := make([]string, len(h.moves))
			for j, m := range h.moves {
				each[j] = fmt.Sprint(m)
			}
			openEdits[r.Deals[i].ID] = fmt.Sprint(h.BuyerEditsOpen)
			hist[r.Deals[i].ID] = []string{fmt.Sprint(h.Commits), fmt.Sprint(h.BuyerEdits), fmt.Sprint(moves), fmt.Sprint(days),
				strings.Join(each, ";"), fmt.Sprint(inHistoryFigures(&r.Deals[i]))}
		}
	}
	for _, p := range r.Portfolio.Rows {
		days, rk, value, weight, priority := "", "", "", "", ""
		if p.DaysToClose != nil {
			days = fmt.Sprint(*p.DaysToClose)
		}
		if rd, ok := rank[p.Deal]; ok {
			rk, weight, priority = fmt.Sprint(rd.Rank), fmt.Sprint(rd.SizeWeight), fmt.Sprint(rd.Priority)
		}
		if p.Value != 0 {
			value = fmt.Sprint(p.Value)
		}
		h := hist[p.Deal]
		if h == nil {
			h = []string{"", "", "", "", "", "false"}
		}
		cw.Write(append([]string{p.Deal, p.Title, p.Outcome, p.Plan, fmt.Sprint(p.Covered), fmt.Sprint(p.Done), fmt.Sprint(p.Total),
			days, fmt.Sprint(p.Overdue), fmt.Sprint(p.Alerts), fmt.Sprint(p.Signals), fmt.Sprint(p.Visits), p.LastVisit,
			fmt.Sprint(p.Score), rk, value}, append(h, fmt.Sprint(p.Recent), weight, priority, fmt.Sprint(p.Committed), openEdits[p.Deal])...))
	}
	cw.Flush()
	return cw.Error()
}

func idList(os []OpenedDoc) string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return strings.Join(ids, ";")
}

func readSeconds(os []OpenedDoc) string {
	var secs []string
	for _, o := range os {
		secs = append(secs, fmt.Sprint(o.ActiveSeconds))
	}
	return strings.Join(secs, ";")
}

func refList(rs []CollateralRef) string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ";")
}

func dealVisits(d *DealReport) int {
	n := 0
	for _, s := range d.Stakeholders {
		n += s.Visits
	}
	return n
}

// maxSeverity is the most severe of a deal's overdue tasks and signals.
func maxSeverity(d *DealReport) string {
	best := ""
	rank := map[string]int{"": 0, SeverityLate: 1, SeverityFlag: 2, SeverityAlert: 3}
	for _, o := range d.Overdue {
		if rank[o.Severity] > rank[best] {
			best = o.Severity
		}
	}
	for _, s := range d.Signals {
		if rank[s.Severity] > rank[best] {
			best = s.Severity
		}
	}
	return best
}
