package report

import (
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/maproom/maproom/internal/deal"
)

// WriteHTML writes the per-deal report as one self-contained HTML page:
// inline CSS and inline SVG charts (engagement per stakeholder per week,
// progress by milestone, the plan timeline against today), no script and
// no external request, so it can be mailed or archived as one file.
func (r *Report) WriteHTML(w io.Writer) error {
	return reportHTML.ExecuteTemplate(w, "page", htmlPage{R: r, Deals: r.htmlDeals()})
}

// WritePortfolioHTML writes the portfolio as one self-contained HTML page.
func (r *Report) WritePortfolioHTML(w io.Writer) error {
	return reportHTML.ExecuteTemplate(w, "page", htmlPage{R: r, Portfolio: r.Portfolio, Scores: scoreBars(r.Portfolio)})
}

type htmlPage struct {
	R         *Report
	Deals     []htmlDeal
	Portfolio *Portfolio
	Scores    *svgChart
}

type htmlDeal struct {
	*DealReport
	CloseText, PlanText, ProgressText, TurnText, TurnLate, ScheduleText string
	WeekText                                                            string
	CheckLines                                                          []string
	Engagement, Progress, Timeline                                      *svgChart
	// Burnup is the plan's done against total tasks by week, from its git
	// history; HistoryLines say the rest of the history.
	Burnup       template.HTML
	HistoryLines []string
	// FirstHead heads the first-visit column: from the -since day when the
	// days before were not read.
	FirstHead string
}

// svgChart is a chart's geometry, computed here and drawn by the template.
type svgChart struct {
	Label  string // what the chart shows, its accessible name
	W, H   int
	Rects  []svgRect
	Lines  []svgLine // under the marks
	Over   []svgLine // over the marks
	Texts  []svgText
	Circle []svgCircle
	// Diamonds mark milestones' dates, over the other marks.
	Diamonds []svgDiamond
}

type svgRect struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
	Title          string // what the line marks, for a mark that means more than its place (a slip)
}

type svgText struct {
	X, Y   float64
	Anchor string
	Class  string
	Text   string
}

// svgDiamond is a diamond of half-width R centred on X, Y: a milestone.
type svgDiamond struct {
	Points string // the polygon's
	Class  string
	Title  string
}

func diamond(x, y, r float64, class, title string) svgDiamond {
	return svgDiamond{Points: fmt.Sprintf("%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", x, y-r, x+r, y, x, y+r, x-r, y), Class: class, Title: title}
}

type svgCircle struct {
	X, Y, R float64
	Class   string
	Title   string
}

func (r *Report) htmlDeals() []htmlDeal {
	out := make([]htmlDeal, 0, len(r.Deals))
	for i := range r.Deals {
		d := &r.Deals[i]
		hd := htmlDeal{DealReport: d, CloseText: closeText(d), PlanText: planText(d), CheckLines: checkLines(d), ProgressText: dealProgressText(d), WeekText: weekText(d.Week, d.Progress.Percent), FirstHead: "First"}
		if r.Since != "" {
			hd.FirstHead = "First from " + r.Since
		}
		if d.Turn != nil {
			hd.TurnText, hd.TurnLate = turnText(d.Turn), turnLateWords(d.Turn)+" ("+d.Turn.Severity+")"
		}
		if d.Schedule != nil {
			hd.ScheduleText = scheduleText(d.Schedule, d.Close) + "; " + pathLabel(d.Schedule) + " " + strings.Join(d.Schedule.CriticalPath, " → ")
		}
		if !r.Input.PlansOnly {
			// Without events, every week would read "no active time":
			// not known is not none.
			hd.Engagement = engagementChart(r.Weeks, d)
		}
		hd.Progress = progressChart(d)
		hd.Timeline = timelineChart(r.Today, d)
		hd.Burnup, hd.HistoryLines = burnupSVG(d.History), historyLines(d.History)
		out = append(out, hd)
	}
	return out
}

const (
	labelW = 230.0 // room for names on the left of a chart
	rowH   = 22.0
)

