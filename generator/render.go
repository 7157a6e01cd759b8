package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/html"
	"github.com/tdewolff/minify/v2/js"
	"github.com/tdewolff/minify/v2/svg"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/hostconf"
	"github.com/maproom/maproom/internal/ics"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/token"
)

// renderer turns loaded deals into files. It is built once per build and
// shared by the workers: everything in it is read-only after newRenderer.
type renderer struct {
	cfg    *Config
	secret []byte
	today  deal.Date
	beacon string // beacon URL written into pages; "" when none
	csp    string
	tpl    *template.Template
	md     *markdown
	min    *minify.M
	assets assets
	// waiting holds the waiting replies the build was given, by deal.
	waiting map[string][]reply.Reply
	// previewReplies: Options.PreviewReplies.
	previewReplies bool
	// history is the plans' git history; nil: none.
	history *history.History
	// shared holds the site-wide files: hashed assets, index, 404, robots.
	shared map[string][]byte
	// sellerLogo is the path of the [brand] logo under the site root; ""
	// without one.
	sellerLogo string
}

// newMinifier registers the minifiers once; conservative HTML settings keep
// document tags, end tags and quotes, so templates stay valid for any theme.
func newMinifier() *minify.M {
	m := minify.New()
	m.Add("text/html", &html.Minifier{KeepDocumentTags: true, KeepEndTags: true, KeepQuotes: true, KeepDefaultAttrVals: true})
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("image/svg+xml", svg.Minify)
	m.AddFuncRegexp(regexp.MustCompile("^(application|text)/(x-)?(java|ecma)script$"), js.Minify)
	return m
}

func newRenderer(theme fs.FS, cfg *Config, secret []byte, today deal.Date, beacon string, extra []string) (*renderer, error) {
	r := &renderer{cfg: cfg, secret: secret, today: today, beacon: beacon, md: newMarkdown(), min: newMinifier(), shared: map[string][]byte{}}
	tpl, err := template.New("").Option("missingkey=error").ParseFS(theme, "layouts/*.html")
	if err != nil {
		return nil, fmt.Errorf("theme templates: %w", err)
	}
	for _, name := range []string{"room.html", "page.html", "index.html"} {
		if tpl.Lookup(name) == nil {
			return nil, fmt.Errorf("theme: layouts/%s is missing", name)
		}
	}
	r.tpl = tpl
	r.csp = contentSecurityPolicy(beacon)
	cssSrc, err := fs.ReadFile(theme, "assets/style.css")
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	// The accent colour of maproom.toml's [brand] follows the theme's own
	// variables, so it replaces the theme's accent.
	cssSrc = append(cssSrc, accentCSS(cfg.Brand.Accent)...)
	if r.assets.CSS, err = r.asset("style", ".css", "text/css", cssSrc); err != nil {
		return nil, err
	}
	if l := cfg.Brand.LogoImage; l.Data != nil {
		r.sellerLogo = r.raw("logo", l.Ext, l.Data)
	}
	if beacon != "" {
		jsSrc, err := fs.ReadFile(theme, "assets/room.js")
		if err != nil {
			return nil, fmt.Errorf("theme: a beacon URL is set but the room script is missing: %w", err)
		}
		if r.assets.JS, err = r.asset("room", ".js", "application/javascript", jsSrc); err != nil {
			return nil, err
		}
		replySrc, err := fs.ReadFile(theme, "assets/reply.js")
		if err != nil {
			return nil, fmt.Errorf("theme: a beacon URL is set but the reply script is missing: %w", err)
		}
		if r.assets.Reply, err = r.asset("reply", ".js", "application/javascript", replySrc); err != nil {
			return nil, err
		}
	}
	r.assets.Extra = extra
	// index.html and 404.html carry their small style inline, allowed by
	// its hash in the policy: 404.html answers at any depth, where a
	// relative link to the stylesheet would lead nowhere.
	bare := bareView{CSP: withBareStyle(r.csp), Style: template.CSS(bareCSS), Title: "Private", Heading: "Nothing to see here", Text: "Deal rooms are reached through personal links only."}
	if r.shared["index.html"], err = r.page("index.html", bare); err != nil {
		return nil, err
	}
	nf := bare
	nf.Title, nf.Heading, nf.Text = "Not found", "Not found", "This link does not lead to a room. If it was sent to you, ask the sender for a fresh one."
	if r.shared["404.html"], err = r.page("index.html", nf); err != nil {
		return nil, err
	}
	r.shared["robots.txt"] = []byte("User-agent: *\nDisallow: /\n")
	r.shared["_headers"] = []byte(headersFile(beacon))
	return r, nil
}

