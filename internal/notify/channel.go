package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// Channel is a way of reaching people: Slack, email, a webhook.
type Channel interface {
	// Name is the channel's name in messages and in the Store: "slack",
	// "email" or "webhook".
	Name() string
	// Accepts says whether the channel carries n, and why not: a chat
	// channel carries no buyer-facing text, email needs an address.
	Accepts(n Notice) (ok bool, why string)
	// Send delivers n. nil means the receiver accepted it.
	Send(ctx context.Context, n Notice) error
}

// Status is what became of a notice on a channel.
type Status string

// The statuses.
const (
	StatusSent    Status = "sent"
	StatusAlready Status = "already sent" // recorded before: not sent again
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped" // the channel does not carry it
	StatusWould   Status = "would send"
)

// Outcome is what became of one notice on one channel.
type Outcome struct {
	Notice  Notice
	Channel string
	Status  Status
	When    time.Time // StatusAlready: when it was sent
	Why     string    // StatusSkipped
	Err     error     // StatusFailed
}

// Sender sends notices on its channels, once each: a notice whose key the
// Store holds for a channel is not sent there again (unless Resend). A
// channel that fails does not stop the others, and nothing is recorded
// for it.
type Sender struct {
	Channels []Channel
	Store    *Store
	Now      func() time.Time
	// Resend sends notices again even when the Store says they were sent.
	Resend bool
	// Digest folds, per channel, the notices not yet sent there into one
	// message per person for Day (see Digest).
	Digest bool
	Day    deal.Date
}

// Send sends each notice on every channel that accepts it and records
// each success at once. The error joins every failure, each naming the
// channel, the notice and its recipient; Outcomes lists everything, in
// order.
func (s *Sender) Send(ctx context.Context, ns []Notice) ([]Outcome, error) {
	return s.run(ctx, ns, false)
}

// DryRun says what Send would do, sending and recording nothing.
func (s *Sender) DryRun(ns []Notice) []Outcome {
	out, _ := s.run(context.Background(), ns, true)
	return out
}

