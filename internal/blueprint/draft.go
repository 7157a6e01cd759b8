package blueprint

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/schedule"
)

// Options are the particulars of a new deal. Empty texts get the defaults
// listed on each field, which make a file the loader accepts and that says
// what to fill in.
type Options struct {
	Buyer  string // default the placeholder "[[the buyer's company]]"
	Seller string // default the placeholder "[[your company]]"
	Title  string // default "<Seller> for <Buyer>"
	Goal   string // default "Signed by <close> so that [[the buyer's business reason, with its date]]"
	// Close is the signature date every task is scheduled back from. When
	// it is zero, GoLive must be set and the signature date is
	// schedule.SignBy(GoLive, the template's Onboarding, Calendar).
	Close  deal.Date
	GoLive deal.Date // optional with Close; written as golive:
	// Today is the day the plan starts from, for the check that the work
	// fits before Close.
	Today    deal.Date
	Calendar schedule.Calendar
}

// Draft is a new deal's index.md made from a template.
type Draft struct {
	// Source is the index.md: the plan's frontmatter and the welcome note.
	Source []byte
	// Close is the signature date, written as close:; Due holds each
	// task's due date by id; Start is the first business day of the work
	// that must start first.
	Close, Start deal.Date
	Due          map[string]deal.Date
	// Overrun is by how many business days the plan, started on Today,
	// finishes after Close: 0 when it fits. Finish is that earliest finish
	// and CriticalPath the chain of task ids that decides it.
	Overrun      int
	Finish       deal.Date
	CriticalPath []string
	// CloseLine is the line of close: in Source, for messages.
	CloseLine int
}

// Draft schedules the template's tasks backwards from the signature date
// through their dependencies, on opts.Calendar's business days, and
// renders the new deal's index.md: every task with its due date, its
// duration and after (so the plan can be rescheduled), owners and leads as
// "role:<role>" for the seller to assign, each milestone due with its
// latest task, no stakeholders yet (a comment lists the roles to fill), and
// the template's criteria, collateral, review and welcome note.
//
// Draft fails only for a template Parse did not return, or when neither
// Close nor GoLive is set. A plan that does not fit before Close is not an
// error: Overrun says by how much.
func (t *Template) Draft(opts Options) (*Draft, error) {
	cal := opts.Calendar
	sign := opts.Close
	if sign.IsZero() {
		if opts.GoLive.IsZero() {
			return nil, errors.New("a new deal needs a close date or a go-live date")
		}
		sign = schedule.SignBy(opts.GoLive, t.Onboarding, cal)
	}
	tasks := t.ScheduleTasks()
	due, err := schedule.Backward(tasks, sign, cal)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	dr := &Draft{Close: sign, Due: due}
	for _, k := range tasks {
		s := due[k.ID]
		if k.Duration > 0 {
			s = cal.AddBusinessDays(s, -(k.Duration - 1))
		}
		if dr.Start.IsZero() || s.Before(dr.Start) {
			dr.Start = s
		}
	}
	if !opts.Today.IsZero() {
		d := &deal.Deal{ID: t.Name, Close: sign}
		for _, m := range t.Milestones {
			ms := deal.Milestone{ID: m.ID}
			for _, k := range m.Tasks {
				ms.Tasks = append(ms.Tasks, deal.Task{ID: k.ID, Duration: k.Duration, After: k.After, Status: deal.Todo, Line: k.Line})
			}
			d.Milestones = append(d.Milestones, ms)
		}
		p, err := schedule.Compute(d, opts.Today, cal)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.Name, err)
		}
		dr.Overrun, dr.Finish, dr.CriticalPath = p.Overrun, p.Finish, p.CriticalPath
	}
	dr.Source, dr.CloseLine = t.render(opts, sign, due)
	return dr, nil
}

