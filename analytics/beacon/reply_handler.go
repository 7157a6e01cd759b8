package beacon

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/token"
)

// The reply paths.
const (
	ReplyPath   = "/reply"   // POST: a reply form from a room (see [Handler.ServeHTTP])
	RepliesPath = "/replies" // GET: the replies, for the seller, with the read key
)

// MaxReplyBody is the largest reply form the beacon reads, in bytes:
// every field reply.Parse reads filled to its limit (reply.MaxText
// characters of reason, evidence and text each, reply.MaxOwner of owner,
// reply.MaxTarget of target, reply.MaxSeen of seen, a date), each
// character 4 bytes of UTF-8 and each byte percent-encoded as 3, and a
// kilobyte for the token, the kind, the field names and the separators.
// A room's form holds no more than that (its boxes' maxlength are these
// limits), so no reply the form allows is refused for its size; a field
// over its limit is refused by reply.Parse, naming the field.
const MaxReplyBody = maxEncodedRune*(3*reply.MaxText+reply.MaxOwner+reply.MaxTarget+reply.MaxSeen+maxDate) + 1<<10

// maxDate is the length of a date, YYYY-MM-DD.
const maxDate = 10

// maxEncodedRune is the most bytes one character takes in a form body: 4
// bytes of UTF-8, each sent as 3 ("%E6").
const maxEncodedRune = 4 * 3

// replyHead is how much of a body over MaxReplyBody the beacon reads to
// find the room it came from (its first field, t), for the refusal
// page's link back.
const replyHead = 1 << 10

// DefaultReplyRate limits the replies one room may send: 20 at once, then
// one a minute. A person answering their plan sends a handful; more is a
// script or a stuck key.
var DefaultReplyRate = Rate{PerSecond: 1.0 / 60, Burst: 20}

// replyAnswer is what a reply post is answered with: the JSON document the
// room script reads ({"id","state"} or {"error","field"}), or, for a plain
// form post, a redirect back to the room or a short page.
type replyAnswer struct {
	ID    string `json:"id,omitempty"`
	State string `json:"state,omitempty"`
	Error string `json:"error,omitempty"`
	Field string `json:"field,omitempty"`
}

// replyRefusal is a refused reply: the rejection counted and put in the
// header, and the words the person reads.
type replyRefusal struct {
	rej   *RejectError
	say   string // to the person: what happened and what to do
	field string // the form field to change, if one is at fault
	back  string // the room's address, when known, for the page's link back
}

