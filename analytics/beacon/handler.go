package beacon

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// The handler's paths.
const (
	NotePath   = "/note"    // POST: events from the room script
	HealthPath = "/healthz" // GET: the Health document
)

// RejectHeader is the response header that explains a rejection.
const RejectHeader = "X-Maproom-Reject"

// Store keeps accepted events. Append returns only once the events are
// durable to the store's promise; the handler acknowledges after it.
// *eventlog.Log is the embedded store; the PostgreSQL store is the other.
type Store interface {
	Append(ctx context.Context, events []event.Event) error
}

// StoreReporter is a Store that says how it is in /healthz: StoreHealth
// returns its document (under "store") and whether it can store events now;
// false makes /healthz answer 503, so that a load balancer sends the rooms
// to an instance that can. A store that is not a StoreReporter is taken to
// be able to.
type StoreReporter interface {
	StoreHealth(ctx context.Context) (doc any, ok bool)
}

// HandlerConfig configures [NewHandler].
type HandlerConfig struct {
	// Manifest is the room manifest to accept tokens from; nil accepts no
	// token until Reload.
	Manifest *manifest.Manifest
	// Store receives accepted events. Required.
	Store Store
	// Now is the clock events are stamped with; nil means time.Now.
	Now func() time.Time
	// ReplyDay, when not nil, is the clock a reply's dates are checked
	// against (a new date not in the past, a step done not ahead): a
	// preview built as of another day checks them as of that day, while
	// its events and replies are stamped with Now. nil means Now.
	ReplyDay func() time.Time
	// Logger receives operator messages; nil discards them.
	Logger *slog.Logger
	// AllowedOrigins are the origins room pages are served from
	// ("https://rooms.example.com"). A request with an Origin header not
	// listed is rejected. Empty, or "*" among them, allows any origin.
	AllowedOrigins []string
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// Instance names this beacon in events; it should match the log's.
	Instance string
	// TokenRate and AddrRate limit events per room token and requests per
	// client address (IPv4 address or IPv6 /64); zero values take
	// DefaultTokenRate and DefaultAddrRate.
	TokenRate, AddrRate Rate
	// LimiterSlots is the capacity of each limiter; 0 takes
	// DefaultLimiterSlots.
	LimiterSlots int
	// ReplyRate limits the replies per room token; zero takes
	// DefaultReplyRate.
	ReplyRate Rate
	// Rand is where reply ids come from; nil means crypto/rand.
	Rand io.Reader
	// ReadKey is the key the seller reads the replies with (GET
	// RepliesPath, Authorization: Bearer <key>). Empty: the read endpoint
	// does not exist.
	ReadKey string
}

// Handler is the beacon's HTTP handler: POST [NotePath] takes events, POST
// [ReplyPath] takes a reply form, GET [RepliesPath] lists the replies to the
// holder of the read key, GET [HealthPath] reports health; anything else is
// 404. It is safe for
// concurrent use; [Handler.Reload] swaps the manifest without stopping
// requests.
type Handler struct {
	// storeFailed throttles the log line of a store that fails.
	storeFailed throttle
	store       Store
	now         func() time.Time
	replyDay    func() time.Time
	logger      *slog.Logger
	anyOrig     bool
	origins     map[string]bool
	proxies     proxies
	instance    string
	byToken     *Limiter
	byAddr      *Limiter
	byReply     *Limiter
	agents      *agentCache
	rand        io.Reader
	readKey     []byte // SHA-256 of HandlerConfig.ReadKey; nil without one

	rooms    atomic.Pointer[roomIndex]
	draining atomic.Bool

	requests, events, nreplies atomic.Int64
	rejected                   []atomic.Int64 // by Reason index
}

// roomIndex is one loaded manifest.
type roomIndex struct {
	rooms  map[string]*room
	site   string // the manifest's Site: where a reply's sender goes back to
	loaded time.Time
}

type room struct {
	manifest.Room
	pages map[string]bool
}

