package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
)

// replyPath is the beacon's path that takes replies from the rooms' forms
// (analytics.ReplyPath; the generator does not import the beacon).
const replyPath = "/reply"

// replyAction returns where a room's reply forms post: the beacon's reply
// path beside its note path. beacon is the beacon URL as pages carry it
// (an origin, the full URL of its note path, or a path on the site's own
// origin); "" gives "" (no forms).
func replyAction(beacon string) string {
	if beacon == "" {
		return ""
	}
	base := strings.TrimRight(beacon, "/")
	base = strings.TrimSuffix(base, "/note")
	return base + replyPath
}

// siteURL is the rooms' base URL the manifest records for the beacon's
// redirect back to a room: Options.Site, else maproom.toml's base_url.
func siteURL(opts *Options, cfg *Config) string {
	s := opts.Site
	if s == "" && cfg != nil {
		s = cfg.BaseURL
	}
	return strings.TrimRight(s, "/")
}

// groupReplies sorts the waiting replies a build is given by deal, each
// reply once (by id).
func groupReplies(rs []reply.Reply) map[string][]reply.Reply {
	out := map[string][]reply.Reply{}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.ID == "" || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		out[r.Deal] = append(out[r.Deal], r)
	}
	return out
}

// dealReplies reads the reply records of bundle b and adds the waiting
// replies the build was given that have no record yet: every reply of the
// deal, oldest first. fp fingerprints them, so a room is rendered again
// when a reply or a decision arrives.
func (r *renderer) dealReplies(b *Bundle) (recs []reply.Record, fp string, err error) {
	recs, err = reply.ReadRecords(b.Dir)
	if err != nil {
		return nil, "", err
	}
	// Joined as every reader of replies joins them: a repeat the seller
	// never sees is never shown as waiting either.
	recs = reply.Join(r.waiting[b.Deal.ID], recs)
	if !r.previewReplies {
		recs = slices.DeleteFunc(recs, func(rec reply.Record) bool { return rec.Reply.Preview && rec.State() != reply.Accepted })
	}
	if len(recs) == 0 {
		return nil, "", nil
	}
	data, err := json.Marshal(recs)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return recs, hex.EncodeToString(sum[:]), nil
}

// repliesView is what a room shows of replies: the forms, when its person
// may reply from it; the person's own replies with what the seller did with
// them; and the changes accepted replies made to the plan.
type repliesView struct {
	Forms   bool       // the person may reply from this room
	Action  string     // the beacon's reply URL
	To      string     // who replies go to
	Groups  []askGroup // the tasks a question may be about, by milestone
	Lead    []milestoneView
	Mine    []replyLine
	Changes []replyLine
}

// askGroup is a milestone's tasks in the question form's list.
type askGroup struct {
	Title string
	Tasks []refView
}

// replyLine is one reply shown in a room: one of the person's own
// (About, What, State) or a change an accepted reply made (About, What).
// Every string is plain text; Link is an http(s) link (reply.EvidenceLink)
// or "".
type replyLine struct {
	ID, Kind, About, What, Link, Day string
	State, StateLabel, Note          string

	// bare is What without what the buyer wrote (a done reply's evidence,
	// the reason for a new date or a block), for a room whose person may
	// not read it (scoped); "" for a change with nothing to hold back, and
	// said is what they wrote (its text: a link is in Link). sender is
	// the reply's person, reply the reply.
	bare, said, sender string
	reply              reply.Reply
}

// replyContext is what turning records into lines needs from the deal:
// the plan, and its story (nil outside git), which says what a reply's
// step is called now when its id changed since.
type replyContext struct {
	d   *deal.Deal
	st  *history.Story
	loc *time.Location
	to  string
}

func newReplyContext(d *deal.Deal, st *history.Story, loc *time.Location) *replyContext {
	if loc == nil {
		loc = time.UTC
	}
	return &replyContext{d: d, st: st, loc: loc, to: repliesTo(d)}
}

// item is the task or milestone reply r is about in the plan now: by its
// id, else by the id the plan's history says it was renamed to (its title
// the same, as accept follows it); both nil for the plan as a whole or a
// step since taken out of the plan.
func (c *replyContext) item(r reply.Reply) (*deal.Task, *deal.Milestone) {
	if t, m := reply.Item(c.d, r); t != nil || m != nil || r.Target == "" {
		return t, m
	}
	for _, milestone := range []bool{r.TargetKind == reply.TargetMilestone, r.TargetKind == ""} {
		if now, ok := c.st.Renamed(r.Target, milestone); ok {
			r.Target = now
			if t, m := reply.Item(c.d, r); t != nil || m != nil {
				return t, m
			}
		}
		if r.TargetKind != "" {
			break
		}
	}
	return nil, nil
}