// reply takes a reply form posted from a room: POST [ReplyPath] with the
// form's fields (see reply.Parse) and t, the room token, which alone says
// who sends it. js=1 asks for a JSON answer (the room script) instead of a
// redirect to the room's #sent confirmation (a plain form post).
//
// A reply is stored (Store.Append, a event.KindReply event) before it is
// acknowledged; every refusal says what to do, on a page or in the JSON
// "error", and is counted by reason like the events' refusals.
func (h *Handler) reply(w http.ResponseWriter, r *http.Request) {
	js := r.URL.Query().Get("js") == "1" // a form field too, read below
	origin := r.Header.Get("Origin")
	if origin != "" && origin != "null" && !h.allowOrigin(w, origin) {
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonOrigin, "origin %.100s is not a room origin", origin),
			say: "This reply did not come from a room page. Open your room from the link you were sent and reply there."})
		return
	}
	if preflight(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonMethod, "%.10s: use POST", r.Method),
			say: "Replies are sent from the forms in your room."})
		return
	}
	if isPrefetch(r.Header) {
		h.refuse(w, reject(ReasonPrefetch, "not stored"))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonContentType, "%.60s: send a form (application/x-www-form-urlencoded)", r.Header.Get("Content-Type")),
			say: "Replies are sent from the forms in your room."})
		return
	}
	addr, ok := h.proxies.clientAddr(r)
	if !ok {
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonMalformed, "no client address"), say: "Your reply could not be read. Please try again."})
		return
	}
	now := h.now()
	ak := addrKey(addr)
	if !h.byAddr.Allow(ak[:], 1, now) {
		w.Header().Set("Retry-After", "60")
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonRateAddr, "too many requests from this address"),
			say: "Too many replies came from your network just now. Your reply was not sent: wait a minute and send it again."})
		return
	}
	if r.ContentLength > MaxReplyBody {
		head, _ := io.ReadAll(io.LimitReader(r.Body, replyHead))
		h.refuseTooLarge(w, js, reject(ReasonTooLarge, "%d bytes, the most is %d", r.ContentLength, MaxReplyBody), head)
		return
	}
	body, err := readBody(make([]byte, 0, 1024), r.Body, MaxReplyBody)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			h.refuseTooLarge(w, js, reject(ReasonTooLarge, "more than %d bytes", MaxReplyBody), body)
		} else {
			h.refuseReply(w, js, replyRefusal{rej: reject(ReasonMalformed, "reading the body: %v", err), say: "Your reply could not be read. Please try again."})
		}
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonMalformed, "not a form: %v", err), say: "Your reply could not be read. Please try again."})
		return
	}
	js = js || form.Get("js") == "1"
	if origin == "null" && js {
		// The room script's fetch always names its origin; only a plain
		// form post from a no-referrer page says "null".
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonOrigin, "origin null from a script"),
			say: "This reply did not come from a room page. Open your room from the link you were sent and reply there."})
		return
	}

	idx := h.rooms.Load()
	site := strings.TrimRight(idx.site, "/")
	tok := form.Get("t")
	if !token.Valid(tok) {
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonBadToken, "t is not a room token"),
			say: "This reply does not say which room it came from. Open your room from the link you were sent and reply there."})
		return
	}
	back := roomLink(site, tok)
	rm := idx.rooms[token.Key(tok)]
	switch {
	case rm == nil:
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonUnknownToken, "no room has this token"),
			say: "This link is not a room (any more). Use the newest link you were sent, or ask the person who sent it."})
		return
	case rm.Retired:
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonRetired, "the token was rotated away"),
			say: "This link has been replaced by a newer one, and your reply was not sent. Open your room from the newest link you were sent and reply there."})
		return
	case rm.Replies == nil:
		say := "This room does not take replies (the deal may have closed). Write to your contact instead."
		if rm.Side != manifest.SideBuyer {
			// The seller's own team answers the plan in git, not here.
			say = "A room of the seller's team does not take replies: change the plan itself (content/<deal>/index.md) instead."
		}
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonNoReplies, "this room takes no replies"), say: say, back: back})
		return
	}
	rep, err := reply.Parse(form, h.replyDay())
	if err != nil {
		rr := replyRefusal{rej: reject(ReasonBadReply, "%.150s", err.Error()), say: "Your reply was not sent. " + err.Error(), back: back}
		// Every field to correct at once, each by the name the form gives
		// it; the first is the one the script puts the cursor in.
		var says []string
		for _, fe := range fieldErrors(err) {
			says = append(says, fieldLabel(fe.Field)+": "+fe.Msg)
			if rr.field == "" {
				rr.field = fe.Field
			}
		}
		if len(says) > 0 {
			rr.say = "Your reply was not sent. " + strings.Join(says, ". ") + "."
		}
		h.refuseReply(w, js, rr)
		return
	}
	if rep.TargetKind == "" {
		rep.TargetKind = rm.Replies.Resolve(rep.Target)
	}
	if !rm.Replies.AllowsReply(rep) {
		say := "Your reply was not sent: from your room you can confirm, move or close only your own steps, and ask about any step you can see."
		rej := reject(ReasonNotYours, "%s on %s %.60q is not this room's to send", rep.Kind, rep.TargetKind, rep.Target)
		if rep.Target != "" && rm.Replies.Resolve(rep.Target) == "" {
			// No step of the plan has this id: the page was loaded before
			// the seller renamed or removed the step.
			say = "Your reply was not sent: the step it is about is no longer in the plan under that name (it was renamed or taken out since your page was loaded). Reload your room and send it from there."
			rej = reject(ReasonNotYours, "%s on %.60q: no task or milestone of the plan has this id", rep.Kind, rep.Target)
		}
		h.refuseReply(w, js, replyRefusal{rej: rej, say: say, field: "target", back: back})
		return
	}
	if rm.Replies.DoneAlready(rep) {
		what, done, state := "step", "task", "done"
		if rep.TargetKind == reply.TargetMilestone {
			what, done, state = "milestone", "milestone", "reached (every step of it is done)"
		}
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonBadReply, "%s on done %s %.60q", rep.Kind, done, rep.Target),
			say: fmt.Sprintf("Your reply was not sent: the %s is %s already, so there is nothing to confirm, move or mark. Ask a question about it instead.", what, state), field: "kind", back: back})
		return
	}
	key := []byte("reply:" + rm.Key)
	if !h.byReply.Allow(key, 1, now) {
		w.Header().Set("Retry-After", "60")
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonRateReply, "too many replies from this room"),
			say: "You have sent many replies in a short time, and this one was not sent. Wait a few minutes and send it again.", back: back})
		return
	}
	stamp := now.UTC().Truncate(time.Millisecond)
	rep.ID = reply.NewID(h.rand)
	rep.Time = stamp
	rep.Deal, rep.Stakeholder, rep.Rotation = rm.Deal, rm.Stakeholder, rm.Rotation // told by the token, never the form
	ua := h.agents.classify(r.UserAgent())
	sum := sha256.Sum256([]byte(rep.ID))
	ev := event.Event{
		V: event.SchemaVersion, Time: stamp,
		Deal: rm.Deal, Stakeholder: rm.Stakeholder, Side: rm.Side, Role: rm.Role,
		Room: rm.Key, Rotation: rm.Rotation, Page: "room", Kind: event.KindReply,
		Load: hex.EncodeToString(sum[:event.LoadLen/2]), Net: network(addr), UA: ua.class, Crawler: ua.crawler,
		Instance: h.instance, Reply: &rep,
	}
	if err := h.store.Append(r.Context(), []event.Event{ev}); err != nil {
		h.byReply.Refund(key, 1, now)
		h.logger.Error("reply not stored", "err", err)
		h.refuseReply(w, js, replyRefusal{rej: reject(ReasonUnavailable, "the reply could not be stored; send it later"),
			say: "Your reply could not be saved just now, and it was not sent. Please send it again in a few minutes.", back: back})
		return
	}
	h.nreplies.Add(1)
	h.logger.Info("reply stored", "id", rep.ID, "deal", rep.Deal, "stakeholder", rep.Stakeholder, "kind", string(rep.Kind))
	switch {
	case js:
		writeReplyJSON(w, http.StatusOK, replyAnswer{ID: rep.ID, State: "waiting"})
	case back != "":
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, back+"#sent", http.StatusSeeOther)
	default:
		// No site address to send the person back to (a manifest
		// without base_url): a page says it was sent, and how back.
		writeReplyPage(w, http.StatusOK, "Reply sent", "Your reply was sent. The plan changes when the seller accepts it; your room lists your replies after its next update.", "", true)
	}
}