// NewHandler returns a handler for cfg.
func NewHandler(cfg HandlerConfig) *Handler {
	h := &Handler{
		store:    cfg.Store,
		now:      cfg.Now,
		replyDay: cfg.ReplyDay,
		logger:   cfg.Logger,
		origins:  map[string]bool{},
		proxies:  proxies(cfg.TrustedProxies),
		instance: cfg.Instance,
		agents:   newAgentCache(),
		rand:     cfg.Rand,
		rejected: make([]atomic.Int64, len(Reasons)),
	}
	if h.rand == nil {
		h.rand = rand.Reader
	}
	if cfg.ReadKey != "" {
		sum := sha256.Sum256([]byte(cfg.ReadKey))
		h.readKey = sum[:]
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.replyDay == nil {
		h.replyDay = h.now
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	h.anyOrig = len(cfg.AllowedOrigins) == 0
	for _, o := range cfg.AllowedOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "*" {
			h.anyOrig = true
		}
		h.origins[strings.ToLower(o)] = true
	}
	tr, ar := cfg.TokenRate, cfg.AddrRate
	if tr == (Rate{}) {
		tr = DefaultTokenRate
	}
	if ar == (Rate{}) {
		ar = DefaultAddrRate
	}
	slots := cfg.LimiterSlots
	if slots <= 0 {
		slots = DefaultLimiterSlots
	}
	h.byToken = NewLimiter(tr, slots)
	h.byAddr = NewLimiter(ar, slots)
	rr := cfg.ReplyRate
	if rr == (Rate{}) {
		rr = DefaultReplyRate
	}
	h.byReply = NewLimiter(rr, slots)
	h.Reload(cfg.Manifest)
	return h
}

// Reload makes m the manifest for requests that start after it returns;
// requests in flight finish with the manifest they began with. A nil m
// empties it.
func (h *Handler) Reload(m *manifest.Manifest) {
	idx := &roomIndex{rooms: map[string]*room{}, loaded: h.now()}
	if m != nil {
		idx.site = m.Site
		for _, r := range m.Rooms {
			rm := &room{Room: r, pages: make(map[string]bool, len(r.Pages))}
			for _, p := range r.Pages {
				rm.pages[p] = true
			}
			idx.rooms[r.Key] = rm
		}
	}
	h.rooms.Store(idx)
}

// Drain makes /healthz answer 503 "draining" so that a load balancer stops
// sending traffic; requests are still served.
func (h *Handler) Drain() { h.draining.Store(true) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case NotePath:
		h.note(w, r)
	case HealthPath:
		h.health(w, r)
	case ReplyPath:
		h.reply(w, r)
	case RepliesPath:
		h.replies(w, r)
	case EventsPath:
		h.readEvents(w, r)
	default:
		h.refuse(w, &RejectError{Reason: ReasonNotFound, Detail: "the beacon takes POST " + NotePath})
	}
}

func (h *Handler) refuse(w http.ResponseWriter, rej *RejectError) {
	h.rejected[rej.Reason.index()].Add(1)
	w.Header().Set(RejectHeader, sanitizeHeader(rej.Error()))
	w.WriteHeader(rej.Reason.Status())
}

