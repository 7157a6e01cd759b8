package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// Input is what Decide works from: plain facts about the deals on one day,
// as the report computed them. Nothing is chased on a lost deal: callers
// give of it only the replies waiting for the seller.
type Input struct {
	Today deal.Date
	// UnopenedDays is how many days after their room was published a
	// decider who never opened it is reported: DefaultUnopenedDays when 0.
	UnopenedDays int
	// FirstVisitWindow is how recent a first visit must be to be news,
	// in days before Today: DefaultFirstVisitWindow when 0. It keeps the
	// first run on an old site from announcing visits of months ago.
	FirstVisitWindow int
	// NoEmail says no email channel is configured: a buyer, told by email
	// only, cannot be reminded, and the seller's notice does not say one was.
	NoEmail bool
	// NoReplies says the rooms take no replies (no beacon_url): a buyer
	// is asked to answer the seller, not to use a form their room lacks.
	NoReplies bool
	Deals     []Facts
}

// DefaultUnopenedDays and DefaultFirstVisitWindow are Input's defaults.
const (
	DefaultUnopenedDays     = 7 // a week, as the report judges it
	DefaultFirstVisitWindow = 7
)

// Facts are one open deal's facts.
type Facts struct {
	ID, Title string
	// File is the plan's path (content/<deal>/index.md), named in what to do.
	File string
	// People are the deal's stakeholders, in plan order, each buyer with
	// their own room link.
	People  []Person
	Overdue []Overdue
	Waiting []Waiting
	// Engagement has one entry per buyer stakeholder the report knows.
	Engagement []Engagement
	// Won says the deal is won: it carries on into onboarding, and its
	// customer-success person, when it has one, is the seller's contact
	// told and signing in the account executive's place.
	Won bool
}

// Overdue is an open task past its due date, with the days late and the
// severity the domain's rule gave it (deal.DaysLate, Thresholds.Severity).
type Overdue struct {
	Task, Title string
	Owner       string // a stakeholder id, or role:<role> while unassigned
	Due         deal.Date
	DaysLate    int
	Severity    deal.Severity
	// WaitsOn are the steps it comes after (after:) that are still open,
	// and the seller's side's open steps further up its chain: this one
	// cannot finish before them, so the notice points at them.
	WaitsOn []Before
}

// Before is an open step a late step waits on: its title, owner and how
// many calendar days late it is itself (0: not late).
type Before struct {
	Title, Owner string
	DaysLate     int
}

// Waiting is a reply a buyer sent that waits for the seller.
type Waiting struct {
	ID    string
	From  string // the stakeholder id
	Kind  string // confirm, propose, done, blocked, question or suggest
	About string // the task's or milestone's title, or "the plan"
	// Target is the id of the task or milestone the reply is about, ""
	// for the plan.
	Target string
	Date   string // the date confirmed, proposed or done
	Text   string // the reason, the question or the suggestion
	Sent   deal.Date
	// Blocked says why accepting the reply would be refused (the plan
	// changed since it was sent, say); "" when it can be accepted.
	Blocked string
}

// Engagement is what the report knows of one buyer's visits.
type Engagement struct {
	Person string
	// Published is the day their current room was first published; zero
	// when unknown (no manifest, or built before maproom recorded it).
	Published deal.Date
	// Invited is the day maproom invite last sent them their link; zero
	// when it has no record of it (the link went some other way, or not
	// yet). A room not opened is counted from the later of the two.
	Invited deal.Date
	// Out is the day the report judges their room out since (the first
	// page-load of their link, when before Published: a manifest rebuilt
	// later records its own day); zero when unknown. A room not opened is
	// counted from the earlier of Out and Published, or Invited if later.
	Out deal.Date
	// Visits counts their human-verified visits; FirstVisit is when the
	// first began (in the site's timezone), zero without one.
	Visits     int
	FirstVisit time.Time
	// Replies counts the replies they sent from their room: a person who
	// replied opened it, visits or not.
	Replies int
	// Purged is the day before which the events were purged (maproom
	// events purge); zero when none were. A room out before it may have
	// been opened then: nothing says it was not, so it is not told.
	Purged deal.Date
}

// Note is something that needed telling and could not be: nobody to tell,
// or no address to tell them at.
type Note struct {
	Deal string
	Text string
}