// fieldErrors returns the field errors err holds: itself, or those it
// joins (reply.Parse reports every field at once), in order.
func fieldErrors(err error) []*reply.FieldError {
	if fe, ok := err.(*reply.FieldError); ok {
		return []*reply.FieldError{fe}
	}
	var out []*reply.FieldError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, fieldErrors(e)...)
		}
	} else if fe, ok := errors.AsType[*reply.FieldError](err); ok {
		out = append(out, fe)
	}
	return out
}

// roomLink is the address of the room of token tok on site (the
// manifest's, without its final slash), "" when the site is not known.
func roomLink(site, tok string) string {
	if site == "" {
		return ""
	}
	return site + "/r/" + tok + "/"
}

// refuseTooLarge refuses a body over MaxReplyBody, which no room's form
// sends (see MaxReplyBody): a form changed in the page, or not a room's.
// head is the start of the body: when its first fields name a room that
// takes replies, the page links back to it.
func (h *Handler) refuseTooLarge(w http.ResponseWriter, js bool, rej *RejectError, head []byte) {
	rr := replyRefusal{rej: rej,
		say: fmt.Sprintf("Your reply was not sent: it is longer than a reply from your room can be. Each box takes at most %d characters: shorten what you wrote and send it again.", reply.MaxText)}
	// Only whole fields: the last one may be cut short.
	if i := bytes.LastIndexByte(head, '&'); i > 0 {
		form, _ := url.ParseQuery(string(head[:i]))
		if tok := form.Get("t"); token.Valid(tok) {
			idx := h.rooms.Load()
			if rm := idx.rooms[token.Key(tok)]; rm != nil && !rm.Retired && rm.Replies != nil {
				rr.back = roomLink(strings.TrimRight(idx.site, "/"), tok)
			}
		}
	}
	h.refuseReply(w, js, rr)
}