// raw stores data as is under a content-hashed name in assets/ and
// returns its path. The name is an unkeyed hash anyone can compute from
// the content: only for what the whole site shares, never a deal's own
// content (a buyer's logo goes under f/, see brand).
func (r *renderer) raw(name, ext string, data []byte) string {
	sum := sha256.Sum256(data)
	p := "assets/" + name + "." + hex.EncodeToString(sum[:5]) + ext
	r.shared[p] = data
	return p
}

// bareCSS is the inline style of index.html and 404.html, written as the
// minifier writes it (so the HTML minifier leaves it as is and its hash
// holds: TestBarePagesStyleAllowedByHash).
const bareCSS = `body{margin:0;font:16px/1.5 system-ui,-apple-system,segoe ui,Roboto,sans-serif;color:#1b1f24;background:#f4f6f9;padding:0 1em}main{max-width:30em;margin:18vh auto 0;padding:1.5em 2em;background:#fff;border:1px solid #d5dae1;border-top:4px solid #1a4fb5;border-radius:.5em}h1{font-size:1.4em;margin:0 0 .4em}p{margin:0;color:#4a5360}`

// bareStyleSrc is the CSP source that allows bareCSS and no other inline
// style.
var bareStyleSrc = func() string {
	sum := sha256.Sum256([]byte(bareCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// withBareStyle adds bareCSS's hash to a policy's style-src: the policy of
// index.html and 404.html, and of the site's headers, which cover them.
// A room's own policy allows no inline style at all.
func withBareStyle(csp string) string {
	return strings.Replace(csp, "style-src 'self'", "style-src 'self' "+bareStyleSrc, 1)
}

// asset minifies src and stores it under a content-hashed name.
func (r *renderer) asset(name, ext, mediatype string, src []byte) (string, error) {
	out, err := r.min.Bytes(mediatype, src)
	if err != nil {
		return "", fmt.Errorf("minifying %s%s: %w", name, ext, err)
	}
	sum := sha256.Sum256(out)
	p := "assets/" + name + "." + hex.EncodeToString(sum[:5]) + ext
	r.shared[p] = out
	return p, nil
}

// contentSecurityPolicy allows the site's own files and, for connections
// and form posts (replies), only the beacon's origin. form-action also
// names the rooms' own origin ('self'), because Chromium checks the
// redirect that answers a form post against it too: the beacon answers a
// reply with a redirect back to the room (design.md, "Replies"). Without
// a beacon, no form may post anywhere.
func contentSecurityPolicy(beacon string) string {
	connect, form := "'none'", "'none'"
	if beacon != "" {
		if strings.HasPrefix(beacon, "/") {
			connect = "'self'"
		} else if u, err := url.Parse(beacon); err == nil {
			connect = u.Scheme + "://" + u.Host
		}
		form = connect
		if form != "'self'" {
			form += " 'self'"
		}
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src " + connect + "; base-uri 'none'; form-action " + form
}

// Header is an HTTP response header.
type Header = hostconf.Header

// HeaderRules is the one table of the headers a published site asks of its
// host: _headers (Netlify, Cloudflare Pages) is written from it, and so are
// the nginx and Caddy configurations of maproom hostconfig; the preview
// sends what it gives a room (SiteHeaders). Every file gets the pages'
// policy (the meta tags' CSP) and what meta tags cannot say: framing,
// indexing, sniffing. Rooms and the deals' files (r/, f/: collateral and
// buyer logos) are never cached; the assets, whose names change with their
// content, are cached for a year, so assets/ holds only what every room of
// the site shares (theme, accent, the seller's logo) and nothing of a deal.
// No two rules give one path the same header (hostconf.Check), so every
// host serves the same headers whether it merges rules or picks one.
func HeaderRules(beacon string) []hostconf.Rule {
	noStore := []Header{{Name: "Cache-Control", Value: "no-store"}}
	return []hostconf.Rule{
		{Path: "/*", Headers: []Header{
			{Name: "X-Robots-Tag", Value: "noindex, nofollow, noarchive"},
			{Name: "Referrer-Policy", Value: "no-referrer"},
			{Name: "X-Content-Type-Options", Value: "nosniff"},
			{Name: "Content-Security-Policy", Value: withBareStyle(contentSecurityPolicy(beacon)) + "; frame-ancestors 'none'"},
			{Name: "X-Frame-Options", Value: "DENY"},
		}},
		{Path: "/r/*", Headers: noStore},
		{Path: "/f/*", Headers: noStore},
		{Path: "/assets/*", Headers: []Header{{Name: "Cache-Control", Value: "public, max-age=31536000, immutable"}}},
	}
}

// SiteHeaders are the headers HeaderRules gives a room of a site whose
// rooms post to beacon: what the preview sends with every file.
func SiteHeaders(beacon string) []Header {
	return hostconf.For(HeaderRules(beacon), "/r/")
}

// headersFile is _headers for hosts that read it (Netlify, Cloudflare
// Pages): HeaderRules as they read it.
func headersFile(beacon string) string {
	return hostconf.HeadersFile(HeaderRules(beacon))
}

// page executes a template and minifies the result.
func (r *renderer) page(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := r.tpl.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("theme layouts/%s: %w", name, err)
	}
	var out bytes.Buffer
	out.Grow(b.Len())
	if err := r.min.Minify("text/html", &out, &b); err != nil {
		return nil, fmt.Errorf("minifying %s: %w", name, err)
	}
	return out.Bytes(), nil
}

// emit receives the files of one deal.
type emit func(rel string, data []byte) error

// published is a collateral file's public path (slash path under public/).
func (r *renderer) filePath(b *Bundle, c *deal.Collateral, data []byte) string {
	sum := sha256.Sum256(data)
	var who []string
	for _, s := range b.Deal.Stakeholders {
		if c.CanSee(s) {
			who = append(who, fmt.Sprintf("%s:%d", s.ID, s.Rotate))
		}
	}
	sort.Strings(who)
	key := token.File(r.secret, b.Deal.ID, c.ID, hex.EncodeToString(sum[:]), strings.Join(who, ","))
	return "f/" + key + "/" + c.ID + strings.ToLower(path.Ext(c.File))
}

// renderDeal writes every room of one deal and returns its manifest rooms.
// recs are the deal's replies (dealReplies).
func (r *renderer) renderDeal(b *Bundle, recs []reply.Record, read func(string) ([]byte, error), out emit) ([]manifest.Room, error) {
	d := b.Deal
	if d.Withdrawn {
		// Taken down: no room in the manifest (RoomsOf), and no file either,
		// a link to which a buyer may still hold; the previous output of
		// the deal is removed when the build commits.
		return nil, nil
	}
	// Collateral: files are published once per deal; pages are rendered per
	// room (their links depend on what the person may see).
	files := map[string]string{} // collateral id -> public path of a file
	pages := map[string][]byte{} // collateral id -> Markdown source
	for i := range d.Collateral {
		c := &d.Collateral[i]
		data, err := read(c.File)
		if err != nil {
			return nil, err
		}
		if c.IsPage() {
			if fm, ok := pageFrontmatter(data); ok {
				data = fm.Body // a frontmatter block is not the page's (check warns)
			}
			pages[c.ID] = data
			continue
		}
		p := r.filePath(b, c, data)
		files[c.ID] = p
		if err := out(p, data); err != nil {
			return nil, err
		}
	}
	dv := newDealView(d, r.today)
	if p := b.Plan; p != nil && d.Outcome == deal.Open && !d.Close.IsZero() && !p.SalesFinish.IsZero() && p.SalesFinish.After(d.Close) {
		dv.Forecast, dv.ForecastDate = dateLabel(p.SalesFinish), p.SalesFinish.String()
		dv.HeldBy = heldBy(b, r.today)
	}
	brand, err := r.brand(b, read, out)
	if err != nil {
		return nil, err
	}
	all := r.milestones(b, nil, nil, "")
	parts := dealPartsView{Milestones: all, People: people(d), Criteria: d.Criteria}
	if !d.Closed() {
		// A closed plan has no today, overdue or critical path to show.
		crit, _ := b.critical(r.today)
		parts.Timeline = newTimeline(d, r.today, b.dateOf, crit)
	}
	dealParts, err := r.fragment("deal-parts", parts)
	if err != nil {
		return nil, err
	}
	prog := progressOf(d)
	rc := newReplyContext(d, r.history.Story(d.ID), r.cfg.Location)
	changes := rc.changes(recs)
	action := replyAction(r.beacon)
	memo := map[string][]byte{}
	type planPart struct {
		ms   []milestoneView
		html template.HTML
	}
	plans := map[string]planPart{}
	owners := map[string]bool{}
	for _, t := range d.Tasks() {
		owners[t.Owner] = true
	}
	// Whose move (deal.WaitingOn), with the critical path the room shows:
	// it breaks a tie between steps as late, and from durations its first
	// open step is the next move when nothing is late.
	turn, hasTurn := deal.WaitingOn(d, b.Plan.TurnPath(d, r.today), func(t *deal.Task) deal.Date { due, _ := b.dateOf(t); return due }, r.today)
	contact := newContactView(d)
	legend := legendOf(r.cfg.Overdue.Thresholds())
	if d.Closed() {
		legend = "" // a closed plan has no lateness to grade
	}
	for i := range d.Stakeholders {
		s := &d.Stakeholders[i]
		tok := token.Room(r.secret, d.ID, s.ID, s.Rotate)
		dir := "r/" + tok + "/"
		var visible []*deal.Collateral
		var sig strings.Builder
		for j := range d.Collateral {
			if d.Collateral[j].CanSee(*s) {
				visible = append(visible, &d.Collateral[j])
				sig.WriteString(d.Collateral[j].ID + ",")
			}
		}
		markdownFor := func(key, title string, src []byte, depth int) (template.HTML, error) {
			k := fmt.Sprintf("%s|%d|%s", key, depth, sig.String())
			if h, ok := memo[k]; ok {
				return template.HTML(h), nil
			}
			sc := r.scope(visible, files, depth)
			sc.topLevel = 3 // the welcome note sits under an h2
			if depth > 0 {
				sc.topLevel = 2 // a document page's own title is the h1
				sc.title = title
			}
			h, err := r.md.render(src, sc)
			if err != nil {
				return "", err
			}
			memo[k] = h
			return template.HTML(h), nil
		}
		// The plan part is shared by the rooms that see the same
		// documents, unless the person owns steps: their rows are marked.
		me, key := "", sig.String()
		if owners[s.ID] {
			me, key = s.ID, key+"|"+s.ID
		}
		plan, ok := plans[key]
		if !ok {
			plan.ms = r.milestones(b, visible, files, me)
			if plan.html, err = r.fragment("plan", planView{Milestones: plan.ms, Legend: legend}); err != nil {
				return nil, err
			}
			plans[key] = plan
		}
		base := pageBase{CSP: r.csp, Assets: r.assets, Token: tok, Beacon: r.beacon, Deal: dv, Me: newPersonView(d, s), Brand: brand}
		room := roomView{pageBase: base, TodayLabel: dateLabel(r.today), Progress: prog, Plan: plan.html, DealParts: dealParts, Contact: contact}
		if hasTurn {
			room.Waiting = r.waitingView(d, turn, s)
		}
		room.Root = "../../"
		room.PageTitle = d.Title
		welcome, err := markdownFor("", "", d.Body, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: welcome note: %w", d.File, err)
		}
		room.Welcome = welcome
		room.Docs = r.docs(visible, files, 0)
		if s.Side == deal.Seller {
			for i, c := range visible {
				room.Docs[i].Audience = audienceOf(d, c)
			}
		}
		if n := waitingCount(recs); n > 0 && s.Side == deal.Seller {
			who := "for your decision"
			if s.Name != rc.to {
				who = "for " + rc.to + "'s decision" // replies go to them
			}
			room.RepliesWaiting = plural(n, "reply from the buyer's rooms waits ", "replies from the buyer's rooms wait ") + who
		}
		if !d.Closed() {
			room.NextSteps = nextSteps(d, plan.ms, s.ID)
			for i := range room.NextSteps {
				// A blocked step has no date to confirm until the block
				// lifts: its owner proposes one, or marks it done.
				room.NextSteps[i].Confirmable = confirmable(room.NextSteps[i].Due, r.today) && room.NextSteps[i].Status != string(deal.Blocked)
			}
		}
		room.Replies = repliesView{Mine: rc.mineOf(recs, s.ID), Changes: rc.scoped(changes, s)}
		for i := range room.NextSteps {
			room.NextSteps[i].ReplyLabel = waitingLabel(room.Replies.Mine, room.NextSteps[i].ID)
		}
		if room.History, err = newHistoryView(b, r.history.Story(d.ID), s, r.cfg.Location, r.today); err != nil {
			return nil, fmt.Errorf("%s: %w", d.File, err)
		}
		room.History.Changes, room.Replies.Changes = joinChanges(room.History.Changes, room.Replies.Changes)
		room.Replies.Changes = inHistory(room.Replies.Changes, r.history.Story(d.ID))
		if action != "" && d.TakesReplies(s) {
			rv := &room.Replies
			rv.Forms, rv.Action, rv.To = true, action, rc.to
			rv.Groups, rv.Lead = askGroups(plan.ms), leads(plan.ms, s.ID)
			rv.Lead = slices.DeleteFunc(rv.Lead, func(m milestoneView) bool {
				ms, _ := d.Milestone(m.ID)
				return d.Outcome == deal.Won && (ms == nil || !ms.Onboarding) // a won deal's sale is over
			})
			for i := range rv.Lead {
				rv.Lead[i].Confirmable = confirmable(rv.Lead[i].Due, r.today)
			}
		}
		cal := r.calendar(b, s, &room)
		html, err := r.page("room.html", room)
		if err != nil {
			return nil, err
		}
		if err := out(dir+"index.html", html); err != nil {
			return nil, err
		}
		if cal != nil {
			if err := out(dir+"calendar.ics", cal); err != nil {
				return nil, err
			}
		}
		for _, c := range visible {
			src, ok := pages[c.ID]
			if !ok {
				continue
			}
			pv := pageView{pageBase: base}
			pv.Root = "../../../"
			pv.PageTitle = c.Title + " · " + d.Title
			pv.Page.ID, pv.Page.Title = c.ID, c.Title
			if pv.Page.Body, err = markdownFor(c.ID, repeatedTitle(src, c.Title), src, 1); err != nil {
				return nil, fmt.Errorf("%s: %w", c.File, err)
			}
			html, err := r.page("page.html", pv)
			if err != nil {
				return nil, err
			}
			if err := out(dir+c.ID+"/index.html", html); err != nil {
				return nil, err
			}
		}
	}
	return RoomsOf(d, r.secret), nil
}

// scope says where each file this person may see is published, relative to
// a page depth levels below the room.
func (r *renderer) scope(visible []*deal.Collateral, files map[string]string, depth int) *linkScope {
	s := &linkScope{visible: map[string]string{}}
	up := strings.Repeat("../", depth)
	for _, c := range visible {
		if p, ok := files[c.ID]; ok {
			s.visible[path.Clean(c.File)] = up + "../../" + p
		} else {
			s.visible[path.Clean(c.File)] = up + c.ID + "/"
		}
	}
	return s
}

func (r *renderer) docs(visible []*deal.Collateral, files map[string]string, depth int) []docView {
	var out []docView
	up := strings.Repeat("../", depth)
	for _, c := range visible {
		dv := docView{ID: c.ID, Title: c.Title}
		if p, ok := files[c.ID]; ok {
			dv.Href = up + "../../" + p
			dv.Kind = strings.ToUpper(strings.TrimPrefix(path.Ext(c.File), ".")) + " file"
		} else {
			dv.Href, dv.Page, dv.Kind = up+c.ID+"/", true, "page"
		}
		out = append(out, dv)
	}
	return out
}

// milestones builds the plan by milestone as seen by someone who may see
// the visible documents (nil: none are linked).
// me is the room's person, whose rows are marked as theirs ("" marks none).
func (r *renderer) milestones(b *Bundle, visible []*deal.Collateral, files map[string]string, me string) []milestoneView {
	d := b.Deal
	crit, _ := b.critical(r.today)
	turnPath := b.Plan.TurnPath(d, r.today) // what a late step waits on, by the turn's rule
	dueOf := func(t *deal.Task) deal.Date { due, _ := b.dateOf(t); return due }
	var upstream map[*deal.Task]*deal.Task // what each late step waits on, found once when one is late
	titles := map[string]string{}
	for _, t := range d.Tasks() {
		titles[t.ID] = t.Title
	}
	canSee := map[string]docView{}
	for _, dv := range r.docs(visible, files, 0) {
		canSee[dv.ID] = dv
	}
	var out []milestoneView
	for i := range d.Milestones {
		m := &d.Milestones[i]
		mv := milestoneView{ID: m.ID, Title: m.Title, Due: m.Due.String(), DueLabel: dateLabel(m.Due), Evidence: m.Evidence, LeadID: m.Lead, Seen: reply.SeenMilestone(m)}
		mv.Lead, mv.LeadSide = personOrRole(d, m.Lead)
		done := 0
		for j := range m.Tasks {
			t := &m.Tasks[j]
			tv := taskView{ID: t.ID, Title: t.Title, OwnerID: t.Owner, Status: string(t.Status), StatusLabel: statusLabels[t.Status], Evidence: t.Evidence}
			tv.Owner, tv.Side = personOrRole(d, t.Owner)
			due, _ := b.dateOf(t)
			tv.Due, tv.DueLabel = due.String(), dateLabel(due)
			tv.Seen = reply.SeenAt(t, due) // a planned date is carried when the schedule gives it
			// The work still under way: the sale's, or a won deal's
			// onboarding, whose path the report names too.
			going := !d.Ended() || d.Outcome == deal.Won && d.Onboarding(t)
			tv.Critical = crit[t.ID] && t.Status != deal.Done && going
			tv.DaysLate, tv.Class = lateness(d, t, due, r.today, r.cfg)
			if ts, ok := b.schedule(t.ID); ok && t.Status != deal.Done && going {
				slack := ts.Slack
				if !t.Due.IsZero() {
					// A step with a date of its own (with a duration or
					// not): how far that date, which its owner reads as
					// theirs, can move before another date of the plan
					// must; the forecast's slack counts from today's
					// start, and a step due in March would read "50 days
					// of slack" on a plan that signs that week.
					slack = ts.Room
				}
				pushed := pushedUntil(b, t, due)
				misses := t.Duration > 0 && !t.Due.IsZero() && ts.EarliestFinish.After(t.Due) && ts.EarliestFinish.After(r.today)
				// Whether the step can keep its date, on the critical path
				// too (the room's and the card's): the At risk note's reason.
				switch {
				case !pushed.IsZero() && pushed.After(r.today) && t.Duration > 0:
					tv.RiskLabel = "the steps it comes after finish " + dateLabel(pushed) + "; it finishes " + dateLabel(ts.EarliestFinish) + " at the earliest"
				case !pushed.IsZero() && pushed.After(r.today):
					tv.RiskLabel = "the steps it comes after finish " + dateLabel(pushed) + " at the earliest"
				case misses:
					tv.RiskLabel = "its work finishes " + dateLabel(ts.EarliestFinish) + " at the earliest, after its date"
				}
				// Its room (off the critical path, for a step not late and
				// able to keep its date).
				switch {
				case tv.Critical || tv.RiskLabel != "":
				case slack > 0 && tv.DaysLate == 0:
					tv.SlackLabel = plural(slack, "business day of slack", "business days of slack")
				case slack < 0 && ts.Bound == d.Close:
					tv.SlackLabel = plural(-slack, "business day", "business days") + " past the target signature"
				case slack < 0:
					tv.SlackLabel = "holds up the plan's later dates by " + plural(-slack, "business day", "business days")
				}
			}
			tv.Computed = t.Due.IsZero() && !due.IsZero()
			if t.Status == deal.Done {
				done++
				if !t.Done.IsZero() {
					tv.StatusLabel = "Done " + dateLabel(t.Done)
				}
			}
			if tv.DaysLate > 0 {
				tv.LateLabel = plural(tv.DaysLate, "day late", "days late")
				tv.SevLabel = severityWords[deal.Severity(tv.Class)]
				if going {
					// Late, and waiting on open work: say on what, as the
					// report and notify do (its owner cannot finish it
					// alone).
					if upstream == nil {
						upstream = deal.Upstreams(d, turnPath, dueOf)
					}
					if up := upstream[t]; up != nil {
						who, _ := personOrRole(d, up.Owner)
						if me != "" && up.Owner == me {
							who = "you" // as the room says of the person's own steps
						}
						tv.WaitsLabel = "waits on " + up.Title + " (" + who + ")"
					}
				}
			}
			tv.Mine = me != "" && t.Owner == me
			for _, a := range t.After {
				tv.After = append(tv.After, refView{ID: a, Title: titles[a]})
			}
			for _, c := range t.Collateral {
				if dv, ok := canSee[c]; ok {
					tv.Docs = append(tv.Docs, dv)
				}
			}
			mv.Tasks = append(mv.Tasks, tv)
		}
		if n := deal.MilestoneDaysLate(d, m, r.today); n > 0 {
			mv.SevClass = string(r.cfg.Overdue.Thresholds().Severity(n))
			mv.LateLabel, mv.SevLabel = plural(n, "day late", "days late"), severityWords[deal.Severity(mv.SevClass)]
		}
		switch {
		case len(m.Tasks) > 0 && done == len(m.Tasks):
			mv.StatusLabel, mv.Class = "Done", "done"
		case done == 0 && slices.ContainsFunc(m.Tasks, func(t deal.Task) bool { return t.Status == deal.InProgress || t.Status == deal.Blocked }):
			mv.StatusLabel = "Under way, none done yet" // a step in progress or blocked: started
		case done == 0:
			mv.StatusLabel = "Not started"
		default:
			mv.StatusLabel = fmt.Sprintf("%d of %d done", done, len(m.Tasks))
		}
		out = append(out, mv)
	}
	return out
}

// progressOf counts the plan's done and all tasks (deal.Progress).
func progressOf(d *deal.Deal) progress {
	var p progress
	p.Done, p.Total = d.Progress()
	if p.Total > 0 {
		p.Tenth = p.Done * 10 / p.Total
	}
	return p
}

// nextSteps lists the open tasks owned by id, the most urgent first; of a
// won deal, only its onboarding steps (the sale is over).
func nextSteps(d *deal.Deal, ms []milestoneView, id string) []taskView {
	var out []taskView
	for _, m := range ms {
		if ms, _ := d.Milestone(m.ID); d.Ended() && (ms == nil || !ms.Onboarding) {
			continue // a won deal's sale is over: what is left is onboarding
		}
		for _, t := range m.Tasks {
			if t.OwnerID == id && t.Status != string(deal.Done) {
				out = append(out, t)
			}
		}
	}
	sortSteps(out)
	return out
}

// confirmable reports whether a date the room shows (YYYY-MM-DD) may be
// confirmed on today, by the beacon's rule (reply.Confirmable).
func confirmable(due string, today deal.Date) bool {
	d, err := deal.ParseDate(due)
	return err == nil && reply.Confirmable(d, today)
}

// fragment executes a named part of the theme once, for many pages.
func (r *renderer) fragment(name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.tpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("theme template %q: %w", name, err)
	}
	return template.HTML(b.String()), nil
}

// calendar builds the room's calendar.ics: the weekly review (while the
// deal is open, or won with onboarding work left) and the person's open
// due dates; nil when it has neither.
// DTSTAMP is "today" so builds are reproducible.
func (r *renderer) calendar(b *Bundle, s *deal.Stakeholder, room *roomView) []byte {
	d := b.Deal
	if d.Closed() {
		return nil // a closed plan asks nothing of anyone: no review, no due dates
	}
	var events []ics.Event
	stamp := r.today.Time()
	uid := func(parts ...string) string {
		sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
		return hex.EncodeToString(sum[:12]) + "@maproom"
	}
	if start, until, skipped, ok := d.ReviewMeetings(r.today, r.cfg.Location, r.cfg.HolidayDays); ok {
		day := deal.DateOf(start)
		// The series ends on the day ReviewSeries gives; past it, the
		// invite holds the next review only. A meeting on a holiday is
		// not held.
		events = append(events, ics.Event{
			UID: uid(d.ID, "review"), Summary: "MAP review: " + d.Title, Start: start, Length: d.Review.Length,
			Weekly: !until.Before(day), Until: until.Time(), Except: skipped, Sequence: ics.DaySequence(stamp),
			Description: d.Review.Agenda(),
		})
		room.Review = &reviewView{Day: d.Review.Day.String(), Time: d.Review.Time, TZ: r.cfg.Timezone, Minutes: int(d.Review.Length.Minutes()), Part: d.Review.Part(), ICS: "calendar.ics",
			Weekly: !until.Before(day), Next: dateLabel(day)}
	}
	due := 0
	for _, t := range d.Tasks() {
		if t.Owner != s.ID || t.Status == deal.Done || d.Ended() && !d.Onboarding(t) {
			continue
		}
		when, ok := b.dateOf(t)
		if !ok {
			continue
		}
		due++
		events = append(events, ics.Event{UID: uid(d.ID, s.ID, t.ID), Summary: "Due: " + t.Title, AllDay: true, Day: when.Time(),
			Description: "Done when: " + t.Evidence + "\n" + d.Title})
	}
	if due > 0 {
		room.DueICS = "calendar.ics"
	}
	if len(events) == 0 {
		return nil
	}
	return ics.Calendar(d.Title, stamp, events)
}

// personOrRole names the stakeholder id, or an unassigned role ("role:x").
func personOrRole(d *deal.Deal, id string) (name, side string) {
	if s, ok := d.Stakeholder(id); ok {
		return s.Name, string(s.Side)
	}
	r, _ := strings.CutPrefix(id, "role:")
	side = string(deal.Buyer)
	if slices.Contains(deal.SellerRoles, deal.Role(r)) {
		side = string(deal.Seller)
	}
	return "Unassigned (" + roleLabel(deal.Role(r)) + ")", side
}

// pushedUntil is when the open steps t comes after finish at the
// earliest (the latest of them), when that is on or after its date due:
// it cannot keep its date, and not by its owner's doing; zero otherwise.
func pushedUntil(b *Bundle, t *deal.Task, due deal.Date) deal.Date {
	var until deal.Date
	if due.IsZero() {
		return until
	}
	for _, id := range t.After {
		p, ok := b.Deal.Task(id)
		if !ok || p.Status == deal.Done {
			continue
		}
		if ts, ok := b.schedule(id); ok && !ts.EarliestFinish.Before(due) && ts.EarliestFinish.After(until) {
			until = ts.EarliestFinish
		}
	}
	return until
}

// waitingCount counts the replies of recs that wait for the seller, as
// maproom replies lists them: none that is decided.
func waitingCount(recs []reply.Record) int {
	n := 0
	for _, rec := range recs {
		if rec.State() == reply.Waiting {
			n++
		}
	}
	return n
}

// heldBy names the step that holds the plan past its target signature,
// with its owner: of the critical path's open steps, the first that is
// late, dated after the close, or whose work ends after its own date;
// else the path's first open step; "" without a path.
func heldBy(b *Bundle, today deal.Date) string {
	d := b.Deal
	path, _ := b.Plan.Path(d, today)
	name := func(t *deal.Task) string {
		who, _ := personOrRole(d, t.Owner)
		return t.Title + " (" + who + ")"
	}
	var first *deal.Task
	for _, id := range path {
		t, ok := d.Task(id)
		if !ok || t.Status == deal.Done {
			continue
		}
		if first == nil {
			first = t
		}
		due, _ := b.dateOf(t)
		ts, _ := b.schedule(id)
		if deal.DaysLate(d, t, due, today) > 0 || t.Due.After(d.Close) || !t.Due.IsZero() && ts.EarliestFinish.After(t.Due) {
			return name(t)
		}
	}
	if first != nil {
		return name(first)
	}
	return ""
}
