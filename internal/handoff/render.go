package handoff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"github.com/maproom/maproom/internal/mdtext"
	"github.com/maproom/maproom/internal/reply"
)

// JSON returns the bundle as indented JSON (schema Version).
func (b *Bundle) JSON() ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Markdown returns the bundle as a Markdown document.
func (b *Bundle) Markdown() []byte {
	var w bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }
	d := b.Deal
	p("# Handoff: %s", cell(d.Title))
	p("")
	state := outcomeLabel(d.Outcome) + ". Signature planned " + d.Close
	if d.Signed != "" {
		state = fmt.Sprintf("Signed %s (planned %s)", d.Signed, d.Close)
	}
	p("%s and %s. %s%s. Made %s.", cell(d.Buyer), cell(d.Seller), state, goLive(d.GoLive, ", go-live "), b.Generated)
	p("")
	p("## Goal")
	p("")
	p("%s", cell(d.Goal))
	p("")
	p("## What we promised")
	p("")
	if len(b.Criteria) == 0 {
		p("No success criteria were written in the plan.")
	}
	for _, c := range b.Criteria {
		p("- %s", cell(c))
	}
	p("")
	p("## Who's who")
	p("")
	p("| Name | Title | Side | Role | Email | Engagement |")
	p("|---|---|---|---|---|---|")
	for _, x := range b.People {
		p("| %s | %s | %s | %s | %s | %s |", cell(x.Name), cell(x.Title), x.Side, x.Role, cell(x.Email), cell(b.Engagement(x)))
	}
	p("")
	p("## Completed steps")
	p("")
	if len(b.Completed) == 0 {
		p("None yet.")
	} else {
		p("| Done | Step | Milestone | Owner | Evidence |")
		p("|---|---|---|---|---|")
		for _, s := range b.Completed {
			p("| %s | %s | %s | %s | %s |", s.Done, cell(s.Title), cell(s.Milestone), cell(s.Owner), cell(s.Evidence)+receivedText(s, cell))
		}
	}
	p("")
	p("## Open items")
	p("")
	waiting := b.Waiting()
	switch {
	case len(b.Open) == 0 && len(waiting) == 0:
		p("Nothing is open.")
	case len(b.Open) == 0:
		p("Every step is done.")
	default:
		p("| Due | Step | Milestone | Owner | Status | Done when |")
		p("|---|---|---|---|---|---|")
		for _, s := range b.Open {
			p("| %s | %s | %s | %s | %s | %s |", s.Due, cell(s.Title), cell(milestoneLabel(s)), cell(s.Owner), s.Status+lateText(s), cell(s.Evidence))
		}
	}
	if len(waiting) > 0 {
		p("")
		p("Replies waiting for an answer:")
		p("")
		for _, r := range waiting {
			p("%s", replyLine(r))
		}
	}
	p("")
	p("## Replies and answers")
	p("")
	if len(b.Replies) == 0 {
		p("%s", b.NoReplies())
	}
	for _, r := range b.Replies {
		p("%s", replyLine(r))
	}
	p("")
	p("## Plan history")
	p("")
	switch {
	case !b.HistoryRead:
		p("The plan's history was not read (%s).", cell(b.historyNote()))
	case len(b.History) == 0:
		p("The plan's history records no change.")
	}
	for _, h := range b.History {
		p("- %s", cell(h))
	}
	p("")
	p("## Review notes")
	p("")
	if len(b.Reviews) == 0 {
		p("No review notes were kept.")
	}
	for _, r := range b.Reviews {
		p("### %s", r.Day)
		p("")
		// The note's Markdown as written, but no HTML of it: a viewer
		// of the file shows a tag in it as the words.
		p("%s", strings.ReplaceAll(strings.TrimSpace(r.Text), "<", `\<`))
		p("")
	}
	return append(bytes.TrimRight(w.Bytes(), "\n"), '\n')
}

// replyLine is one reply as a Markdown list item.
func replyLine(r Reply) string {
	line := fmt.Sprintf("- %s, %s, %s on %s", r.Day, cell(r.From), r.Kind, cell(r.About))
	if r.What != "" {
		line += ": " + cell(r.What)
	}
	line += " (" + stateLabel(r.State) + ")"
	if r.Why != "" {
		line += ". Reason: " + cell(r.Why)
	}
	if r.Answer != "" {
		line += ". Answer: " + cell(r.Answer)
	}
	return line
}