// render writes the index.md.
func (t *Template) render(opts Options, sign deal.Date, due map[string]deal.Date) ([]byte, int) {
	buyer := oneLine(opts.Buyer, deal.Placeholder("the buyer's company"))
	seller := oneLine(opts.Seller, deal.Placeholder("your company"))
	title := oneLine(opts.Title, seller+" for "+buyer)
	goLive := deal.Placeholder("the go-live date")
	if !opts.GoLive.IsZero() {
		goLive = longDate(opts.GoLive)
	}
	goal := fmt.Sprintf("Signed by %s so that %s", longDate(sign), deal.Placeholder("the buyer's business reason, with its date"))
	if !opts.GoLive.IsZero() {
		goal = fmt.Sprintf("Signed by %s so that %s is live on %s", longDate(sign), deal.Placeholder("what the buyer needs"), longDate(opts.GoLive))
	}
	goal = oneLine(opts.Goal, goal)

	var w writer
	w.line("---")
	w.line("# Started by `maproom new` from the %s template. Each task is due as", t.Name)
	w.line("# late as the tasks after it allow, worked back from the close date through")
	w.line("# durations (business days) and after:. Delete a task's due: to have the build")
	w.line("# date it from its duration instead. Give each role:<role> owner and lead to")
	w.line("# one stakeholder: `maproom check` lists those left.")
	w.line("title: %s", scalar(title, false))
	w.line("buyer: %s", scalar(buyer, false))
	w.line("seller: %s", scalar(seller, false))
	w.line("goal: %s", scalar(goal, false))
	closeLine := w.n + 1
	w.line("close: %s", sign)
	if !opts.GoLive.IsZero() {
		w.line("golive: %s", opts.GoLive)
	}
	w.line("outcome: open")
	w.line("template: %s # its usual milestones are checked against the plan's", scalar(t.Name, false))
	if r := t.Review; r != nil {
		length := ""
		if r.Length != "" {
			length = ", length: " + r.Length
		}
		w.line("review: {day: %s, time: %q%s}", r.Day, r.Time, length)
	}
	w.line("stakeholders:")
	w.line("  # Nobody yet: list everyone in the decision, one line each, then give each")
	w.line("  # role:<role> below to one of them. This plan needs at least these roles:")
	for _, s := range t.Roles() {
		side := s.Side
		if side == "" {
			side = deal.Buyer
		}
		title := `"[[job title]]"`
		if s.Title != "" {
			title = scalar(s.Title, true)
		}
		influence := ""
		if side == deal.Buyer {
			influence = ", influence: <high|medium|low>"
		}
		// What the seller writes is a placeholder (deal.Placeholder):
		// one left in a line taken in is an error, never published.
		w.line("  # - {id: <id>, name: \"[[full name]]\", title: %s, side: %s, role: %s%s, email: \"[[email]]\"}",
			title, side, s.Role, influence)
	}
	w.line("milestones:")
	for _, m := range t.Milestones {
		var md deal.Date
		for _, k := range m.Tasks {
			if d := due[k.ID]; md.IsZero() || d.After(md) {
				md = d
			}
		}
		w.line("  - id: %s", m.ID)
		w.line("    title: %s", scalar(m.Title, false))
		w.line("    due: %s", md)
		w.line("    lead: role:%s", m.Lead)
		w.line("    evidence: %s", scalar(m.Evidence, false))
		w.line("    tasks:")
		for _, k := range m.Tasks {
			w.line("      - id: %s", k.ID)
			w.line("        title: %s", scalar(k.Title, false))
			w.line("        owner: role:%s", k.Owner)
			w.line("        due: %s", due[k.ID])
			w.line("        duration: %d", k.Duration)
			if len(k.After) > 0 {
				w.line("        after: [%s]", strings.Join(k.After, ", "))
			}
			w.line("        status: todo")
			w.line("        evidence: %s", scalar(k.Evidence, false))
			if len(k.Collateral) > 0 {
				w.line("        collateral: [%s]", strings.Join(k.Collateral, ", "))
			}
		}
	}
	if len(t.Criteria) > 0 {
		w.line("criteria:")
		for _, c := range t.Criteria {
			w.line("  - %s", scalar(c, false))
		}
	}
	if len(t.Collateral) > 0 {
		w.line("collateral:")
		w.line("  # Put each file in this folder before the build (or change file: to yours).")
		for _, c := range t.Collateral {
			aud := ""
			if len(c.Audience) > 0 {
				qs := make([]string, len(c.Audience))
				for i, a := range c.Audience {
					qs[i] = strconv.Quote(a)
				}
				aud = ", audience: [" + strings.Join(qs, ", ") + "]"
			}
			w.line("  - {id: %s, title: %s, file: %s%s}", c.ID, scalar(c.Title, true), scalar(c.File, true), aud)
		}
	}
	w.line("---")
	vars := []string{"{buyer}", buyer, "{seller}", seller, "{close}", longDate(sign), "{golive}", goLive}
	for _, k := range t.Tasks() {
		vars = append(vars, "{due:"+k.ID+"}", longDate(due[k.ID]))
	}
	body := strings.NewReplacer(vars...).Replace(strings.ToValidUTF8(string(t.Body), "\uFFFD"))
	body = strings.TrimRight(body, " \t\r\n")
	if body != "" {
		w.b.WriteString(body)
		w.b.WriteByte('\n')
	}
	return w.b.Bytes(), closeLine
}

// writer builds the file line by line, counting lines.
type writer struct {
	b bytes.Buffer
	n int
}

func (w *writer) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
	w.n++
}

// oneLine returns s with white space collapsed and valid UTF-8, or def when
// that leaves nothing.
func oneLine(s, def string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if s == "" {
		return def
	}
	return s
}

// longDate formats d as "19 June 2026".
func longDate(d deal.Date) string { return d.Time().Format("2 January 2006") }

// scalar returns s as a YAML scalar that reads back as exactly s: plain
// when that is safe, double-quoted otherwise. In flow context (inside
// [...] or {...}) commas and brackets need quotes too.
func scalar(s string, flow bool) string {
	if plainSafe(s, flow) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff ||
			(r >= 0xd800 && r <= 0xdfff) || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainSafe reports whether s can be written as a plain scalar: it starts
// with a letter or digit, holds only letters, digits, spaces and a few
// harmless punctuation marks, does not end with a space, and YAML reads it
// back as the same string (not a number, a date, true or null).
func plainSafe(s string, flow bool) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	r0, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(r0) && !unicode.IsDigit(r0) {
		return false
	}
	if strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ':
		case strings.ContainsRune("-_.'()/&+;!?%", r):
		case r == ',' && !flow:
		default:
			return false
		}
		if r > unicode.MaxASCII && !unicode.IsPrint(r) {
			return false
		}
	}
	var v map[string]any
	if err := unmarshal([]byte("k: "+s), &v); err != nil {
		return false
	}
	got, ok := v["k"].(string)
	return ok && got == s
}