// fieldLabel names a reply form field as the room's form labels it.
func fieldLabel(field string) string {
	switch field {
	case "date":
		return "The date"
	case "reason":
		return "The reason"
	case "evidence":
		return "What shows it is done"
	case "text":
		return "Your text"
	case "owner":
		return "Who owns it"
	case "kind":
		return "What you reply"
	}
	return "The " + field
}

// refuseReply counts and answers a refused reply: JSON for the room script,
// a page for a plain form post.
func (h *Handler) refuseReply(w http.ResponseWriter, js bool, rr replyRefusal) {
	h.rejected[rr.rej.Reason.index()].Add(1)
	w.Header().Set(RejectHeader, sanitizeHeader(rr.rej.Error()))
	status := rr.rej.Reason.Status()
	if js {
		writeReplyJSON(w, status, replyAnswer{Error: rr.say, Field: rr.field})
		return
	}
	writeReplyPage(w, status, "Reply not sent", rr.say, rr.back, false)
}

func writeReplyJSON(w http.ResponseWriter, status int, a replyAnswer) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(a)
}

// replyPage is the beacon's own page for a plain form post it cannot send
// back to the room: self-contained, no script, no request off the page.
var replyPage = template.Must(template.New("reply").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>{{.Title}}</title>
<main style="font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
<h1>{{.Title}}</h1>
<p>{{.Say}}</p>
{{if .Back}}<p><a href="{{.Back}}">Back to your room</a>{{if not .Sent}} (your browser's Back button keeps what you wrote){{end}}.</p>{{else if .Sent}}<p>Use your browser's Back button to return to your room.</p>{{else}}<p>Use your browser's Back button to return to your room; it keeps what you wrote.</p>{{end}}
</main></html>
`))

// writeReplyPage answers a reply posted without the room script with a page
// saying title and say, and the way back to the room: back's link when
// known. sent tells a reply taken (nothing to keep) from one refused (the
// browser's Back button keeps what the person wrote, to correct it).
func writeReplyPage(w http.ResponseWriter, status int, title, say, back string, sent bool) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	replyPage.Execute(w, struct {
		Title, Say, Back string
		Sent             bool
	}{title, say, back, sent})
}

// replies answers GET [RepliesPath] for the seller's `maproom replies -from`:
// the store's replies as a JSON array, oldest first, those sent at or after
// ?after= (RFC 3339) when given. It needs the read key as a bearer token
// (Authorization: Bearer <key>); without a configured key, or with a wrong
// one, the path does not exist (404), so a room, which never holds the key,
// cannot tell it from any other unknown path.
func (h *Handler) replies(w http.ResponseWriter, r *http.Request) {
	rr, ok := h.store.(ReplyReader)
	if !h.readAllowed(w, r, ok) {
		return
	}
	var after time.Time
	if s := r.URL.Query().Get("after"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			h.refuse(w, reject(ReasonMalformed, "after=%.40q: give a time like 2026-12-01T00:00:00Z", s))
			return
		}
		after = t
	}
	rs, err := rr.Replies(r.Context(), after)
	if err != nil {
		h.logger.Error("replies not read", "err", err)
		h.refuse(w, reject(ReasonUnavailable, "the replies could not be read"))
		return
	}
	if rs == nil {
		rs = []reply.Reply{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(rs)
}

// keyMatches compares an Authorization header with the read key in
// constant time. The scheme's name is matched whatever its case (RFC 9110).
func (h *Handler) keyMatches(auth string) bool {
	scheme, got, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	return subtle.ConstantTimeCompare(sum[:], h.readKey) == 1
}