// stateLabel says a reply's state: a waiting one is waiting for an answer
// from the seller's side.
func stateLabel(state string) string {
	if state == reply.Waiting {
		return "waiting for an answer"
	}
	return state
}

// Waiting returns the replies no one has decided yet, by day sent: open
// items, beside the open steps.
func (b *Bundle) Waiting() []Reply {
	var out []Reply
	for _, r := range b.Replies {
		if r.State == reply.Waiting {
			out = append(out, r)
		}
	}
	return out
}

// NoReplies says why the bundle lists no reply: none was sent, or no
// event log was read, so only the replies decided on record are known.
func (b *Bundle) NoReplies() string {
	if !b.Engaged {
		return "No replies are on record. No event log was read, so replies still waiting there are not known."
	}
	return "No replies were sent from the rooms."
}

// HTML returns the bundle as one self-contained HTML page: inline CSS,
// no script, no image, no link to anything outside the page.
func (b *Bundle) HTML() ([]byte, error) {
	var w bytes.Buffer
	if err := page.Execute(&w, b); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// Engagement says in a few words what person x's room shows: visits,
// days, active minutes and documents opened, or that no log was read; of
// the seller's team, that they are (their visits are the seller's own).
func (b *Bundle) Engagement(x Person) string {
	if !b.Engaged {
		return "no event log read"
	}
	if x.Side == "seller" {
		// The seller's team: its rooms are previews, not engagement.
		return "seller's team"
	}
	replies := ""
	if x.Replies > 0 {
		replies = fmt.Sprintf("%s from their room, the last %s", plural(x.Replies, "reply", "replies"), x.LastReply)
	}
	if x.Visits == 0 && len(x.Opened) == 0 {
		if replies != "" {
			return "no visit counted; " + replies
		}
		return "never opened their room"
	}
	s := fmt.Sprintf("%s (%s to %s), %s active", plural(x.Visits, "visit", "visits"), x.FirstVisit, x.LastVisit, plural(x.ActiveMinutes, "minute", "minutes"))
	if len(x.Opened) > 0 {
		s += "; opened " + strings.Join(x.Opened, ", ")
	}
	if replies != "" {
		s += "; " + replies
	}
	return s
}

func outcomeLabel(o string) string {
	switch o {
	case "won":
		return "Signed"
	case "lost":
		return "Closed without signature"
	}
	return "Not signed yet"
}

func goLive(d, prefix string) string {
	if d == "" {
		return ""
	}
	return prefix + d
}

func milestoneLabel(s Step) string {
	if s.Onboarding {
		return s.Milestone + " (onboarding)"
	}
	return s.Milestone
}

// receivedText is "; received: <the buyer's evidence>" for a step a
// buyer's accepted reply marked done with evidence, written through esc.
func receivedText(s Step, esc func(string) string) string {
	if s.Received == "" {
		return ""
	}
	return "; received: " + esc(s.Received)
}

// historyNote says why the history was not read.
func (b *Bundle) historyNote() string {
	if b.HistoryNote != "" {
		return b.HistoryNote
	}
	return "the site is not in a git repository"
}

// HistoryWhyNot says why the history was not read, for the HTML page.
func (b *Bundle) HistoryWhyNot() string { return b.historyNote() }

// cell writes text from the plan or a reply into the Markdown, in a
// table cell or a line, as the words it is (mdtext.Escape).
func cell(s string) string { return mdtext.Escape(s) }

// lateText is ", 6 days late" for an open step past its due date, else "".
func lateText(s Step) string {
	switch {
	case s.DaysLate == 1:
		return ", 1 day late"
	case s.DaysLate > 1:
		return fmt.Sprintf(", %d days late", s.DaysLate)
	}
	return ""
}

var page = template.Must(template.New("handoff").Funcs(template.FuncMap{
	"outcome": outcomeLabel, "milestone": milestoneLabel, "late": lateText, "state": stateLabel,
	// A review note reads as the rooms show it: plain text, its
	// Markdown's marks left out, never HTML.
	"paragraphs": Paragraphs,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex,nofollow,noarchive">
<meta name="referrer" content="no-referrer">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>Handoff: {{.Deal.Title}}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1f24;max-width:62rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}h3{font-size:1rem;margin:1rem 0 .25rem}
.meta{color:#57606a;margin:0}table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.side{font-size:.8rem;color:#57606a}.onb{font-size:.8rem;background:#ddf4ff;border-radius:3px;padding:0 .3rem}
.st{font-size:.85rem}.answer{color:#1a7f37}@media print{body{padding:0}h2{break-after:avoid}}
</style>
</head>
<body>
<header>
<h1>Handoff: {{.Deal.Title}}</h1>
<p class="meta">{{.Deal.Buyer}} and {{.Deal.Seller}} · {{if .Deal.Signed}}Signed <time datetime="{{.Deal.Signed}}">{{.Deal.Signed}}</time> (planned {{.Deal.Close}}){{else}}{{outcome .Deal.Outcome}} · signature planned <time datetime="{{.Deal.Close}}">{{.Deal.Close}}</time>{{end}}{{if .Deal.GoLive}} · go-live <time datetime="{{.Deal.GoLive}}">{{.Deal.GoLive}}</time>{{end}} · made {{.Generated}}</p>
</header>
<main>
<section><h2>Goal</h2><p>{{.Deal.Goal}}</p></section>
<section><h2>What we promised</h2>
{{if .Criteria}}<ul>{{range .Criteria}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>No success criteria were written in the plan.</p>{{end}}</section>
<section><h2>Who's who</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Email</th><th scope="col">Engagement</th></tr></thead><tbody>
{{range .People}}<tr><th scope="row">{{.Name}}{{if .Title}}<br><span class="side">{{.Title}}</span>{{end}}</th><td>{{.Role}}<br><span class="side">{{.Side}}</span></td><td>{{.Email}}</td><td>{{$.Engagement .}}</td></tr>
{{end}}</tbody></table></section>
<section><h2>Completed steps</h2>
{{if .Completed}}<table><thead><tr><th scope="col">Done</th><th scope="col">Step</th><th scope="col">Owner</th><th scope="col">Evidence</th></tr></thead><tbody>
{{range .Completed}}<tr><td><time datetime="{{.Done}}">{{.Done}}</time></td><th scope="row">{{.Title}}<br><span class="side">{{.Milestone}}</span></th><td>{{.Owner}}</td><td>{{.Evidence}}{{if .Received}}<br><span class="answer">Received: {{.Received}}</span>{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>None yet.</p>{{end}}</section>
<section><h2>Open items</h2>
{{if .Open}}<table><thead><tr><th scope="col">Due</th><th scope="col">Step</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Done when</th></tr></thead><tbody>
{{range .Open}}<tr><td>{{if .Due}}<time datetime="{{.Due}}">{{.Due}}</time>{{end}}</td><th scope="row">{{.Title}}<br><span class="side">{{.Milestone}}</span>{{if .Onboarding}} <span class="onb">onboarding</span>{{end}}</th><td>{{.Owner}}</td><td class="st">{{.Status}}{{late .}}</td><td>{{.Evidence}}</td></tr>
{{end}}</tbody></table>{{else if .Waiting}}<p>Every step is done.</p>{{else}}<p>Nothing is open.</p>{{end}}{{with .Waiting}}
<h3>Replies waiting for an answer</h3>
<ul>{{range .}}{{template "reply" .}}{{end}}</ul>{{end}}</section>
<section><h2>Replies and answers</h2>
{{if .Replies}}<ul>{{range .Replies}}{{template "reply" .}}{{end}}</ul>{{else}}<p>{{.NoReplies}}</p>{{end}}</section>
<section><h2>Plan history</h2>
{{if .History}}<ul>{{range .History}}<li>{{.}}</li>
{{end}}</ul>{{else if .HistoryRead}}<p>The plan's history records no change.</p>{{else}}<p>The plan's history was not read ({{.HistoryWhyNot}}).</p>{{end}}</section>
<section><h2>Review notes</h2>
{{range .Reviews}}<article><h3><time datetime="{{.Day}}">{{.Day}}</time></h3>{{range paragraphs .Text}}<p>{{.}}</p>{{end}}</article>
{{else}}<p>No review notes were kept.</p>{{end}}</section>
</main>
</body>
</html>
{{define "reply"}}<li><time datetime="{{.Day}}">{{.Day}}</time>, {{.From}}, <strong>{{.Kind}}</strong> on {{.About}}{{if .What}}: {{.What}}{{end}} <span class="st">({{state .State}})</span>{{if .Why}}<br><span class="answer">Reason: {{.Why}}</span>{{end}}{{if .Answer}}<br><span class="answer">Answer: {{.Answer}}</span>{{end}}</li>
{{end}}`))