// repliesTo names who reads the deal's replies: once it is won, its
// customer-success person (who signs in the account executive's place,
// and whom notify tells of replies), else its account executive, else its
// first seller stakeholder, else the seller.
func repliesTo(d *deal.Deal) string {
	if d.Outcome == deal.Won {
		for _, s := range d.Stakeholders {
			if s.Side == deal.Seller && s.Role == "customer-success" {
				return s.Name
			}
		}
	}
	first := ""
	for _, s := range d.Stakeholders {
		if s.Side != deal.Seller {
			continue
		}
		if s.Role == "account-executive" {
			return s.Name
		}
		if first == "" {
			first = s.Name
		}
	}
	if first == "" {
		return d.Seller
	}
	return first
}

// about names a reply's target as the room shows it.
func (c *replyContext) about(r reply.Reply) string {
	if r.Target == "" {
		return "the plan"
	}
	switch t, m := c.item(r); {
	case t != nil:
		return t.Title
	case m != nil:
		return m.Title
	}
	if c.st != nil {
		// Taken out since: the title the plan's history last gave it.
		for i := len(c.st.Changes) - 1; i >= 0; i-- {
			if ch := c.st.Changes[i]; ch.Item == r.Target && ch.Title != "" {
				return ch.Title + " (since taken out of the plan)"
			}
		}
	}
	return "a step since taken out of the plan" // its id means nothing to a buyer
}

// day is the label of a reply's or a decision's day in the site's zone.
func (c *replyContext) day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dateLabel(deal.DateOf(t.In(c.loc)))
}

// who names a stakeholder of the deal.
func (c *replyContext) who(id string) string {
	if s, ok := c.d.Stakeholder(id); ok {
		return s.Name
	}
	return id + " (no longer in the plan)"
}

// dayOf labels a YYYY-MM-DD date ("" when it is not one).
func dayOf(s string) string {
	d, err := deal.ParseDate(s)
	if err != nil {
		return s
	}
	return dateLabel(d)
}

// seenDue is the due date a reply's Seen recorded, "" when none.
func seenDue(seen string) string {
	for _, part := range strings.Split(seen, ";") {
		if v, ok := strings.CutPrefix(part, "due="); ok {
			return v
		}
	}
	return ""
}

// seenPlanned is the date the schedule planned for a step dated by its
// duration, as the room showed it ("planned=YYYY-MM-DD"), or "".
func seenPlanned(seen string) string {
	for _, part := range strings.Split(seen, ";") {
		if v, ok := strings.CutPrefix(part, "planned="); ok {
			return v
		}
	}
	return ""
}

// splitEvidence splits a done reply's evidence into text and a link.
// withReason is a done reply's words: its evidence's text, then the reason
// the buyer added in the form (either may be empty).
func withReason(text, reason string) string {
	switch {
	case reason == "":
		return text
	case text == "":
		return reason
	}
	return text + "; " + reason
}

func splitEvidence(e string) (text, link string) {
	if l, ok := reply.EvidenceLink(e); ok {
		return "", l
	}
	return e, ""
}

var kindLabels = map[reply.Kind]string{
	reply.Confirm: "Confirm the date", reply.Propose: "Another date", reply.Done: "Done",
	reply.Blocked: "Blocked", reply.Question: "Question", reply.Suggest: "Suggestion",
}

// added is the task an accepted suggestion added to the plan, nil when
// not accepted or no longer in the plan: the task its record names
// (reply.Record.AddedTask, followed through a rename since), else, for a
// record from before the id was recorded, the task of its title (the
// first; one owned by the person the buyer named, when the plan has
// several of that title, so that another's copy of the step is never
// taken for theirs).
func (c *replyContext) added(rec reply.Record) *deal.Task {
	r := rec.Reply
	if !rec.Accepted() {
		return nil
	}
	if id := rec.AddedTask(); id != "" {
		t, _ := c.item(reply.Reply{Target: id, TargetKind: reply.TargetTask})
		return t
	}
	named := reply.SuggestedOwner(c.d, reply.Reply{Owner: r.Owner})
	var first *deal.Task
	for _, t := range c.d.Tasks() {
		if deal.TitleKey(t.Title) != deal.TitleKey(r.Text) || deal.TitleKey(r.Text) == "" {
			continue
		}
		if t.Owner == named {
			return t
		}
		if first == nil {
			first = t
		}
	}
	return first
}