// engagementChart is a heat map: a row per buyer stakeholder, a column per
// week, darker for more active time, counted in seconds so that a few
// seconds show.
func engagementChart(weeks []string, d *DealReport) *svgChart {
	if len(d.Stakeholders) == 0 {
		return nil
	}
	cellW := 46.0
	ch := &svgChart{Label: "Active time per buyer stakeholder per week, darker for more", W: int(labelW + cellW*float64(len(weeks)) + 10), H: int(24 + rowH*float64(len(d.Stakeholders)) + 6)}
	for j, wk := range weeks {
		if j%2 == len(weeks)%2 || j == len(weeks)-1 {
			ch.Texts = append(ch.Texts, svgText{X: labelW + cellW*float64(j) + cellW/2, Y: 14, Anchor: "middle", Class: "axis", Text: wk[5:]})
		}
	}
	most := int64(1)
	for _, s := range d.Stakeholders {
		for _, sec := range s.WeeklySeconds {
			most = max(most, sec)
		}
	}
	for i, s := range d.Stakeholders {
		y := 24 + rowH*float64(i)
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Text: s.Name})
		for j, sec := range s.WeeklySeconds {
			level, active := 0, "no active time"
			if sec > 0 {
				level, active = 1+int(min(3, sec*4/(most+1))), hoursMinutes(sec)+" active"
			}
			ch.Rects = append(ch.Rects, svgRect{X: labelW + cellW*float64(j) + 1, Y: y + 1, W: cellW - 2, H: rowH - 2,
				Class: fmt.Sprintf("heat%d", level), Title: fmt.Sprintf("%s, week of %s: %s", s.Name, weeks[j], active)})
		}
	}
	return ch
}

// progressChart draws a bar per milestone: done on time, done late, overdue
// and open tasks.
func progressChart(d *DealReport) *svgChart {
	if len(d.Milestones) == 0 {
		return nil
	}
	most := 1
	for _, m := range d.Milestones {
		most = max(most, m.Progress.Total)
	}
	unit := 360.0 / float64(most)
	state := 60.0 // the room for "100%" after a bar
	if slices.ContainsFunc(d.Milestones, func(m MilestoneProgress) bool { return m.DaysLate > 0 }) {
		state = 200 // and for ", 26 days late (alert)"
	}
	ch := &svgChart{Label: "Progress by milestone: steps done on time, done late, overdue and open", W: int(labelW + 360 + state), H: int(rowH*float64(len(d.Milestones)) + 8)}
	for i, m := range d.Milestones {
		y := 4 + rowH*float64(i)
		label := m.Title
		if m.Onboarding {
			label = "(onboarding) " + label
		}
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Text: shorten(label, 32)})
		x := labelW
		p := m.Progress
		for _, seg := range []struct {
			n          int
			class, txt string
		}{{p.DoneOnTime, "done", "done on time"}, {p.DoneLate, "donelate", "done late"},
			{p.Overdue, "overdue", "overdue"}, {p.Open - p.Overdue, "open", "open"}} {
			if seg.n == 0 {
				continue
			}
			w := unit * float64(seg.n)
			ch.Rects = append(ch.Rects, svgRect{X: x, Y: y + 3, W: w - 1, H: rowH - 6, Class: seg.class,
				Title: fmt.Sprintf("%s: %d %s", m.Title, seg.n, seg.txt)})
			x += w
		}
		state := fmt.Sprintf("%d%%", p.Percent)
		if m.DaysLate > 0 {
			state += ", " + milestoneLate(m)
		}
		ch.Texts = append(ch.Texts, svgText{X: x + 6, Y: y + 15, Text: state, Class: "axis"})
	}
	return ch
}