// sanitizeHeader keeps a header value to printable ASCII and 200 bytes.
func sanitizeHeader(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 200; i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func (h *Handler) note(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	// A room's page sends no referrer, so a browser may name its origin
	// "null" (Firefox does for every sendBeacon): such an event is let
	// through, as from no origin, without the CORS headers that would let
	// a page read the answer. The token still tells whose room it is.
	if origin != "" && origin != "null" && !h.allowOrigin(w, origin) {
		h.refuse(w, reject(ReasonOrigin, "origin %.100s is not a room origin", origin))
		return
	}
	if preflight(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		h.refuse(w, reject(ReasonMethod, "%.10s: use POST", r.Method))
		return
	}
	if isPrefetch(r.Header) {
		h.refuse(w, reject(ReasonPrefetch, "not stored"))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "text/plain;charset=UTF-8" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "text/plain" && mt != "application/json") {
			h.refuse(w, reject(ReasonContentType, "%.60s: send text/plain", ct))
			return
		}
	}
	addr, ok := h.proxies.clientAddr(r)
	if !ok {
		h.refuse(w, reject(ReasonMalformed, "no client address"))
		return
	}
	ak := addrKey(addr)
	if !h.byAddr.Allow(ak[:], 1, h.now()) {
		w.Header().Set("Retry-After", "1")
		h.refuse(w, reject(ReasonRateAddr, "too many requests from this address"))
		return
	}
	if r.ContentLength > MaxBody {
		h.refuse(w, reject(ReasonTooLarge, "%d bytes, the most is %d", r.ContentLength, MaxBody))
		return
	}

	bp := bodyPool.Get().(*[]byte)
	defer bodyPool.Put(bp)
	body, err := readBody((*bp)[:0], r.Body, MaxBody)
	*bp = body[:0]
	if err != nil {
		if errors.Is(err, errTooLarge) {
			h.refuse(w, reject(ReasonTooLarge, "more than %d bytes", MaxBody))
		} else {
			h.refuse(w, reject(ReasonMalformed, "reading the body: %v", err))
		}
		return
	}
	notes, err := DecodeNotes(body)
	if err != nil {
		h.refuse(w, err.(*RejectError))
		return
	}

	now := h.now() // the body is in: the request has arrived
	idx := h.rooms.Load()
	ua := h.agents.classify(r.UserAgent())
	net := network(addr)
	stamp := now.UTC().Truncate(time.Millisecond)
	events := make([]event.Event, len(notes))
	for i := range notes {
		n := &notes[i]
		key := token.Key(n.Token)
		rm := idx.rooms[key]
		if rm == nil {
			h.refuse(w, reject(ReasonUnknownToken, "event %d: no room has this token (rotated away and removed, or never built)", i))
			return
		}
		if !rm.pages[n.Page] {
			h.refuse(w, reject(ReasonUnknownPage, "event %d: page %.40q is not in this room", i, n.Page))
			return
		}
		if n.Collateral != "" && (n.Collateral == manifest.PageRoom || !rm.pages[n.Collateral]) {
			h.refuse(w, reject(ReasonCollateral, "event %d: collateral %.40q is not in this room", i, n.Collateral))
			return
		}
		events[i] = event.Event{
			V: event.SchemaVersion, Time: stamp,
			Deal: rm.Deal, Stakeholder: rm.Stakeholder, Side: rm.Side, Role: rm.Role,
			Room: rm.Key, Rotation: rm.Rotation, Retired: rm.Retired,
			Page: n.Page, Kind: n.Kind, Collateral: n.Collateral,
			Load: n.Load, Seq: n.Seq, ActiveMS: n.ActiveMS, VisibleMS: n.VisibleMS,
			Net: net, UA: ua.class, Crawler: ua.crawler, Webdriver: n.Webdriver,
			Instance: h.instance,
		}
	}
	if !h.allowTokens(events, now) {
		w.Header().Set("Retry-After", "1")
		h.refuse(w, reject(ReasonRateToken, "too many events for this room"))
		return
	}
	if err := h.store.Append(r.Context(), events); err != nil {
		// Only stored events spend a room's budget: a beacon that refuses
		// requests while its store is down must not refuse the rooms'
		// events with rate-token once it is back.
		h.refundTokens(events, len(events), now)
		if r.Context().Err() != nil {
			// The client left before its events were stored; they may
			// still be written, unacknowledged.
			h.logger.Debug("client left before the events were stored", "err", err)
		} else if h.storeFailed.allow(h.now()) {
			// Once a minute while the store fails (a full disk fails
			// every request): the log's counters say how many.
			h.logger.Error("events not stored", "err", err)
		}
		h.refuse(w, reject(ReasonUnavailable, "the events could not be stored; send them later"))
		return
	}
	h.requests.Add(1)
	h.events.Add(int64(len(events)))
	w.WriteHeader(http.StatusNoContent)
}

// allowTokens charges each room of the batch for its events, all or none:
// if one room's budget is short, the rooms charged before it are refunded.
func (h *Handler) allowTokens(events []event.Event, now time.Time) bool {
	for i := range events {
		k, n, first := roomCharge(events, i)
		if !first {
			continue
		}
		if !h.byToken.Allow([]byte(k), n, now) {
			h.refundTokens(events, i, now)
			return false
		}
	}
	return true
}

// refundTokens gives back what allowTokens charged the rooms of the events
// before the end'th.
func (h *Handler) refundTokens(events []event.Event, end int, now time.Time) {
	for i := range end {
		if k, n, first := roomCharge(events, i); first {
			h.byToken.Refund([]byte(k), n, now)
		}
	}
}

// roomCharge returns the room of events[i], its number of events in the
// batch, and whether i is its first event (where the room is charged).
func roomCharge(events []event.Event, i int) (room string, n int, first bool) {
	room = events[i].Room
	for j := 0; j < i; j++ {
		if events[j].Room == room {
			return room, 0, false
		}
	}
	for j := i; j < len(events); j++ {
		if events[j].Room == room {
			n++
		}
	}
	return room, n, true
}

var errTooLarge = errors.New("body too large")

// readBody appends r to b, failing past max bytes.
func readBody(b []byte, r io.Reader, max int) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > max {
			return b, errTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func isPrefetch(hd http.Header) bool {
	for _, k := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		if v := hd.Get(k); v != "" {
			v = strings.ToLower(v)
			if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
				return true
			}
		}
	}
	return false
}

