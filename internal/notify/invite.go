package notify

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// InviteFile is the site's own invite text, under its templates/ folder
// (plan templates there are .md files; this one is plain text).
const InviteFile = "invite.txt"

//go:embed builtin/invite.txt
var builtinInvite []byte

// InviteData is what an invite template sees. Every field is plain text:
// the email is plain text, so nothing in it is ever read as HTML.
type InviteData struct {
	Name, FirstName, Role string
	// Link is the person's own room link: the template must write it.
	Link                           string
	DealTitle, Buyer, Seller, Goal string
	Close                          string // the close date, "Friday 29 January 2027"; "" without one
	Review                         string // "on Tuesdays at 15:00 (Europe/London), for 15 minutes"; "" without a review
	Sender                         string // the account executive's name
	// Replaces is the day an earlier invite with another link was sent to
	// this person (their link was rotated since); "" for a first invite.
	Replaces string
	// Replies is true when the rooms take replies (the site has a
	// beacon_url): only then may the text say the person can confirm or
	// propose dates, mark steps done and ask questions from the room.
	Replies bool
}

// Template is an invite text: a "Subject: " line, a blank line, then the
// body, each a text/template over InviteData.
type Template struct {
	File    string // where it came from, "" for the built-in one
	subject *template.Template
	body    *template.Template
}

// DefaultTemplate is the built-in invite, used when the site has none.
func DefaultTemplate() *Template {
	t, err := ParseTemplate("", builtinInvite)
	if err != nil {
		panic("the built-in invite is broken: " + err.Error())
	}
	return t
}

var tmplLineRe = regexp.MustCompile(`:(\d+):`)

// ParseTemplate parses an invite text. Errors name file:line and what to
// change: the first line must be "Subject: ...", the second blank; the
// body must write {{.Link}}; no [[placeholder]] may be left; only
// InviteData's fields may be named.
func ParseTemplate(file string, src []byte) (*Template, error) {
	name := file
	if name == "" {
		name = "built-in invite"
	}
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	first, rest, _ := strings.Cut(text, "\n")
	subj, ok := strings.CutPrefix(first, "Subject:")
	if !ok {
		return nil, fail(1, "the first line is the email's subject: write \"Subject: ...\"")
	}
	blank, body, _ := strings.Cut(rest, "\n")
	if strings.TrimSpace(blank) != "" {
		return nil, fail(2, "leave the line after the subject blank; the body starts on line 3")
	}
	for i, l := range strings.Split(text, "\n") {
		if ph := deal.Placeholders(l); len(ph) > 0 {
			return nil, fail(i+1, "%s is still to write: replace it with your own words", ph[0])
		}
	}
	t := &Template{File: file}
	var err error
	if t.subject, err = template.New(name).Option("missingkey=error").Parse(strings.TrimSpace(subj)); err != nil {
		return nil, fail(1, "%s", templateMsg(err))
	}
	if t.body, err = template.New(name).Option("missingkey=error").Parse(body); err != nil {
		return nil, fail(bodyLine(err), "%s", templateMsg(err))
	}
	sample := InviteData{Name: "N", FirstName: "N", Role: "r", Link: "https://rooms.example/r/sample-link-0/", DealTitle: "T",
		Buyer: "B", Seller: "S", Goal: "G", Close: "C", Review: "R", Sender: "S", Replaces: "P", Replies: true}
	var b strings.Builder
	if err := t.subject.Execute(&b, sample); err != nil {
		return nil, fail(1, "%s", templateMsg(err))
	}
	b.Reset()
	if err := t.body.Execute(&b, sample); err != nil {
		return nil, fail(bodyLine(err), "%s", templateMsg(err))
	}
	if !strings.Contains(b.String(), sample.Link) {
		return nil, fail(3, "the body never writes {{.Link}}: an invite must carry the person's own link")
	}
	return t, nil
}

// bodyLine turns a template error's line (of the body) into the file's.
func bodyLine(err error) int {
	if m := tmplLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n + 2
	}
	return 3
}

// templateMsg is a template error without its "template: name:line:" prefix,
// with the fields a template may use when it named another.
func templateMsg(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "template:") {
		msg = msg[i+2:]
	}
	if strings.Contains(msg, "can't evaluate field") {
		msg += ": use .Name, .FirstName, .Role, .Link, .DealTitle, .Buyer, .Seller, .Goal, .Close, .Review, .Sender, .Replaces or .Replies"
	}
	return msg
}