// timelineChart draws each milestone and its tasks on a calendar: a
// milestone's row a diamond on its date, then its tasks' rows, open work
// with a duration as a bar from its earliest start to its earliest finish,
// open work without one (a task written with a due date only) as a mark on
// its due date, not at today; done work as a dot on its done date, the due
// date as a tick; today and the close date as lines; the history's slips
// on their rows (slipMarks).
func timelineChart(today string, d *DealReport) *svgChart {
	if len(d.Tasks) == 0 {
		return nil
	}
	t0, _ := deal.ParseDate(today)
	lo, hi := t0, t0
	see := func(s string) {
		if dt, err := deal.ParseDate(s); err == nil {
			if dt.Before(lo) {
				lo = dt
			}
			if dt.After(hi) {
				hi = dt
			}
		}
	}
	see(d.Close)
	for _, m := range d.Milestones {
		see(m.Due)
	}
	for _, t := range d.Tasks {
		see(t.Due)
		see(t.Done)
		see(t.Start)
		see(t.Finish)
	}
	if d.History != nil {
		// A slip's line runs from its first date: the calendar holds
		// it whole, or the line would read as a smaller slip.
		for _, s := range d.History.Slips {
			if s.Kind == "task" || s.Kind == "milestone" {
				see(s.First)
				see(s.Now)
			}
		}
	}
	lo, hi = lo.AddDays(-3), hi.AddDays(3)
	span := float64(max(1, lo.DaysUntil(hi)))
	plotW := 560.0
	xOf := func(s string) (float64, bool) {
		dt, err := deal.ParseDate(s)
		if err != nil {
			return 0, false
		}
		return labelW + plotW*float64(lo.DaysUntil(dt))/span, true
	}
	top := 20.0
	rows := timelineRows(d)
	ch := &svgChart{Label: "The plan's milestones and steps on a calendar, with today and the close date", W: int(labelW + plotW + 20), H: int(top + rowH*float64(len(rows)) + 10)}
	bottom := float64(ch.H) - 4
	// Month ticks, labelled every step months so that no two labels
	// meet (a label is about monthLabelW wide), the months counted from
	// January so that a long plan is labelled by quarter or half year;
	// the month the calendar starts in is labelled at its left edge when
	// its first tick is far enough away, and a month starting too near the
	// right edge for its label has its tick alone.
	const monthLabelW = 56.0
	step := 1
	for _, s := range []int{1, 2, 3, 6, 12} {
		step = s
		if float64(s)*30.4*plotW/span >= monthLabelW {
			break
		}
	}
	right := float64(ch.W) - 2
	first := true
	for dt := lo; !dt.After(hi); dt = dt.AddDays(1) {
		if dt.Time().Day() != 1 {
			continue
		}
		x, _ := xOf(dt.String())
		if first && x-labelW >= monthLabelW+4 {
			ch.Texts = append(ch.Texts, svgText{X: labelW + 3, Y: 12, Class: "axis", Text: lo.Time().Format("Jan 2006")})
		}
		first = false
		if (int(dt.Time().Month())-1)%step != 0 {
			continue
		}
		ch.Lines = append(ch.Lines, svgLine{X1: x, Y1: top - 4, X2: x, Y2: bottom, Class: "grid"})
		if x+3+monthLabelW <= right { // a month starting at the edge keeps its tick alone
			ch.Texts = append(ch.Texts, svgText{X: x + 3, Y: 12, Class: "axis", Text: dt.Time().Format("Jan 2006")})
		}
	}
	rowOf := map[string]float64{} // "task:" or "milestone:" and the id: the row's top
	for i, r := range rows {
		y := top + rowH*float64(i)
		if m := r.milestone; m != nil {
			rowOf["milestone:"+m.ID] = y
			// bold: fewer letters fit the labels' column
			ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Class: "ms", Text: shorten(m.Title, 28)})
			if x, ok := xOf(m.Due); ok {
				class, title := "ms open", fmt.Sprintf("%s (milestone, lead %s): due %s", m.Title, m.LeadName, m.Due)
				switch {
				case m.Done:
					class, title = "ms done", title+", reached "+m.DoneOn
				case m.DaysLate > 0:
					class, title = "ms overdue", title+", "+milestoneLate(*m)
				}
				ch.Diamonds = append(ch.Diamonds, diamond(x, y+rowH/2, 6, class, title))
			}
			continue
		}
		t := r.task
		rowOf["task:"+t.ID] = y
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Text: shorten(t.Title, 32)})
		class := "open"
		switch {
		case t.Status == string(deal.Done):
			class = "done"
		case t.Overdue:
			class = "overdue"
		}
		if t.Critical {
			class += " critical"
		}
		title := fmt.Sprintf("%s (%s, %s): %s", t.Title, t.Owner, sideLabel(t.Side), t.Status)
		if t.Due != "" {
			title += ", due " + t.Due
		}
		if t.Status == string(deal.Done) {
			if x, ok := xOf(t.Done); ok {
				ch.Circle = append(ch.Circle, svgCircle{X: x, Y: y + rowH/2, R: 5, Class: class, Title: title + ", done " + t.Done})
			}
		} else if x1, ok := xOf(t.Start); ok && (t.Start != t.Finish || t.Due == "") {
			x2, _ := xOf(t.Finish)
			ch.Rects = append(ch.Rects, svgRect{X: x1, Y: y + 5, W: max(4, x2-x1+plotW/span), H: rowH - 10, Class: class, Title: title})
		} else if x, ok := xOf(t.Due); ok {
			ch.Rects = append(ch.Rects, svgRect{X: x - 2, Y: y + 5, W: 4, H: rowH - 10, Class: class, Title: title})
		}
		if x, ok := xOf(t.Due); ok {
			ch.Over = append(ch.Over, svgLine{X1: x, Y1: y + 3, X2: x, Y2: y + rowH - 3, Class: "due"})
		}
	}
	if x, ok := xOf(d.Close); ok {
		ch.Over = append(ch.Over, svgLine{X1: x, Y1: top - 6, X2: x, Y2: bottom, Class: "close"})
		ch.Texts = append(ch.Texts, svgText{X: x - 3, Y: bottom - 2, Anchor: "end", Class: "axis", Text: "close"})
	}
	ch.Over = append(ch.Over, slipMarks(d, xOf, rowOf)...)
	x, _ := xOf(today)
	ch.Over = append(ch.Over, svgLine{X1: x, Y1: top - 6, X2: x, Y2: bottom, Class: "today"})
	ch.Texts = append(ch.Texts, svgText{X: x + 3, Y: bottom - 2, Class: "today-label", Text: "today"})
	return ch
}