// mine is a reply as its sender's room lists it: what they sent and what
// became of it.
func (c *replyContext) mine(rec reply.Record) replyLine {
	r := rec.Reply
	l := replyLine{ID: r.ID, Kind: kindLabels[r.Kind], About: c.about(r), Day: c.day(r.Time), State: rec.State(), reply: r}
	switch r.Kind {
	case reply.Confirm:
		if due := seenDue(r.Seen); due != "" {
			l.What = "due " + dayOf(due)
		}
	case reply.Propose:
		l.What = dayOf(r.Date) + ": " + r.Reason
	case reply.Done:
		text, link := splitEvidence(r.Evidence)
		l.What, l.Link = "done "+dayOf(r.Date), link
		if text = withReason(text, r.Reason); text != "" {
			l.What += ": " + text
		}
	case reply.Blocked:
		l.What = r.Reason
	case reply.Question:
		l.What = r.Text
	case reply.Suggest:
		l.What = r.Text
		if r.Owner != "" {
			l.What += "; owned by " + r.Owner
			// Accepted, the step is in the plan under the owner the
			// seller gave it: say so when that is someone else.
			if t := c.added(rec); t != nil {
				// The stakeholder the buyer named, "" when the plan has none
				// (SuggestedOwner's rule, without its fallback to the sender).
				// A seller the buyer named, and the seller gave it to, is
				// the one named too (the rule gives buyers only).
				if named := reply.SuggestedOwner(c.d, reply.Reply{Owner: r.Owner}); t.Owner != named && !namesPerson(c.d, t.Owner, r.Owner) {
					l.What += " (the plan gives it to " + c.who(t.Owner) + ")"
				}
			}
		}
		if r.Date != "" {
			l.What += "; by " + dayOf(r.Date)
		}
	}
	var last reply.Decision
	if n := len(rec.Decisions); n > 0 {
		last = rec.Decisions[n-1]
	}
	if d, ok := rec.Decisive(); ok {
		// Accepted or declined: that decision, with what the seller
		// answered after it, if anything (recorded after it: decisions
		// made with -today share that day's noon).
		last = d
		for _, later := range rec.Decisions[rec.DecisiveAt()+1:] {
			if later.State == reply.Answered && later.Answer != "" {
				if d.State == reply.Declined {
					last.Why = strings.TrimPrefix(strings.TrimSpace(last.Why+" · "+later.Answer), "· ")
				} else {
					last.Answer = strings.TrimPrefix(strings.TrimSpace(last.Answer+" · "+later.Answer), "· ")
				}
			}
		}
	}
	switch l.State {
	case reply.Waiting:
		l.StateLabel = "waiting for " + c.to
	case reply.Accepted:
		l.StateLabel = "accepted " + c.day(last.Time)
		l.Note = last.Answer
	case reply.Declined:
		l.StateLabel = "declined " + c.day(last.Time)
		l.Note = last.Why
	case reply.Answered:
		l.StateLabel = "answered " + c.day(last.Time)
		l.Note = last.Answer
	case reply.Conflict:
		l.StateLabel = "waiting: the plan changed since you sent it, and " + c.to + " is looking at it"
	default:
		l.StateLabel = l.State
	}
	return l
}