// Decide returns what needs telling on in.Today, in a stable order, and a
// note for each thing nobody can be told. It is a pure function of in: the
// Store decides what was already sent. Of a won deal, "the account
// executive" below is its customer-success person when it has one.
//
//   - An overdue task at flag or alert severity: to its owner when the
//     owner is seller-side, else to the deal's account executive; one
//     notice per stage, keyed by the task and its due date (a task moved
//     and late again is told again). A task first seen at alert gets the
//     alert only.
//   - At alert, for a task a buyer owns: the deal's champion too, by
//     email, in words for the buyer, with a link to their own room.
//   - Each reply waiting for the seller: to the account executive, once.
//   - A decider (economic buyer, approver) with no visit and no reply
//     UnopenedDays or more after their room was published: to the account
//     executive.
//   - The economic buyer's first visit, within FirstVisitWindow days: to
//     the account executive (good news travels too).
func Decide(in Input) ([]Notice, []Note) {
	unopened := in.UnopenedDays
	if unopened <= 0 {
		unopened = DefaultUnopenedDays
	}
	window := in.FirstVisitWindow
	if window <= 0 {
		window = DefaultFirstVisitWindow
	}
	var ns []Notice
	var notes []Note
	for i := range in.Deals {
		f := &in.Deals[i]
		ae, hasAE := f.accountExecutive()
		if cs, ok := f.customerSuccess(); ok && f.Won {
			ae, hasAE = cs, true
		}
		note := func(format string, args ...any) {
			notes = append(notes, Note{Deal: f.ID, Text: fmt.Sprintf(format, args...)})
		}
		for _, o := range f.Overdue {
			if o.Severity != deal.SeverityFlag && o.Severity != deal.SeverityAlert {
				continue
			}
			to, ok := f.person(o.Owner)
			if !ok || to.Side != deal.Seller {
				to, ok = ae, hasAE
			}
			if !ok {
				note("%s is %s late (%s) and the deal has no account executive to tell: add a seller stakeholder with role: account-executive", quote(o.Title), calendarDays(o.DaysLate), o.Severity)
				continue
			}
			ch, hasChamp := f.champion()
			remind := o.Severity == deal.SeverityAlert && f.ownerSide(o.Owner) == deal.Buyer
			if id := f.replyAbout(o.Task); remind && id != "" {
				// The buyer side has answered: the move is the seller's.
				note("%s is %s late, but reply %s about it waits for you: the champion is not reminded until you decide it", quote(o.Title), calendarDays(o.DaysLate), id)
				remind = false
			}
			if i := slices.IndexFunc(o.WaitsOn, func(b Before) bool { return f.ownerSide(b.Owner) == deal.Seller }); remind && i >= 0 {
				// It waits on the seller's own open step: chasing the buyer
				// for the seller's delay is no mutual plan.
				note("%s is %s late, but it waits on %s, your side's: the champion is not reminded until that is done", quote(o.Title), calendarDays(o.DaysLate), quote(o.WaitsOn[i].Title))
				remind = false
			}
			if role, ok := f.unheld(o.Owner); remind && ok {
				// Nobody on the buyer's side holds the step yet: there is
				// no one for the champion to chase, and no room to answer from.
				note("%s is %s late and owned by the role %s, which nobody holds: the champion is not reminded until the step has an owner", quote(o.Title), calendarDays(o.DaysLate), role)
				remind = false
			}
			shared := f.sharing(ch)
			tellChamp := remind && hasChamp && ch.Email != "" && ch.Link != "" && !in.NoEmail && len(shared) < 2
			seller := f.overdueNotice(o, to, ch, tellChamp, !in.NoReplies)
			switch {
			case tellChamp:
				// The champion's first: the seller's notice says they were
				// emailed, which holds only once they were (Notice.Claims).
				champ := f.championNotice(o, ch, ae, !in.NoReplies)
				seller.Claims, seller.ClaimLine = champ.Key, emailedLine(ch)
				ns = append(ns, champ, seller)
			default:
				ns = append(ns, seller)
			}
			switch {
			case tellChamp:
			case remind && hasChamp && in.NoEmail:
				note("%s is %s late: %s (champion) is not reminded, as no email channel is configured (set [notify] smtp_host)", quote(o.Title), calendarDays(o.DaysLate), ch.Name)
			case remind && !hasChamp:
				note("%s is %s late: no champion to remind (give a buyer stakeholder role: champion)", quote(o.Title), calendarDays(o.DaysLate))
			case remind && ch.Email == "":
				note("%s is %s late: %s (champion) has no email to be reminded at: add email: to them in %s", quote(o.Title), calendarDays(o.DaysLate), ch.Name, f.File)
			case remind && len(shared) > 1:
				// Their link would reach the others at that address too, as
				// invite refuses to send it.
				note("%s is %s late: %s (champion) is not reminded: %s share the email %s, and a room link is one person's own: give each their own address in %s",
					quote(o.Title), calendarDays(o.DaysLate), ch.Name, strings.Join(shared, " and "), strings.ToLower(strings.TrimSpace(ch.Email)), f.File)
			case remind:
				note("%s is %s late: %s (champion) has no room link (run maproom build)", quote(o.Title), calendarDays(o.DaysLate), ch.Name)
			}
		}
		for _, w := range f.Waiting {
			if !hasAE {
				note("a reply from %s waits and the deal has no account executive to tell", w.From)
				continue
			}
			ns = append(ns, f.replyNotice(w, ae))
		}
		for _, e := range f.Engagement {
			p, ok := f.person(e.Person)
			if !ok || p.Side != deal.Buyer {
				continue
			}
			if p.Role.Decides() && e.Visits == 0 && e.Replies == 0 && !e.Published.IsZero() && e.since().DaysUntil(in.Today) >= unopened {
				if e.out().Before(e.Purged) {
					note("%s (%s) has no visit in the events left, but their room was out before the events purged (before %s): whether they opened it then is not known, so it is not told", p.Name, roleLabel(p.Role), e.Purged)
					continue
				}
				if !hasAE {
					note("%s (%s) has not opened their room and the deal has no account executive to tell", p.Name, roleLabel(p.Role))
				} else {
					ns = append(ns, f.unopenedNotice(p, e, ae, in.Today))
				}
			}
			// A room out before the events purged may have been opened
			// then: its first visit left is not known to be the first.
			if p.Role == "economic-buyer" && e.Visits > 0 && !e.FirstVisit.IsZero() && !e.out().Before(e.Purged) {
				day := deal.DateOf(e.FirstVisit)
				if age := day.DaysUntil(in.Today); age >= 0 && age <= window && hasAE {
					ns = append(ns, f.firstVisitNotice(p, e, ae))
				}
			}
		}
	}
	sortNotices(ns)
	return ns, notes
}