// timelineRow is a row of the timeline: a milestone or a task.
type timelineRow struct {
	milestone *MilestoneProgress
	task      *TaskLine
}

// timelineRows are the timeline's rows: each milestone, then its tasks in
// the plan's order; a task of no milestone listed, last.
func timelineRows(d *DealReport) []timelineRow {
	var out []timelineRow
	placed := make([]bool, len(d.Tasks))
	for i := range d.Milestones {
		m := &d.Milestones[i]
		out = append(out, timelineRow{milestone: m})
		for j := range d.Tasks {
			if !placed[j] && d.Tasks[j].Milestone == m.ID {
				placed[j] = true
				out = append(out, timelineRow{task: &d.Tasks[j]})
			}
		}
	}
	for j := range d.Tasks {
		if !placed[j] {
			out = append(out, timelineRow{task: &d.Tasks[j]})
		}
	}
	return out
}

// scoreBars draws the attention ranking as bars, by priority.
func scoreBars(p *Portfolio) *svgChart {
	if p == nil || len(p.Ranking) == 0 {
		return nil
	}
	most := 1.0
	for _, d := range p.Ranking {
		most = max(most, d.Priority)
	}
	ch := &svgChart{Label: "Deals by priority (attention points × size)", W: int(labelW + 400 + 40), H: int(rowH*float64(len(p.Ranking)) + 8)}
	for i, d := range p.Ranking {
		y := 4 + rowH*float64(i)
		w := 400 * d.Priority / most
		ch.Texts = append(ch.Texts, svgText{X: labelW - 8, Y: y + 15, Anchor: "end", Text: shorten(d.Title, 32)})
		ch.Rects = append(ch.Rects, svgRect{X: labelW, Y: y + 3, W: w, H: rowH - 6, Class: "overdue", Title: weighedText(d, p.SizeMedian) + ": " + reasonsText(d.Reasons, 5)})
		ch.Texts = append(ch.Texts, svgText{X: labelW + w + 6, Y: y + 15, Class: "axis", Text: decimal(d.Priority)})
	}
	return ch
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":           dateOnly,
	"minutes":       hoursMinutes,
	"opened":        openedText,
	"never":         neverText,
	"replied":       repliedText,
	"reportNotes":   reportNotes,
	"leftOut":       leftOut,
	"publishedText": publishedText,
	"ratio":         ratioText,
	"slip":          medianSlipText,
	"rankClose":     rankClose,
	"rankingNote":   rankingNote,
	"weighed":       weighedText,
	"decimal":       decimal,
	"plural":        plural,
	"weekSpan":      weekSpan,
	"few":           func(p *Portfolio) bool { return p.WinRateWithPlan.Den+p.WinRateWithoutPlan.Den < 10 },
	"reasons":       reasonsText,
	"f":             func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"join":          strings.Join,
	"what":          func(w WaitingReply) string { return replyWhat(&w) },
	"age":           ageText,
	"money":         money,
	"when":          activityDay,
	"refs":          refsText,
}).Parse(`
{{define "page"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex,nofollow,noarchive">
<title>{{if .R.Title}}{{.R.Title}}{{else}}maproom report{{end}}, {{.R.Today}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 4px;padding-top:16px;border-top:2px solid #dde3ea}
h3{font-size:14px;margin:18px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#52606d}
.meta{color:#52606d}.id{color:#5f6b78;font-weight:normal;font-size:13px}
table{border-collapse:collapse;margin:4px 0 8px;font-size:13px}th,td{text-align:left;padding:4px 10px 4px 0;border-bottom:1px solid #eef1f4;vertical-align:top}
th{color:#52606d;font-weight:600}td.n{text-align:right}
.alert{color:#b71c1c;font-weight:600}.flag{color:#a15c00;font-weight:600}.late{color:#52606d}
.sig{margin:6px 0;padding:8px 12px;border-left:4px solid #a15c00;background:#fff8e6}.sig-alert{border-color:#b71c1c;background:#fdecea}
.sig ul{margin:4px 0 0 18px;padding:0}.warn{color:#a15c00}.check{margin:4px 0 0 18px;padding:0;overflow-wrap:anywhere}
svg{display:block;margin:6px 0 10px;max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}svg text.axis{fill:#7b8794;font-size:11px}svg text.today-label{fill:#1565c0;font-size:11px}
.heat0{fill:#f0f2f5}.heat1{fill:#c6dbef}.heat2{fill:#6baed6}.heat3{fill:#2171b5}.heat4{fill:#08306b}
.done{fill:#2e7d32}.donelate{fill:#9e9d24}.overdue{fill:#c62828}rect.overdue{fill:url(#od)}i.od{background:repeating-linear-gradient(45deg,#c62828 0 3px,#e88b8b 3px 5px)}.open{fill:#b0bec5}.critical{stroke:#ef6c00;stroke-width:2}
line.grid{stroke:#eef1f4}line.due{stroke:#37474f;stroke-width:1.5}line.today{stroke:#1565c0;stroke-width:2}line.close{stroke:#37474f;stroke-dasharray:4 3}line.slip{stroke:#ef6c00;stroke-width:2;stroke-dasharray:3 2}polygon.ms{stroke:#37474f;stroke-width:1}svg text.ms{font-weight:600}svg.burnup{display:block;margin:.25rem 0 .5rem}
.tw{overflow-x:auto}.week{margin:6px 0;padding:8px 12px;border-left:4px solid #1565c0;background:#f3f7fc}.week ul{margin:4px 0 0 18px;padding:0}
@media (max-width:640px){body{padding:12px}h2{font-size:17px}.chart{overflow-x:auto}.chart svg{max-width:none}table.stack tr:first-child{display:none}table.stack tr{display:block;padding:6px 0;border-bottom:1px solid #eef1f4}table.stack td{display:block;border:0;padding:1px 0}table.stack td[data-l]::before{content:attr(data-l) ": ";color:#52606d;font-weight:600}td.n{text-align:left}}
@media print{body{padding:0;max-width:none}.tw,.chart{overflow:visible}h2{break-before:auto;break-after:avoid}tr,.sig,.week,svg{break-inside:avoid}*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
.legend span{display:inline-block;margin-right:14px;font-size:12px;color:#52606d}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
</style></head><body><main>
<h1>{{if .R.Title}}{{.R.Title}}{{else}}maproom report{{end}}: {{.R.Today}}</h1>
<p class="meta">{{plural .R.Input.Events "event" "events"}} from {{plural .R.Input.Files "log file" "log files"}}{{leftOut .R.Input}}; {{plural .R.Input.Visits "human-verified visit" "human-verified visits"}}{{if .R.Input.Scanner}}; {{plural .R.Input.Scanner "scanner-like page-load" "scanner-like page-loads"}} not counted as reads{{end}}{{if .R.Input.Duplicates}}; {{.R.Input.Duplicates}} duplicates dropped{{end}}{{if .R.Since}}; since {{.R.Since}}{{end}}. Times in {{.R.Timezone}}.</p>
{{range reportNotes .R}}<p class="warn">{{.}}.</p>
{{end}}{{if .Portfolio}}{{template "portfolio" .}}{{end}}
{{range .Deals}}{{template "deal" .}}{{end}}
</main></body></html>
{{end}}

{{define "portfolio"}}{{with .Portfolio}}
<h2>Portfolio</h2>
<p class="meta">{{.Deals}} deals: {{.Open}} open, {{.Won}} won, {{.Lost}} lost. <b>Pipeline</b> (the open deals' value) {{money .Pipeline}}, of which <b>committed</b> {{money .Committed}} (a current plan that passes check, fits before its close, no step late at alert on its critical path or holding up late work, none blocked that the close waits on, not flat, the buyer owning steps, {{publishedText .}}, its close ahead); won {{money .WonValue}}.</p>
<div class="tw"><table><tr><th>Measure</th><th>Value</th><th>What it counts</th></tr>
<tr><td>Coverage</td><td>{{ratio .Coverage}}</td><td>recent deals (open, or ended in the last 90 days) run with a plan (at least one milestone, as in the win rates)</td></tr>
<tr><td>Completion</td><td>{{ratio .Completion}}</td><td>tasks done in the plans of ended (won or lost) deals</td></tr>
<tr><td>Win rate with a plan</td><td>{{ratio .WinRateWithPlan}}</td><td>won of ended deals with at least one milestone</td></tr>
<tr><td>Win rate without a plan</td><td>{{ratio .WinRateWithoutPlan}}</td><td>won of ended deals without milestones</td></tr>
{{range .BySize}}<tr><td>Win rate, deals {{.Label}}</td><td>{{ratio .WithPlan}} with a plan, {{ratio .WithoutPlan}} without</td><td>at comparable size: ended deals split in two at about their median value</td></tr>
{{end}}
</table></div>
{{with .History}}<div class="tw"><table><tr><th>From the plans' history</th><th>Value</th><th>What it counts</th></tr>
<tr><td>Deals with buyer edits</td><td>{{ratio .WithBuyerEdits}}</td><td>deals whose plan a buyer-side person changed, of deals whose plan git holds from while they were open</td></tr>
<tr><td>Median slip</td><td>{{slip .}}</td><td>days a date moved later, the median over every slip</td></tr>
<tr><td>Win rate with buyer edits</td><td>{{ratio .WinRateWithBuyerEdits}}</td><td>won of ended deals whose plan a buyer changed before it was won or lost</td></tr>
<tr><td>Win rate without buyer edits</td><td>{{ratio .WinRateWithoutBuyerEdits}}</td><td>won of ended deals no buyer changed before they were won or lost</td></tr>{{if .Shallow}}
<tr><td>Left out</td><td>{{.Shallow}}</td><td>deals a shallow clone cuts the history of (git fetch --unshallow reads it)</td></tr>{{end}}
</table></div>{{end}}
{{if few .}}<p class="meta">Few ended deals: read the win rates as anecdotes.</p>{{end}}
<h3>Needs attention first</h3>
{{if .Ranking}}<p class="meta">{{rankingNote .}}</p>
{{template "svg" $.Scores}}
<table class="stack"><tr><th>#</th><th>Deal</th><th>Priority</th><th>Close</th><th>Points × size</th><th>Why</th></tr>
{{$median := .SizeMedian}}{{range .Ranking}}<tr><td class="n" data-l="#">{{.Rank}}</td><td data-l="Deal">{{.Title}} <span class="id">{{.Deal}}</span></td><td class="n" data-l="Priority">{{decimal .Priority}}</td><td data-l="Close">{{rankClose .}}</td><td data-l="Points × size">{{weighed . $median}}</td><td data-l="Why">{{reasons .Reasons 5}}</td></tr>
{{end}}</table>{{else}}<p>No deal needs attention.</p>{{end}}
{{end}}{{end}}

{{define "deal"}}
<h2>{{.Title}} <span class="id">{{.ID}}</span></h2>
<p class="meta"><b>{{.Outcome}}</b> · {{.CloseText}} · {{if eq .Plan "ok"}}{{.PlanText}}{{else}}<span class="warn">{{.PlanText}}</span>{{end}} · {{.ProgressText}}{{if .Value}} · value {{money .Value}}{{end}}</p>{{if .CheckLines}}
<ul class="check">{{range .CheckLines}}<li><span class="warn">Check error:</span> {{.}}</li>{{end}}</ul>{{end}}
{{with .Week}}<div class="week"><b>Last 7 days, {{weekSpan .}}:</b> {{$.WeekText}}{{if or .Done .Reopened .NewOverdue}}<ul>{{if .Done}}<li>done: {{refs .Done}}</li>{{end}}{{if .Reopened}}<li>reopened: {{refs .Reopened}}</li>{{end}}{{if .NewOverdue}}<li>newly overdue: {{refs .NewOverdue}}</li>{{end}}</ul>{{end}}</div>{{end}}
{{if .TurnText}}<p><b>Whose turn:</b> {{.TurnText}}{{if .Turn.DaysLate}}; <span class="{{.Turn.Severity}}">{{.TurnLate}}</span>{{end}}</p>{{end}}
{{if .ScheduleText}}<p><b>Schedule:</b> {{if .Schedule.Fits}}{{.ScheduleText}}{{else}}<span class="alert">{{.ScheduleText}}</span>{{end}}</p>{{end}}
{{if .Signals}}<h3>Warning signals</h3>
{{range .Signals}}<div class="sig sig-{{.Severity}}"><b class="{{.Severity}}">{{.Severity}}</b> {{.Summary}}<ul>{{range .Evidence}}<li>{{.}}</li>{{end}}</ul></div>
{{end}}{{end}}
{{if .Replies}}<h3>Replies waiting</h3>
<div class="tw"><table><tr><th>Reply</th><th>Person</th><th>Side</th><th>Kind</th><th>About</th><th>What</th><th>Age</th></tr>
{{range .Replies}}<tr><td><code>{{.ID}}</code></td><td>{{.Person}}</td><td>{{.Side}}</td><td>{{.Kind}}</td><td>{{.About}}</td><td>{{what .}}</td><td>{{age .AgeDays}}</td></tr>
{{end}}</table></div>{{end}}
{{if .Overdue}}<h3>Overdue</h3>
<table class="stack"><tr><th>Task</th><th>Owner</th><th>Side</th><th>Due</th><th>Calendar days late</th><th>Severity</th><th>Status</th></tr>
{{range .Overdue}}<tr><td>{{.Title}}{{if .Critical}} <span class="id">critical path</span>{{end}}{{if .WaitsOn}} <span class="id">waits on {{.WaitsOn}}</span>{{end}}</td><td data-l="Owner">{{.OwnerName}}</td><td data-l="Side">{{.Side}}</td><td data-l="Due">{{.Due}}{{if .DueComputed}} (computed){{end}}</td><td class="n" data-l="Calendar days late">{{.DaysLate}}</td><td class="{{.Severity}}" data-l="Severity">{{.Severity}}</td><td data-l="Status">{{.StatusLine}}</td></tr>
{{end}}</table>{{end}}
{{if .Progress}}<h3>Progress by milestone</h3>
<div class="legend"><span><i style="background:#2e7d32"></i>done on time</span><span><i style="background:#9e9d24"></i>done late</span><span><i class="od"></i>overdue</span><span><i style="background:#b0bec5"></i>open</span></div>
{{template "svg" .Progress}}{{end}}
{{if .HistoryLines}}<h3>History</h3>
{{.Burnup}}<div class="legend"><span><i style="background:#bbf7d0;border:1px solid #15803d"></i>done</span><span><i style="background:#1f2937;height:2px"></i>all tasks</span><span><i style="background:#ef6c00;height:2px"></i>slip on the timeline: first date to date now</span></div>
<ul>{{range .HistoryLines}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{if .Timeline}}<h3>Plan timeline</h3>
<div class="legend"><span><i style="background:#2e7d32"></i>done</span><span><i style="background:#b0bec5"></i>open (earliest start to finish)</span><span><i class="od"></i>overdue</span><span><i style="background:#fff;border:2px solid #ef6c00;width:6px;height:6px"></i>critical path</span><span><i style="background:#37474f;width:2px"></i>due date</span><span><i style="background:#b0bec5;border:1px solid #37474f;width:7px;height:7px;transform:rotate(45deg)"></i>milestone date</span><span><i style="background:#ef6c00;height:2px"></i>slip: first date to date now</span><span><i style="background:#1565c0;width:2px"></i>today</span></div>
{{template "svg" .Timeline}}{{end}}
{{if .Stakeholders}}<h3>Engagement per stakeholder per week (active time)</h3>
{{if .Engagement}}{{template "svg" .Engagement}}{{else}}<p class="meta">Not known: no event log was read.</p>{{end}}
<div class="tw"><table><tr><th>Stakeholder</th><th>Role</th><th>Visits</th><th>{{.FirstHead}}</th><th>Last</th><th>Active</th><th>Networks</th><th>Scanner-like</th><th>Read (reading time)</th><th>Never read</th></tr>
{{range .Stakeholders}}<tr><td>{{.Name}}{{if not .Room}} <span class="warn">(no room)</span>{{end}}</td><td>{{.Role}}</td><td class="n">{{.Visits}}{{if .OldLinkVisits}} <span class="warn">({{.OldLinkVisits}} old link)</span>{{end}}{{replied .}}</td><td>{{day .FirstVisit}}</td><td>{{day .LastVisit}}</td><td class="n">{{minutes .ActiveSeconds}}</td><td class="n">{{.Networks}}</td><td class="n">{{.Scanner}}</td><td>{{opened .}}</td><td>{{never .}}</td></tr>
{{end}}</table></div>
{{if .SellerPreviews}}<p class="meta">Seller-side previews, not counted as engagement: {{.SellerPreviews}}.</p>{{end}}{{end}}
{{if .Activity}}<h3>Activity</h3>
<table class="stack"><tr><th>When</th><th>Who</th><th>What</th></tr>
{{range .Activity}}<tr><td>{{when .Time}}</td><td data-l="Who">{{.Who}}{{if .Side}} <span class="id">{{.Side}}</span>{{end}}</td><td>{{.What}}</td></tr>
{{end}}</table>{{end}}
{{end}}

{{define "svg"}}{{if .}}<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Label}}">
<defs><pattern id="od" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#c62828"/><rect width="2" height="5" fill="#e88b8b"/></pattern></defs>
{{range .Lines}}<line x1="{{f .X1}}" y1="{{f .Y1}}" x2="{{f .X2}}" y2="{{f .Y2}}" class="{{.Class}}"/>
{{end}}{{range .Rects}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" class="{{.Class}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Circle}}<circle cx="{{f .X}}" cy="{{f .Y}}" r="{{f .R}}" class="{{.Class}}"><title>{{.Title}}</title></circle>
{{end}}{{range .Over}}<line x1="{{f .X1}}" y1="{{f .Y1}}" x2="{{f .X2}}" y2="{{f .Y2}}" class="{{.Class}}"{{if .Title}}><title>{{.Title}}</title></line>{{else}}/>{{end}}
{{end}}{{range .Diamonds}}<polygon points="{{.Points}}" class="{{.Class}}"><title>{{.Title}}</title></polygon>
{{end}}{{range .Texts}}<text x="{{f .X}}" y="{{f .Y}}"{{if .Anchor}} text-anchor="{{.Anchor}}"{{end}}{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</text>
{{end}}</svg></div>{{end}}{{end}}
`))