// change is the line every room shows for an accepted reply that changed
// (or confirmed) the plan; ok is false for a reply that shows in its
// sender's room only (a question, or one not accepted).
func (c *replyContext) change(rec reply.Record) (replyLine, bool) {
	r := rec.Reply
	if !rec.Accepted() || r.Kind == reply.Question {
		return replyLine{}, false
	}
	by := " by " + c.who(r.Stakeholder) + " on " + c.day(r.Time)
	l := replyLine{ID: r.ID, About: c.about(r), reply: r, sender: r.Stakeholder}
	switch r.Kind {
	case reply.Confirm:
		// The date confirmed, as the room showed it; when the plan has
		// moved it since, the line says so: a confirmation is of a date,
		// never of the one that replaced it.
		l.What = "confirmed" + by
		confirmed := seenDue(r.Seen)
		if confirmed == "" {
			confirmed = seenPlanned(r.Seen)
		}
		if confirmed != "" {
			l.What = "confirmed for " + dayOf(confirmed) + by
			var now deal.Date
			switch t, m := c.item(r); {
			case t != nil:
				now = t.Due
			case m != nil:
				now = m.Due
			}
			if !now.IsZero() && now.String() != confirmed {
				l.What += " (the date has moved since: now " + dayOf(now.String()) + ")"
			}
		}
	case reply.Propose:
		l.What = "moved"
		due := seenDue(r.Seen)
		if d, ok := rec.Decisive(); ok && d.From != "" {
			due = d.From // accepted over a change since: the date it moved from
		}
		if due != "" {
			l.What += " from " + dayOf(due)
		}
		l.What += " to " + dayOf(r.Date) + by
		l.bare, l.Kind, l.said = l.What, string(reply.Propose), r.Reason
		l.What += ": " + r.Reason
	case reply.Done:
		// The day it was done, which the reply gives, not the day it was
		// sent.
		// As accept wrote it: a day ahead of the site's (a time zone
		// ahead) is the day it was accepted.
		on := r.Date
		if d, ok := rec.Decisive(); ok {
			on = reply.DoneDate(r, reply.ApplyOptions{Today: deal.DateOf(d.Time.In(c.loc))})
		}
		text, link := splitEvidence(r.Evidence)
		text = withReason(text, r.Reason)
		l.What, l.Link, l.Kind = "done on "+dayOf(on)+", reported by "+c.who(r.Stakeholder), link, string(reply.Done)
		l.bare, l.said = l.What, text
		if text != "" {
			l.What += ": " + text
		}
	case reply.Blocked:
		l.What, l.Kind = "marked blocked"+by, string(reply.Blocked)
		l.bare, l.said = l.What, r.Reason
		l.What += ": " + r.Reason
	case reply.Suggest:
		l.About = r.Text
		l.What = "suggested" + by + " and added to the plan"
	default:
		return replyLine{}, false
	}
	return l, true
}

// changes lists the changes accepted replies made, newest first: the same
// for every room of the deal (everyone sees the whole plan), but for what
// the buyer wrote with them (scoped).
func (c *replyContext) changes(recs []reply.Record) []replyLine {
	var out []replyLine
	for i := len(recs) - 1; i >= 0; i-- {
		if l, ok := c.change(recs[i]); ok {
			out = append(out, l)
		}
	}
	return out
}

// scoped is changes as s's room shows them: what the buyer wrote with a
// change (a done reply's evidence, words and link; the reason for a new
// date or a block) is for its sender and the seller side, whom they
// wrote to, and for the people of the step it is about, its owner and its
// milestone's lead, when they may see every document of the task (as a
// document's audience decides who sees it). Everyone else, and every room
// when the step is no longer in the plan, reads what changed, by whom and
// when.
func (c *replyContext) scoped(changes []replyLine, s *deal.Stakeholder) []replyLine {
	var out []replyLine
	for _, l := range changes {
		if l.bare != "" && s.ID != l.sender && s.Side != deal.Seller && !c.readsWords(l.reply, s) {
			l.What, l.Link, l.said = l.bare, "", ""
		}
		out = append(out, l)
	}
	return out
}

// readsWords reports whether s is one of the people of the step reply r
// is about (the task's owner or its milestone's lead; a milestone's lead)
// and may see every document the task relies on.
func (c *replyContext) readsWords(r reply.Reply, s *deal.Stakeholder) bool {
	t, m := c.item(r)
	if t != nil {
		m, _ = c.d.Milestone(t.Milestone)
	}
	if t == nil && m == nil {
		return false
	}
	if (t == nil || t.Owner != s.ID) && (m == nil || m.Lead != s.ID) {
		return false
	}
	if t != nil {
		for _, cid := range t.Collateral {
			for i := range c.d.Collateral {
				if col := &c.d.Collateral[i]; col.ID == cid && !col.CanSee(*s) {
					return false
				}
			}
		}
	}
	return true
}

