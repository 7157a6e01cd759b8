package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/deal"
)

// The headers of a webhook request.
const (
	// HeaderTimestamp holds the Unix time (seconds) the attempt was made.
	HeaderTimestamp = "X-Maproom-Timestamp"
	// HeaderSignature holds "v1=" and the hex HMAC-SHA256, keyed with the
	// shared secret, of the timestamp, a ".", and the body.
	HeaderSignature = "X-Maproom-Signature"
	// HeaderIdempotency holds the notice's ID: the same on every retry and
	// every run, so a receiver drops a repeat (see the package doc).
	HeaderIdempotency = "Idempotency-Key"
)

// Webhook posts seller-facing notices as signed JSON to a URL of the
// seller's own systems (a CRM, an on-call tool). It carries no buyer-facing
// notice: a buyer's link never goes to another system.
type Webhook struct {
	URL    string
	Secret []byte // from the environment; required
	Client *http.Client
	Retry  Retry
	Now    func() time.Time // the timestamp of each attempt
}

// Name is "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Accepts takes seller-facing notices.
func (w *Webhook) Accepts(n Notice) (bool, string) {
	if n.Audience != Seller {
		return false, "a buyer's message goes by email only"
	}
	return true, ""
}

// Send posts n's JSON (WebhookBody), each attempt with its own timestamp
// and signature and the same idempotency key.
func (w *Webhook) Send(ctx context.Context, n Notice) error {
	if len(w.Secret) == 0 {
		return errors.New("no signing secret")
	}
	body, err := json.Marshal(WebhookBody(n))
	if err != nil {
		return err
	}
	now := w.Now
	if now == nil {
		now = time.Now
	}
	return post(ctx, w.Client, w.Retry, w.URL, body, func(h http.Header) {
		ts := strconv.FormatInt(now().Unix(), 10)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, Sign(w.Secret, ts, body))
		h.Set(HeaderIdempotency, n.ID())
	}, true) // the receiver drops a repeat by its Idempotency-Key
}

// Payload is the JSON a webhook receives. Version 1; fields are added,
// never changed. It holds ids, names, roles and texts; never an email
// address or a room link.
type Payload struct {
	Version   int           `json:"version"`
	ID        string        `json:"id"` // as the Idempotency-Key header
	Kind      Kind          `json:"kind"`
	Severity  deal.Severity `json:"severity,omitempty"`
	Deal      string        `json:"deal,omitempty"`
	DealTitle string        `json:"deal_title,omitempty"`
	Task      string        `json:"task,omitempty"`
	To        Person        `json:"to"`
	Subject   string        `json:"subject"`
	Text      string        `json:"text"`
	Do        string        `json:"do,omitempty"`
	Parts     []Payload     `json:"parts,omitempty"` // a digest's notices
}

// WebhookBody is n as a webhook receives it.
func WebhookBody(n Notice) Payload {
	p := Payload{Version: 1, ID: n.ID(), Kind: n.Kind, Severity: n.Severity, Deal: n.Deal, DealTitle: n.DealTitle,
		Task: n.Task, To: n.To, Subject: n.Subject, Text: strings.Join(n.Body, "\n\n"), Do: n.Do}
	for _, part := range n.Parts {
		p.Parts = append(p.Parts, WebhookBody(part))
	}
	return p
}

// Sign returns the signature header's value for a request made at
// timestamp ts with body.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook request as a receiver should: the signature
// matches (compared in constant time) and the timestamp is within
// tolerance of now, so a captured request cannot be replayed later.
func Verify(secret []byte, ts, sig string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%s %q is not a Unix time", HeaderTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s is %s away from now: refused as a possible replay", HeaderTimestamp, d.Round(time.Second))
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, ts, body))) {
		return errors.New("the signature does not match: wrong secret, or the body was changed")
	}
	return nil
}