// Health is the document GET /healthz answers to this machine, or to a
// request with the read key; anyone else reads its status alone.
type Health struct {
	Status    string           `json:"status"` // "ok", "draining", or "store-unavailable"
	Instance  string           `json:"instance"`
	Rooms     int              `json:"rooms"`           // rooms in the loaded manifest
	Loaded    time.Time        `json:"manifest_loaded"` // when it was loaded
	Requests  int64            `json:"requests"`        // accepted requests
	Events    int64            `json:"events"`          // accepted events
	Replies   int64            `json:"replies"`         // accepted replies
	Rejected  map[Reason]int64 `json:"rejected"`        // refused requests by reason
	Evictions int64            `json:"limiter_evictions"`
	Store     any              `json:"store,omitempty"` // the store's own document, when it is a StoreReporter
}

// Health returns the handler's current health and counters, and the
// store's (for at most a few seconds, see StoreReporter).
func (h *Handler) Health() Health { return h.healthCtx(context.Background()) }

func (h *Handler) healthCtx(ctx context.Context) Health {
	idx := h.rooms.Load()
	hl := Health{
		Status: "ok", Instance: h.instance,
		Rooms: len(idx.rooms), Loaded: idx.loaded,
		Requests: h.requests.Load(), Events: h.events.Load(), Replies: h.nreplies.Load(),
		Rejected:  map[Reason]int64{},
		Evictions: h.byAddr.Evictions() + h.byToken.Evictions() + h.byReply.Evictions(),
	}
	if h.draining.Load() {
		hl.Status = "draining"
	}
	for i, r := range Reasons {
		hl.Rejected[r] = h.rejected[i].Load()
	}
	if sr, ok := h.store.(StoreReporter); ok {
		doc, up := sr.StoreHealth(ctx)
		hl.Store = doc
		if !up && hl.Status == "ok" {
			hl.Status = "store-unavailable"
		}
	}
	return hl
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.refuse(w, reject(ReasonMethod, "%.10s: use GET", r.Method))
		return
	}
	hl := h.healthCtx(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if hl.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if !h.healthDetails(r) {
		// Anyone may ask: the status alone, not the volume of rooms,
		// events and replies, nor the store's errors (a database's user,
		// name and host).
		enc.Encode(struct {
			Status string `json:"status"`
		}{hl.Status})
		return
	}
	enc.Encode(hl)
}

// healthDetails reports whether r may read the whole Health document: it
// comes from this machine (the client address as the beacon tells it,
// through trusted proxies), or carries the read key.
func (h *Handler) healthDetails(r *http.Request) bool {
	// A request forwarded by a proxy on this machine that the beacon was
	// not told to trust (-trusted-proxy) comes from anywhere: it carries
	// the client's address in a header the beacon does not read.
	forwarded := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != ""
	if a, ok := h.proxies.clientAddr(r); ok && a.IsLoopback() && !forwarded {
		return true
	}
	return h.readKey != nil && h.keyMatches(r.Header.Get("Authorization"))
}

// allowOrigin reports whether origin is a room origin the beacon serves
// (or any, when configured so) and, when it is, sets the CORS headers that
// let the page read the answer and its rejection reason.
func (h *Handler) allowOrigin(w http.ResponseWriter, origin string) bool {
	if !h.anyOrig && !h.origins[strings.ToLower(origin)] {
		return false
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Set("Access-Control-Expose-Headers", RejectHeader)
	hd.Add("Vary", "Origin")
	return true
}

// preflight answers a CORS preflight (OPTIONS) for a POST of a form or
// JSON body, cached for a day, and reports whether r was one.
func preflight(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions {
		return false
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Methods", "POST")
	hd.Set("Access-Control-Allow-Headers", "Content-Type")
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// readAllowed lets through a seller's read request (GET with the read key
// as a bearer token) to a store that can answer it (ok). Anything else is
// answered here: without a configured key, a wrong one or such a store,
// the path does not exist (404), so a room, which never holds the key,
// cannot tell it from any other unknown path; another method is told to
// use GET.
func (h *Handler) readAllowed(w http.ResponseWriter, r *http.Request, ok bool) bool {
	if h.readKey == nil || !ok || !h.keyMatches(r.Header.Get("Authorization")) {
		h.refuse(w, &RejectError{Reason: ReasonNotFound, Detail: "the beacon takes POST " + NotePath})
		return false
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		h.refuse(w, reject(ReasonMethod, "%.10s: use GET", r.Method))
		return false
	}
	return true
}

// throttle lets a repeated log line through once a minute.
type throttle struct {
	mu   sync.Mutex
	last time.Time
}

// allow reports whether a line may be logged at now: none was in the
// minute before.
func (t *throttle) allow(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.last.IsZero() && now.Sub(t.last) < time.Minute {
		return false
	}
	t.last = now
	return true
}