// inHistory leaves out of a room's changes from replies those the plan's
// history (st, nil outside git) holds, whether or not "What changed"
// shows them now: the room keeps one dated list of changes, the latest
// ones, and an accepted reply that changed the plan is one of its
// commits. What is left is what changed no field of the plan (a
// confirmation) and, outside git, every change.
func inHistory(replies []replyLine, st *history.Story) []replyLine {
	if st == nil {
		return replies
	}
	committed := map[string]bool{}
	for _, c := range st.Changes {
		if c.Reply != "" {
			committed[c.Reply] = true
		}
	}
	return slices.DeleteFunc(replies, func(l replyLine) bool { return committed[l.ID] })
}

// joinChanges lists each change a reply made once in a room: a change the
// room's "What changed" lists (from the plan's history, which names the
// reply) takes what the buyer wrote with it from the reply's line, as
// scoped for the room, and leaves the replies' own list; the replies' list
// keeps the rest (a confirmation, which changes no date, and changes older
// than the latest few).
func joinChanges(history []changeLine, replies []replyLine) ([]changeLine, []replyLine) {
	shown := map[string]bool{}
	for i := range history {
		id := history[i].reply
		if id == "" || shown[id] {
			continue
		}
		for _, l := range replies {
			if l.ID == id {
				history[i].Said, history[i].Link = l.said, l.Link
				shown[id] = true
			}
		}
	}
	return history, slices.DeleteFunc(replies, func(l replyLine) bool { return shown[l.ID] })
}

// mineOf lists stakeholder id's own replies, newest first. Nobody else's
// room lists them: a question and its answer, a decline and its reason,
// are for the sender only.
//
// A waiting reply that would change a step is replaced by a later one of
// the sender's about the same step (reply.Superseded, as maproom replies
// tells the seller): the room says so, not that the older one still waits.
func (c *replyContext) mineOf(recs []reply.Record, id string) []replyLine {
	var rs []reply.Reply // oldest first, as recs
	sent := map[string]time.Time{}
	for _, rec := range recs {
		if r := rec.Reply; r.Stakeholder == id && r.Deal == c.d.ID {
			rs = append(rs, r)
			sent[r.ID] = r.Time
		}
	}
	later := reply.Superseded(rs)
	var out []replyLine
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i].Reply
		if r.Stakeholder != id || r.Deal != c.d.ID {
			continue
		}
		l := c.mine(recs[i])
		if by, ok := later[r.ID]; ok && l.State == reply.Waiting {
			l.StateLabel = "replaced by your later reply of " + c.day(sent[by])
		}
		out = append(out, l)
	}
	return out
}

// waitingLabel says that the person's latest reply about task id that
// would change it waits for the seller ("" when none does); mine are their
// replies, newest first (mineOf).
func waitingLabel(mine []replyLine, id string) string {
	for _, l := range mine {
		r := l.reply
		if r.Target != id || r.TargetKind == reply.TargetMilestone || r.Kind == reply.Question || r.Kind == reply.Suggest {
			continue
		}
		if l.State == reply.Waiting {
			return fmt.Sprintf("Your reply of %s waits for an answer: a new one replaces it", l.Day)
		}
		return ""
	}
	return ""
}

// askGroups lists the plan's tasks by milestone for the question form.
func askGroups(ms []milestoneView) []askGroup {
	var out []askGroup
	for _, m := range ms {
		g := askGroup{Title: m.Title}
		for _, t := range m.Tasks {
			g.Tasks = append(g.Tasks, refView{ID: t.ID, Title: t.Title})
		}
		if len(g.Tasks) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// leads lists the milestones stakeholder id leads that are still to
// decide (a milestone reached has no date left to agree).
func leads(ms []milestoneView, id string) []milestoneView {
	var out []milestoneView
	for _, m := range ms {
		if m.LeadID == id && m.Class != "done" {
			out = append(out, m)
		}
	}
	return out
}

// String is for debugging output in tests.
func (l replyLine) String() string {
	return fmt.Sprintf("%s %s: %s %s [%s] %s", l.Kind, l.About, l.What, l.Link, l.StateLabel, l.Note)
}

// namesPerson reports whether name names d's stakeholder id: their id,
// full name or first name, case and spacing aside.
func namesPerson(d *deal.Deal, id, name string) bool {
	s, ok := d.Stakeholder(id)
	if !ok {
		return false
	}
	name = strings.TrimSpace(name)
	first, _, _ := strings.Cut(s.Name, " ")
	return strings.EqualFold(name, s.ID) || strings.EqualFold(name, s.Name) || strings.EqualFold(name, first)
}