// render writes the invite for data.
func (t *Template) render(data InviteData) (subject, body string, err error) {
	var s, b strings.Builder
	if err := t.subject.Execute(&s, data); err != nil {
		return "", "", err
	}
	if err := t.body.Execute(&b, data); err != nil {
		return "", "", err
	}
	return strings.Join(strings.Fields(s.String()), " "), strings.TrimRight(b.String(), "\n") + "\n", nil
}

// InviteInput is one deal's invitations to make.
type InviteInput struct {
	Deal *deal.Deal
	// Links maps each stakeholder id to their own room link.
	Links    map[string]string
	Template *Template
	Location *time.Location // the site's timezone
	Timezone string         // its name, for the review's time
	Today    deal.Date
	// Holidays are the site calendar's: a review meeting on one is not
	// held (the review.ics leaves it out).
	Holidays []deal.Date
	// Only lists the stakeholder ids to invite; empty invites every buyer
	// stakeholder.
	Only []string
	// Store tells which invites with another link were sent before; nil
	// for none.
	Store *Store
	// Replies is true when the rooms take replies (the site has a
	// beacon_url); without it the invite promises none (InviteData.Replies).
	Replies bool
}

// InviteKey is the key of the invitation that sent person of dealID the
// link: one key per link, so a link rotated since is invited anew.
func InviteKey(dealID, person, link string) string {
	return InviteKeyPrefix(dealID, person) + hashOf(link)
}

// InviteKeyPrefix is the start of the keys of a person's invites: one key
// per person and link, so a rotated link is a new invite.
func InviteKeyPrefix(dealID, person string) string {
	return "invite/" + dealID + "/" + person + "/"
}

