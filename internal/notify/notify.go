// Package notify tells people what a deal needs from them: it decides, from
// plain facts about the deals (overdue tasks with their severity, replies
// waiting for the seller, who opened their room), what needs telling and to
// whom (Decide); it writes each notice as a short text with the one thing
// to do; it sends notices through Slack incoming webhooks, email over SMTP
// with STARTTLS and signed generic webhooks; and it records what was sent,
// per notice and channel, so that a rerun sends nothing new (Store).
// Invitations (each stakeholder's own room link with the weekly review
// invite attached) are notices too (Invites), sent by email through the
// same Store.
//
// The package computes no lateness and no engagement of its own: days
// late and severity come from internal/deal and internal/schedule (through
// the report), visits from the report's engagement rules. Its callers fill
// the inputs; it holds no clock (Today and Now are passed in).
//
// Delivery is at least once: a notice is recorded as sent right after its
// channel accepted it, with an atomic write; a crash between the two sends
// it again on the next run. Every notice carries a stable idempotency key
// (Notice.ID) that webhooks receive in a header, so a receiver can drop the
// repeat. Nothing is recorded for a channel that did not accept it.
package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/deal"
)

// Kind names what a notice is about.
type Kind string

// The kinds of notice.
const (
	// KindOverdue: an open task at least flag_days late (Severity flag) or
	// alert_days late (Severity alert), to the task's seller-side owner or
	// the deal's account executive. Once per task, due date and stage.
	KindOverdue Kind = "overdue"
	// KindChampion: the buyer-facing side of an alert, emailed to the
	// deal's champion with a link to their own room. Once per task, due
	// date and alert.
	KindChampion Kind = "champion-reminder"
	// KindReply: a reply a buyer sent from their room waits for the
	// seller. Once per reply.
	KindReply Kind = "reply-waiting"
	// KindUnopened: a decider (economic buyer or approver) has not opened
	// their room UnopenedDays after it was published. Once per person and
	// publication day.
	KindUnopened Kind = "decider-unopened"
	// KindFirstVisit: the economic buyer's first human-verified visit.
	// Once per person.
	KindFirstVisit Kind = "first-visit"
	// KindInvite: a stakeholder's own room link, with the weekly review
	// invite. Once per person and link (a rotated link is a new invite).
	KindInvite Kind = "invite"
	// KindDigest: one message holding every notice of a person's day.
	KindDigest Kind = "digest"
)

// Audience says who reads a notice's text, and so which channels carry it.
type Audience string

// The audiences.
const (
	// Seller: the seller's own people. Carried by every channel the site
	// configures for the seller (Slack, email, webhooks).
	Seller Audience = "seller"
	// Buyer: one buyer stakeholder, in words meant for them, with their own
	// room link and no other. Carried by email only: a buyer's link never
	// goes to a chat channel or a third-party system.
	Buyer Audience = "buyer"
)

// Person is someone a notice goes to, in one deal.
type Person struct {
	Deal  string    `json:"deal"`
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Email string    `json:"-"` // never in a webhook body
	Side  deal.Side `json:"side"`
	Role  deal.Role `json:"role"`
	// Link is the person's own room URL: only a notice to this person
	// (Audience Buyer) may carry it.
	Link string `json:"-"`
}

// FirstName is the first word of the person's name, for a greeting.
func (p Person) FirstName() string {
	if f := strings.Fields(p.Name); len(f) > 0 {
		return f[0]
	}
	return p.ID
}

// Attachment is a file sent with an email notice.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Notice is one thing to tell one person. Its zero value is not useful:
// Decide, Invites and Digest make them.
type Notice struct {
	// Key names what is told, at which stage, to whom: the record of what
	// was sent is kept per Key and channel. Keys hold ids, dates and
	// hashes, never names or links.
	Key       string
	Kind      Kind
	Severity  deal.Severity // KindOverdue and KindChampion: flag or alert; else ""
	Deal      string
	DealTitle string
	Task      string // the task id, when the notice is about one
	To        Person
	Audience  Audience
	Subject   string
	// Body is the text, plain, in paragraphs; Do the one thing to do.
	Body []string
	Do   string
	// Signature closes a buyer-facing text (the account executive's name).
	Signature string
	// ReplyTo is the address an email reply goes to (the account
	// executive's), "" for none.
	ReplyTo     string
	Attachments []Attachment
	// Parts are the notices a digest holds, in order; nil otherwise.
	Parts []Notice
	// Claims is the Key of a notice this one says was sent (the
	// champion's reminder, in the seller's alert), in its Body's paragraph
	// ClaimLine: it is sent after every other notice of the run, and
	// without that paragraph when the claimed one is not recorded sent by
	// email (it failed).
	Claims, ClaimLine string
}

// ID is the notice's idempotency key: a hash of its Key (and of its parts'
// Keys for a digest), the same on every run and every retry.
func (n Notice) ID() string {
	h := sha256.New()
	h.Write([]byte(n.Key))
	for _, p := range n.Parts {
		h.Write([]byte{0})
		h.Write([]byte(p.Key))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Keys lists the Keys a sent notice settles: its parts' for a digest, else
// its own.
func (n Notice) Keys() []string {
	if len(n.Parts) == 0 {
		return []string{n.Key}
	}
	ks := make([]string, 0, len(n.Parts)+1)
	ks = append(ks, n.Key)
	for _, p := range n.Parts {
		ks = append(ks, p.Key)
	}
	return ks
}

// Text is the whole plain text of the notice: a greeting for a buyer, the
// body, what to do, the signature.
func (n Notice) Text() string {
	if n.Kind == KindInvite {
		return strings.Join(n.Body, "\n") // the template wrote all of it
	}
	var b strings.Builder
	if n.Audience == Buyer {
		fmt.Fprintf(&b, "Hello %s,\n\n", n.To.FirstName())
	}
	for i, p := range n.Body {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(p)
		b.WriteString("\n")
	}
	if n.Do != "" {
		if n.Audience == Buyer {
			fmt.Fprintf(&b, "\n%s\n", n.Do)
		} else {
			fmt.Fprintf(&b, "\nWhat to do: %s\n", n.Do)
		}
	}
	if n.Signature != "" {
		fmt.Fprintf(&b, "\n%s\n", n.Signature)
	}
	return b.String()
}

// sortNotices orders notices by deal, then recipient, then key, so output
// and sending order are the same on every run.
func sortNotices(ns []Notice) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if a.Deal != b.Deal {
			return a.Deal < b.Deal
		}
		if a.To.ID != b.To.ID {
			return a.To.ID < b.To.ID
		}
		return a.Key < b.Key
	})
}

// calendarDays says n calendar days, "1 calendar day" in the singular, as
// the report does.
func calendarDays(n int) string {
	if n == 1 {
		return "1 calendar day"
	}
	return fmt.Sprintf("%d calendar days", n)
}

// roleLabel writes a role for people: "economic buyer".
func roleLabel(r deal.Role) string { return strings.ReplaceAll(string(r), "-", " ") }

// quote puts a title in typographic quotes.
func quote(s string) string { return "\u201c" + s + "\u201d" }