// person returns the stakeholder with id.
func (f *Facts) person(id string) (Person, bool) {
	for _, p := range f.People {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}

// ownerSide is the side of an owner: the stakeholder's, or the side of an
// unassigned role (role:security is the buyer's).
func (f *Facts) ownerSide(owner string) deal.Side {
	if p, ok := f.person(owner); ok {
		return p.Side
	}
	r, _ := strings.CutPrefix(owner, "role:")
	for _, sr := range deal.SellerRoles {
		if deal.Role(r) == sr {
			return deal.Seller
		}
	}
	return deal.Buyer
}

// ownerName names an owner for a message: a stakeholder; for a role not
// assigned to one person, the people who hold it, else nobody yet.
func (f *Facts) ownerName(owner string) string {
	if p, ok := f.person(owner); ok {
		return p.Name
	}
	r, _ := strings.CutPrefix(owner, "role:")
	var holders []string
	for _, p := range f.People {
		if string(p.Role) == r {
			holders = append(holders, p.Name)
		}
	}
	if len(holders) > 0 {
		return fmt.Sprintf("%s (%s; the step is not assigned to one person yet)", strings.Join(holders, " or "), roleLabel(deal.Role(r)))
	}
	return "the " + roleLabel(deal.Role(r)) + ", not assigned yet"
}

// unheld reports whether owner is a role nobody in the deal holds.
func (f *Facts) unheld(owner string) (role string, ok bool) {
	r, isRole := strings.CutPrefix(owner, "role:")
	if !isRole {
		return "", false
	}
	for _, p := range f.People {
		if string(p.Role) == r {
			return "", false
		}
	}
	return roleLabel(deal.Role(r)), true
}

// accountExecutive returns the deal's first account executive.
func (f *Facts) accountExecutive() (Person, bool) {
	for _, p := range f.People {
		if p.Side == deal.Seller && p.Role == "account-executive" {
			return p, true
		}
	}
	return Person{}, false
}

// customerSuccess returns the deal's first customer-success person.
func (f *Facts) customerSuccess() (Person, bool) {
	for _, p := range f.People {
		if p.Side == deal.Seller && p.Role == "customer-success" {
			return p, true
		}
	}
	return Person{}, false
}

// champion returns the deal's first champion.
// sharing names the deal's people whose email is p's (case and spaces
// aside), p included: more than one, and a message with p's room link
// would reach the others too.
func (f *Facts) sharing(p Person) []string {
	addr := strings.ToLower(strings.TrimSpace(p.Email))
	var out []string
	for _, q := range f.People {
		if addr != "" && strings.ToLower(strings.TrimSpace(q.Email)) == addr {
			out = append(out, q.Name)
		}
	}
	return out
}

func (f *Facts) champion() (Person, bool) {
	for _, p := range f.People {
		if p.Side == deal.Buyer && p.Role == "champion" {
			return p, true
		}
	}
	return Person{}, false
}

func (f *Facts) overdueNotice(o Overdue, to, champ Person, toldChamp, replies bool) Notice {
	label := "Flag"
	if o.Severity == deal.SeverityAlert {
		label = "Alert"
	}
	owner := f.ownerName(o.Owner)
	side := f.ownerSide(o.Owner)
	body := []string{fmt.Sprintf("%s was due on %s and is %s late. Owner: %s (%s side).",
		quote(o.Title), o.Due, calendarDays(o.DaysLate), owner, side)}
	var ws []string
	for _, w := range o.WaitsOn {
		s := fmt.Sprintf("%s (%s, %s side", quote(w.Title), f.ownerName(w.Owner), f.ownerSide(w.Owner))
		if w.DaysLate > 0 {
			s += ", " + calendarDays(w.DaysLate) + " late"
		}
		ws = append(ws, s+")")
	}
	if len(ws) > 0 {
		body = append(body, fmt.Sprintf("It waits on %s, still open.", strings.Join(ws, " and ")))
	}
	_, unheld := f.unheld(o.Owner)
	var do string
	switch {
	case len(o.WaitsOn) > 0 && !unheld:
		// It cannot finish before the steps it comes after: asking its
		// owner for it chases the wrong person.
		first := o.WaitsOn[0]
		do = fmt.Sprintf("get %s done first (%s's), then agree with %s a date for this step that follows from it, in %s.", quote(first.Title), f.ownerName(first.Owner), owner, f.File)
	case side == deal.Seller && to.ID == o.Owner:
		do = fmt.Sprintf("finish it, or move its date in %s and tell the buyer why at the next review.", f.File)
	case side == deal.Seller:
		do = fmt.Sprintf("give it an owner on your side and a date you can keep, in %s.", f.File)
	default:
		if role, ok := f.unheld(o.Owner); ok {
			do = fmt.Sprintf("give it an owner: add the buyer's %s to the stakeholders in %s and assign the step to them, then ask them for a date they can keep.", role, f.File)
		} else {
			from := " (they can propose one from their room)"
			if !replies {
				from = "" // the rooms take no replies
			}
			do = fmt.Sprintf("ask %s for a date they can keep%s, or mark it done with its evidence in %s.", owner, from, f.File)
		}
	}
	if toldChamp {
		body = append(body, emailedLine(champ))
	}
	return Notice{
		Key:  fmt.Sprintf("overdue/%s/%s/%s/%s/%s", f.ID, o.Task, o.Due, o.Severity, to.ID),
		Kind: KindOverdue, Severity: o.Severity, Deal: f.ID, DealTitle: f.Title, Task: o.Task,
		To: to, Audience: Seller,
		Subject: fmt.Sprintf("%s: %s is %s late (%s)", label, quote(o.Title), calendarDays(o.DaysLate), f.Title),
		Body:    body, Do: do,
	}
}

// replyAbout returns the id of a reply waiting for the seller about task
// id, "" when none does.
func (f *Facts) replyAbout(task string) string {
	for _, w := range f.Waiting {
		if w.Target == task {
			return w.ID
		}
	}
	return ""
}

func (f *Facts) championNotice(o Overdue, ch, ae Person, replies bool) Notice {
	var body []string
	switch {
	case o.Owner == ch.ID && replies:
		body = []string{fmt.Sprintf("In our mutual plan for %s, your step %s was due on %s and is still open.", f.Title, quote(o.Title), longDate(o.Due)),
			"If it is done, you can mark it done from your room; if the date has moved, propose a new one there. Either takes a minute and keeps the plan true for everyone."}
	case o.Owner == ch.ID:
		body = []string{fmt.Sprintf("In our mutual plan for %s, your step %s was due on %s and is still open.", f.Title, quote(o.Title), longDate(o.Due)),
			"If it is done, or the date has moved, just reply to this email with where it stands: it keeps the plan true for everyone."}
	case replies:
		body = []string{fmt.Sprintf("In our mutual plan for %s, %s (owner: %s) was due on %s and is still open.", f.Title, quote(o.Title), f.ownerName(o.Owner), longDate(o.Due)),
			fmt.Sprintf("Could you help us find out where it stands? If the date has moved, %s can propose a new one from their own room, so the plan stays true for everyone.", f.ownerName(o.Owner))}
	default:
		body = []string{fmt.Sprintf("In our mutual plan for %s, %s (owner: %s) was due on %s and is still open.", f.Title, quote(o.Title), f.ownerName(o.Owner), longDate(o.Due)),
			"Could you help us find out where it stands? Reply to this email with the date it can keep, so the plan stays true for everyone."}
	}
	sig := "Thank you,\n" + ae.Name
	if ae.Name == "" {
		sig = "Thank you"
	}
	return Notice{
		Key:  fmt.Sprintf("champion/%s/%s/%s/%s", f.ID, o.Task, o.Due, ch.ID),
		Kind: KindChampion, Severity: o.Severity, Deal: f.ID, DealTitle: f.Title, Task: o.Task,
		To: ch, Audience: Buyer,
		Subject: fmt.Sprintf("%s: where does %s stand?", f.Title, quote(o.Title)),
		Body:    body, Do: "Your room: " + ch.Link, Signature: sig, ReplyTo: ae.Email,
	}
}

// replyVerbs phrases each kind of reply.
var replyVerbs = map[string]string{
	"confirm": "confirms the date of", "propose": "proposes another date for", "done": "marks done",
	"blocked": "is blocked on", "question": "asks about", "suggest": "suggests a step for",
}

func (f *Facts) replyNotice(w Waiting, ae Person) Notice {
	who := w.From
	if p, ok := f.person(w.From); ok {
		who = p.Name
	}
	verb := replyVerbs[w.Kind]
	if verb == "" {
		verb = "replied about"
	}
	line := fmt.Sprintf("%s %s %s", who, verb, quote(w.About))
	if w.Date != "" {
		line += ": " + w.Date
	}
	body := []string{line + fmt.Sprintf(" (sent %s, reply %s).", w.Sent, w.ID)}
	if w.Text != "" {
		body = append(body, "They wrote: "+quote(w.Text))
	}
	do := fmt.Sprintf("maproom accept %s, maproom decline %s -why \"...\" or maproom answer %s \"...\" (maproom replies -deal %s lists what waits).", w.ID, w.ID, w.ID, f.ID)
	switch {
	case w.Kind == "question":
		do = fmt.Sprintf("answer it: maproom answer %s \"...\"; they read the answer in their room after the next build.", w.ID)
	case w.Blocked != "":
		body = append(body, "It cannot be accepted as it stands: "+w.Blocked+".")
		do = fmt.Sprintf("maproom decline %s -why \"...\" says why, or maproom answer %s \"...\" closes it in your words, the plan as it is (maproom replies -deal %s lists what waits).", w.ID, w.ID, f.ID)
	case w.Kind == "suggest":
		do = fmt.Sprintf("maproom accept %s -milestone <id> adds the step to that milestone; maproom answer %s \"...\" closes it in your words (a person you added by hand, say); maproom decline %s -why \"...\" says no.", w.ID, w.ID, w.ID)
	}
	return Notice{
		Key:  fmt.Sprintf("reply/%s/%s/%s", f.ID, w.ID, ae.ID),
		Kind: KindReply, Deal: f.ID, DealTitle: f.Title, To: ae, Audience: Seller,
		Subject: fmt.Sprintf("Reply waiting: %s %s %s (%s)", who, verb, quote(w.About), f.Title),
		Body:    body, Do: do,
	}
}

// since is the day a room not opened is counted from: its publication, or
// the invitation sent after it.
func (e Engagement) since() deal.Date {
	out := e.out()
	if e.Invited.After(out) {
		return e.Invited
	}
	return out
}

// out is the day the room has been out since: published, or opened by a
// page-load of its link when earlier (Out, the report's).
func (e Engagement) out() deal.Date {
	if !e.Out.IsZero() && (e.Published.IsZero() || e.Out.Before(e.Published)) {
		return e.Out
	}
	return e.Published
}

func (f *Facts) unopenedNotice(p Person, e Engagement, ae Person, today deal.Date) Notice {
	days := e.since().DaysUntil(today)
	send := fmt.Sprintf("send the link again: maproom invite %s -to %s -resend", f.ID, p.ID)
	since := fmt.Sprintf("since it was published on %s", e.out())
	switch {
	case e.Invited.Before(e.out()) || e.Invited.IsZero():
		// No invitation on record for the room as it is now (none, or
		// one of a link since replaced): maybe sent some other way,
		// maybe never sent.
		send = fmt.Sprintf("make sure they have their link: maproom has no record of sending it (maproom invite %s -to %s sends it)", f.ID, p.ID)
	case e.Invited.After(e.out()):
		since = fmt.Sprintf("since they were sent their link on %s", e.Invited)
	}
	do := fmt.Sprintf("ask your champion to walk %s through the plan, or %s.", p.Name, send)
	if ch, ok := f.champion(); ok {
		do = fmt.Sprintf("ask %s (champion) to walk %s through the plan, or %s.", ch.Name, p.Name, send)
	}
	return Notice{
		// Keyed by the publication: the same room not opened is told once.
		Key:  fmt.Sprintf("unopened/%s/%s/%s/%s", f.ID, p.ID, e.Published, ae.ID),
		Kind: KindUnopened, Severity: deal.SeverityFlag, Deal: f.ID, DealTitle: f.Title, To: ae, Audience: Seller,
		Subject: fmt.Sprintf("%s (%s) has not opened the room in %s (%s)", p.Name, roleLabel(p.Role), calendarDays(days), f.Title),
		Body:    []string{fmt.Sprintf("%s (%s) has not opened their room %s, %s ago: a decider who never looks is a deal at risk.", p.Name, roleLabel(p.Role), since, calendarDays(days))},
		Do:      do,
	}
}

func (f *Facts) firstVisitNotice(p Person, e Engagement, ae Person) Notice {
	do := fmt.Sprintf("follow up while it is fresh: offer %s a short call on the plan.", p.FirstName())
	if ch, ok := f.champion(); ok {
		do = fmt.Sprintf("follow up while it is fresh: ask %s what %s made of it, or offer %s a short call on the plan.", ch.Name, p.FirstName(), p.FirstName())
	}
	return Notice{
		Key:  fmt.Sprintf("first-visit/%s/%s/%s", f.ID, p.ID, ae.ID),
		Kind: KindFirstVisit, Deal: f.ID, DealTitle: f.Title, To: ae, Audience: Seller,
		Subject: fmt.Sprintf("Good news: %s (%s) opened the room (%s)", p.Name, roleLabel(p.Role), f.Title),
		Body:    []string{fmt.Sprintf("%s (%s) opened the room for the first time on %s at %s.", p.Name, roleLabel(p.Role), deal.DateOf(e.FirstVisit), e.FirstVisit.Format("15:04"))},
		Do:      do,
	}
}

// longDate writes a date for a buyer: "Tuesday 10 November".
func longDate(d deal.Date) string { return d.Time().Format("Monday 2 January") }

// emailedLine is the paragraph of a seller's alert that says the champion
// was reminded.
func emailedLine(champ Person) string {
	return fmt.Sprintf("%s (champion) was emailed a short reminder with a link to their room.", champ.Name)
}