// Invites returns one email notice per person to invite, each holding that
// person's own link and no other, with the weekly review's .ics attached
// when the deal has a review; and a note for each person who cannot be
// invited (no email, an email another stakeholder shares, no link). A lost deal's rooms invite nobody: the
// error says so, as it does for an id in Only that the deal lacks.
func Invites(in InviteInput) ([]Notice, []Note, error) {
	d := in.Deal
	if d.Closed() || d.Withdrawn {
		return nil, nil, fmt.Errorf("%s is lost: its rooms show a closed plan, and nobody is invited to one", d.ID)
	}
	var people []deal.Stakeholder
	if len(in.Only) == 0 {
		for _, s := range d.Stakeholders {
			if s.Side == deal.Buyer {
				people = append(people, s)
			}
		}
	} else {
		var missing []string
		for _, id := range in.Only {
			s, ok := d.Stakeholder(id)
			if !ok {
				missing = append(missing, id)
				continue
			}
			people = append(people, *s)
		}
		if len(missing) > 0 {
			return nil, nil, fmt.Errorf("%s has no stakeholder %s", d.ID, strings.Join(missing, ", "))
		}
	}
	// The invitation comes from the account executive; once the deal is
	// won, from customer success, who runs the onboarding it carries on
	// into (the account executive when the plan names no one there).
	var ae deal.Stakeholder
	for _, role := range []deal.Role{"customer-success", "account-executive"} {
		if role == "customer-success" && d.Outcome != deal.Won {
			continue
		}
		if i := slices.IndexFunc(d.Stakeholders, func(s deal.Stakeholder) bool { return s.Side == deal.Seller && s.Role == role }); i >= 0 {
			ae = d.Stakeholders[i]
			break
		}
	}
	cal := ReviewCalendar(d, in.Location, in.Today, in.Holidays)
	// An address two stakeholders share would take each one's link to the
	// other: neither is invited until each has their own.
	address := func(s deal.Stakeholder) string { return strings.ToLower(strings.TrimSpace(s.Email)) }
	byEmail := map[string][]string{}
	for _, s := range d.Stakeholders {
		if e := address(s); e != "" {
			byEmail[e] = append(byEmail[e], s.Name)
		}
	}
	var ns []Notice
	var notes []Note
	for _, s := range people {
		link := in.Links[s.ID]
		shared := byEmail[address(s)]
		switch {
		case s.Email == "":
			notes = append(notes, Note{Deal: d.ID, Text: fmt.Sprintf("%s (%s) has no email: add email: to them in %s (line %d) to invite them", s.Name, s.ID, d.File, s.Line)})
			continue
		case len(shared) > 1:
			notes = append(notes, Note{Deal: d.ID, Text: fmt.Sprintf("%s (%s) is not invited: %s share the email %s, and a link is one person's own: give each their own address in %s (line %d)",
				s.Name, s.ID, strings.Join(shared, " and "), address(s), d.File, s.Line)})
			continue
		case link == "":
			notes = append(notes, Note{Deal: d.ID, Text: fmt.Sprintf("%s (%s) has no room link", s.Name, s.ID)})
			continue
		}
		key := InviteKey(d.ID, s.ID, link)
		data := InviteData{Name: s.Name, FirstName: Person{Name: s.Name, ID: s.ID}.FirstName(), Role: roleLabel(s.Role), Link: link,
			DealTitle: d.Title, Buyer: d.Buyer, Seller: d.Seller, Goal: strings.TrimSpace(d.Goal), Review: reviewPhrase(d, in.Timezone), Sender: ae.Name, Replies: in.Replies && d.TakesReplies(&s)}
		if !d.Close.IsZero() {
			data.Close = d.Close.Time().Format("Monday 2 January 2006")
		}
		if data.Sender == "" {
			data.Sender = d.Seller
		}
		if in.Store != nil {
			if k, rec, ok := in.Store.Latest(InviteKeyPrefix(d.ID, s.ID)); ok && k != key {
				data.Replaces = rec.Sent.In(in.Location).Format("2 January 2006")
			}
			if rec, ok := in.Store.SentAny(key); ok && !SameAddress(rec.Addr, s.Email) {
				// The link went to the address the plan had then: it goes
				// to the one it has now, and whoever holds the old one
				// still holds a working link.
				notes = append(notes, Note{Deal: d.ID, Text: fmt.Sprintf("%s's link was sent on %s to %s, not their address now (%s): it is sent to %s; if %s was not theirs, set rotate: on %s in %s (line %d) so that link stops working, and invite them again",
					s.Name, rec.Sent.In(in.Location).Format("2 January 2006"), rec.Addr, s.Email, s.Email, rec.Addr, s.ID, d.File, s.Line)})
			}
		}
		subject, body, err := in.Template.render(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", templateName(in.Template), err)
		}
		if s.Side == deal.Seller {
			// A colleague's room is a preview of what the buyers see, not
			// an invitation to act on the plan as a buyer.
			subject, body = sellerPreview(d, s, link, cal != nil)
		}
		n := Notice{
			Key: key, Kind: KindInvite, Deal: d.ID, DealTitle: d.Title,
			To:       Person{Deal: d.ID, ID: s.ID, Name: s.Name, Email: s.Email, Side: s.Side, Role: s.Role, Link: link},
			Audience: Buyer, Subject: subject, Body: []string{body}, ReplyTo: ae.Email,
		}
		if cal != nil {
			n.Attachments = []Attachment{{Name: "review.ics", ContentType: "text/calendar", Data: cal}}
		}
		ns = append(ns, n)
	}
	return ns, notes, nil
}

func templateName(t *Template) string {
	if t.File == "" {
		return "the built-in invite"
	}
	return t.File
}

// sellerPreview is the message that gives a seller-side person their own
// room: a preview of what the buyers see, where their visits count as no
// buyer's and their steps are theirs to update in the plan itself.
func sellerPreview(d *deal.Deal, s deal.Stakeholder, link string, review bool) (subject, body string) {
	subject = d.Title + ": your preview of the buyers' room"
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", Person{Name: s.Name, ID: s.ID}.FirstName())
	fmt.Fprintf(&b, "this is your own link to the deal room of %s, as %s's people see it:\n\n%s\n\n", d.Title, d.Buyer, link)
	b.WriteString("It shows the plan with your steps marked as yours. Your visits are previews: the report never counts them as a buyer's. Update your own steps in the plan itself, not from the room.\n")
	if review {
		b.WriteString("\nThe weekly review with the buyers is attached as a calendar invite.\n")
	}
	b.WriteString("\nKeep the link to yourself: it opens your room without a login.\n")
	return subject, b.String()
}