func (s *Sender) run(ctx context.Context, ns []Notice, dry bool) ([]Outcome, error) {
	if s.Digest {
		return s.runDigest(ctx, ns, dry)
	}
	var out []Outcome
	var errs []error
	// A notice that says another was sent goes after every other, so
	// that what it says is known (Notice.Claims).
	ordered := slices.Clone(ns)
	slices.SortStableFunc(ordered, func(a, b Notice) int {
		return cmp.Compare(boolInt(a.Claims != ""), boolInt(b.Claims != ""))
	})
	for _, n := range ordered {
		carried := false
		var whys []string
		for _, ch := range s.Channels {
			o := Outcome{Notice: n, Channel: ch.Name()}
			if ok, why := ch.Accepts(n); !ok {
				o.Status, o.Why = StatusSkipped, why
				out = append(out, o)
				whys = append(whys, ch.Name()+": "+why)
				continue
			}
			carried = true
			if rec, ok := s.sent(n, ch.Name()); ok && !s.Resend {
				o.Status, o.When = StatusAlready, rec.Sent
				out = append(out, o)
				continue
			}
			sendN := n
			if !dry {
				sendN = s.withoutFalseClaim(n) // a preview shows what the notice says once the email went
			}
			o, err := s.attempt(ctx, ch, sendN, dry)
			out = append(out, o)
			if err != nil {
				errs = append(errs, err)
			}
		}
		if !carried && len(s.Channels) > 0 {
			out = append(out, Outcome{Notice: n, Status: StatusSkipped, Why: uncarried(whys)})
		}
	}
	return out, errors.Join(errs...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// withoutFalseClaim returns n without its ClaimLine unless the email it
// says was sent is recorded as sent (Notice.Claims): the champion's email
// failed, or no email channel could carry it (a mail server not
// configured, or its secret not set), and the seller is not told they
// were emailed.
func (s *Sender) withoutFalseClaim(n Notice) Notice {
	if n.Claims == "" {
		return n
	}
	if s.Store != nil {
		if _, ok := s.Store.Sent(n.Claims, "email"); ok {
			return n
		}
	}
	n.Body = slices.DeleteFunc(slices.Clone(n.Body), func(p string) bool { return p == n.ClaimLine })
	return n
}

// emailFirst returns the channels with email first: a notice of another
// channel that says an email was sent is sent once that email was.
func emailFirst(chs []Channel) []Channel {
	out := slices.Clone(chs)
	slices.SortStableFunc(out, func(a, b Channel) int {
		return cmp.Compare(boolInt(a.Name() != "email"), boolInt(b.Name() != "email"))
	})
	return out
}

// uncarried is the Why of a notice no channel carries: each channel's
// reason, so the seller knows what to change (an email to add to the
// plan, a channel to configure).
func uncarried(whys []string) string {
	return "no channel configured carries it (" + strings.Join(whys, "; ") + ")"
}

// HeldForNextDigest is the Why of a digest not sent because the day's was:
// its notices go in the next day's.
const HeldForNextDigest = "today's digest was sent; these go in the next one"

// runDigest sends, per channel, one digest per person of the notices not
// yet sent there.
func (s *Sender) runDigest(ctx context.Context, ns []Notice, dry bool) ([]Outcome, error) {
	var out []Outcome
	var errs []error
	carried := make([]bool, len(ns))
	whys := make([][]string, len(ns))
	digestOf := func(ns []Notice) []Notice {
		if !dry {
			for i := range ns {
				ns[i] = s.withoutFalseClaim(ns[i])
			}
		}
		return Digest(ns, s.Day)
	}
	for _, ch := range emailFirst(s.Channels) {
		var pending []Notice
		for i, n := range ns {
			if ok, why := ch.Accepts(n); !ok {
				whys[i] = append(whys[i], ch.Name()+": "+why)
				continue
			}
			carried[i] = true
			if rec, ok := s.sent(n, ch.Name()); ok && !s.Resend {
				out = append(out, Outcome{Notice: n, Channel: ch.Name(), Status: StatusAlready, When: rec.Sent})
				continue
			}
			pending = append(pending, n)
		}
		// The digests of the people a notice says were emailed (the
		// champions) go first, so that the digests saying so (the
		// sellers') say it only of an email that went.
		claimed := map[string]bool{}
		for _, n := range pending {
			if n.Claims != "" {
				claimed[n.To.ID] = true
			}
		}
		first := slices.DeleteFunc(slices.Clone(pending), func(n Notice) bool { return claimed[n.To.ID] })
		later := slices.DeleteFunc(slices.Clone(pending), func(n Notice) bool { return !claimed[n.To.ID] })
		for _, part := range [][]Notice{first, later} {
			for _, d := range digestOf(part) {
				o := Outcome{Notice: d, Channel: ch.Name()}
				if rec, ok := s.Store.Sent(d.Key, ch.Name()); ok && !s.Resend && d.Kind == KindDigest {
					// Today's digest went out: these wait for tomorrow's.
					o.Status, o.When, o.Why = StatusAlready, rec.Sent, HeldForNextDigest
					out = append(out, o)
					continue
				}
				o, err := s.attempt(ctx, ch, d, dry)
				out = append(out, o)
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	for i, n := range ns {
		if !carried[i] && len(s.Channels) > 0 {
			out = append(out, Outcome{Notice: n, Status: StatusSkipped, Why: uncarried(whys[i])})
		}
	}
	return out, errors.Join(errs...)
}

// attempt delivers n on ch, or, dry, says it would.
func (s *Sender) attempt(ctx context.Context, ch Channel, n Notice, dry bool) (Outcome, error) {
	if dry {
		return Outcome{Notice: n, Channel: ch.Name(), Status: StatusWould}, nil
	}
	return s.deliver(ctx, ch, n)
}

// deliver sends n on ch and records it; the error names the channel, the
// notice and its recipient.
func (s *Sender) deliver(ctx context.Context, ch Channel, n Notice) (Outcome, error) {
	o := Outcome{Notice: n, Channel: ch.Name()}
	if err := ctx.Err(); err != nil {
		o.Status, o.Err = StatusFailed, err
		return o, fmt.Errorf("%s: %s to %s: not sent: %w", ch.Name(), n.Subject, n.To.Name, err)
	}
	if err := ch.Send(ctx, n); err != nil {
		o.Status, o.Err = StatusFailed, err
		if errors.Is(err, ErrUnconfirmed) {
			// It may show already: recorded, so no later run shows it twice.
			if merr := s.Store.Mark(n, ch.Name(), s.Now()); merr == nil {
				return o, fmt.Errorf("%s: %s to %s: %w; recorded as sent, so that no run shows it twice: check that it arrived", ch.Name(), n.Subject, n.To.Name, err)
			}
		}
		return o, fmt.Errorf("%s: %s to %s: %w", ch.Name(), n.Subject, n.To.Name, err)
	}
	o.Status = StatusSent
	if err := s.Store.Mark(n, ch.Name(), s.Now()); err != nil {
		// Sent but not recorded: the next run sends it again.
		return o, fmt.Errorf("%s: %s to %s was sent but could not be recorded in %s (the next run sends it again): %w", ch.Name(), n.Subject, n.To.Name, s.Store.Path(), err)
	}
	return o, nil
}

// sent says whether n is recorded as sent on channel: for a digest, when
// the digest itself or every one of its parts is.
func (s *Sender) sent(n Notice, channel string) (Record, bool) {
	if s.Store == nil {
		return Record{}, false
	}
	if r, ok := s.Store.Sent(n.Key, channel); ok {
		if n.Kind == KindInvite && !SameAddress(r.Addr, n.To.Email) {
			return Record{}, false // sent to the address the plan had before
		}
		return r, true
	}
	if len(n.Parts) == 0 {
		return Record{}, false
	}
	var last Record
	for _, p := range n.Parts {
		r, ok := s.Store.Sent(p.Key, channel)
		if !ok {
			return Record{}, false
		}
		if r.Sent.After(last.Sent) {
			last = r
		}
	}
	return last, true
}

// SameAddress reports whether the invitation recorded to address was (an
// empty one, recorded before addresses were kept, is taken as the same)
// to the address now, case aside.
func SameAddress(was, now string) bool {
	return was == "" || strings.EqualFold(strings.TrimSpace(was), strings.TrimSpace(now))
}

// Close closes every channel that holds a connection.
func (s *Sender) Close() error {
	var errs []error
	for _, ch := range s.Channels {
		if c, ok := ch.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
