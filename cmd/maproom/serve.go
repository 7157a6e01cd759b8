package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
)

// Serve-only paths: none of them exists in `maproom build` output.
const (
	livePath   = "/_maproom/live"    // server-sent events: reload, problems
	liveJSPath = "/_maproom/live.js" // the reload script, injected in serve mode only
	indexPath  = "/_maproom/"        // local index of every room
)

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("serve", "[flags]", "Builds the site into a local preview, serves it on 127.0.0.1 with the beacon, prints each\nperson's room link, and rebuilds and reloads the browser when you save a change.\nThe preview lives in .maproom/preview: deploy the output of `maproom build`, never this one.")
	s := e.siteFlags(fs)
	addr := fs.String("addr", e.envOr("MAPROOM_ADDR", "127.0.0.1:1313"), "address to listen on (port 0 picks a free one) [MAPROOM_ADDR]")
	pollEvery := fs.Duration("poll", 0, "poll for changes at this interval instead of file-system events (network and container file systems), e.g. 500ms")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	opts, err := e.buildOptions(s)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("%w: -addr %q: write host:port, e.g. 127.0.0.1:1313", errUsage, *addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: -addr %q: the preview serves private rooms and listens on the loopback address only (127.0.0.1)", errUsage, *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("%s is taken by another program: stop it or pick another port, e.g. -addr 127.0.0.1:1314 (or :0 for any free port)", *addr)
		}
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()

	state := filepath.Join(s.root, ".maproom")
	notePath := beacon.NotePath
	opts.Out = filepath.Join(state, "preview")
	// The preview's manifest is its own (preview-state/rooms.json): the
	// build's, .maproom/rooms.json, is the one the beacon in production
	// loads, and must not send buyers back to this preview's address or
	// date rooms published on a preview's day.
	opts.StateDir = filepath.Join(state, "preview-state")
	opts.Beacon = &notePath
	opts.Site = base // the beacon sends a person who replied back to their room here
	opts.Scripts = []string{liveJSPath}

	// The beacon, in process, with the same embedded log as `maproom beacon`.
	evlog, err := eventlog.OpenLog(filepath.Join(state, "events"), eventlog.LogOptions{Instance: event.PreviewInstance, Logger: e.log})
	if err != nil {
		return err
	}
	defer evlog.Close()
	// The rooms list the replies waiting in the log; a new one is rendered
	// into its sender's room as it arrives.
	if opts.Replies, err = evlog.Replies(ctx, time.Time{}); err != nil {
		return err
	}
	opts.PreviewReplies = true // the seller trying a room's form sees the reply there
	replyIn := make(chan struct{}, 1)

	preview, res, err := generator.NewPreview(ctx, opts)
	if err != nil && !errors.Is(err, generator.ErrContent) {
		return err
	}
	live := newLive()
	if res != nil {
		printProblems(e.stderr, res.Problems)
		live.setProblems(res.Problems)
	}

	// The rooms are built as of -today, when given: the dates of the
	// replies sent from them are checked as of that day too (a proposed
	// date is not in the past, a step done is not ahead of it), the day
	// read in the zone the check reads it in. The replies and events are
	// stamped with the real time: they sort among the real ones.
	var replyDay func() time.Time
	if s.today != "" {
		replyDay = func() time.Time {
			now := e.now()
			return now.AddDate(0, 0, deal.DateOf(now).DaysUntil(opts.Today))
		}
	}
	m, _ := preview.Manifest()
	h := beacon.NewHandler(beacon.HandlerConfig{Manifest: m, Store: replyNotifier{Log: evlog, c: replyIn}, Now: e.now, ReplyDay: replyDay, Logger: e.log, AllowedOrigins: []string{base}, Instance: event.PreviewInstance})

	mux := http.NewServeMux()
	mux.Handle(beacon.NotePath, h)
	mux.Handle(beacon.HealthPath, h)
	mux.Handle(beacon.ReplyPath, h)
	mux.HandleFunc(livePath, live.serveEvents)
	mux.HandleFunc(liveJSPath, serveLiveJS)
	mux.HandleFunc(indexPath, func(w http.ResponseWriter, r *http.Request) { serveIndex(w, preview, live) })
	mux.Handle("/", staticSite(opts.Out))
	// Every answer carries the headers the published site asks of its host.
	srv := beacon.NewServer(loopbackHostOnly(ln.Addr(), withHeaders(generator.SiteHeaders(notePath), mux)), e.log)
	srv.WriteTimeout = 0 // the live-reload stream stays open

	fmt.Fprintf(e.stdout, "maproom is serving a preview of %s at %s\n", s.root, base)
	fmt.Fprintf(e.stdout, "every room: %s%s (this index exists only in the preview)\n", base, indexPath)
	// Each link is printed once: those of the first build here, and after
	// a rebuild those it made (a person or a deal added, a link rotated).
	printed := map[string]bool{}
	printLinks := func(intro string) {
		for _, l := range generator.Links(preview.Site(), opts.Secret) {
			if printed[l.Path] {
				continue
			}
			if intro != "" {
				fmt.Fprintln(e.stdout, intro)
				intro = ""
			}
			printed[l.Path] = true
			fmt.Fprintf(e.stdout, "  %s %s %s %s/%s\n", report.PadRight(l.Deal, 24), report.PadRight(l.Name, 22), report.PadRight(l.Role, 20), base, l.Path)
		}
	}
	if res != nil && res.Site != nil {
		printLinks("")
	}
	fmt.Fprintln(e.stdout, "replies sent from the rooms wait in", evlog.Dir(), "for `maproom replies` and `maproom accept`")
	fmt.Fprintln(e.stdout, "watching for changes; press Ctrl-C to stop")

	batches, err := generator.Watch(ctx, generator.WatchOptions{Roots: watchRoots(s.root, preview), Poll: *pollEvery})
	if err != nil {
		return fmt.Errorf("watching the site: %w (try -poll 500ms)", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	// A commit (maproom accept, git commit) changes no file the watch
	// sees but the history the rooms' "What changed" tells: HEAD is
	// looked at every second, and the history read again when it moved.
	head := history.HeadOf(s.root)
	headTick := time.NewTicker(time.Second)
	defer headTick.Stop()
	for {
		select {
		case <-headTick.C:
			now := history.HeadOf(s.root)
			if now == head {
				continue
			}
			head = now
			res, err := preview.SetHistory(ctx, readHistory(ctx, e, s.root, nil, false))
			if err != nil {
				fmt.Fprintln(e.stderr, "maproom: rebuild failed:", err)
				continue
			}
			if res != nil {
				fmt.Fprintf(e.stdout, "a commit landed: rebuilt %s\n", summary(res))
				live.reload()
			}
		case <-ctx.Done():
			h.Drain()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			live.close()
			srv.Shutdown(sctx)
			cancel()
			preview.Close()
			fmt.Fprintln(e.stdout, "stopped; events flushed to", evlog.Dir())
			return nil
		case err := <-done:
			return err
		case <-replyIn:
			rs, err := evlog.Replies(ctx, time.Time{})
			if err != nil {
				fmt.Fprintln(e.stderr, "maproom: reading the replies:", err)
				continue
			}
			res, err := preview.SetReplies(ctx, rs)
			if err != nil {
				fmt.Fprintln(e.stderr, "maproom: rebuild failed:", err)
				continue
			}
			if res != nil {
				fmt.Fprintf(e.stdout, "a reply arrived (%d waiting): the sender's room lists it; see maproom replies\n", waitingReplies(e, preview.Site(), rs))
				live.reload()
			}
		case b, ok := <-batches:
			if !ok {
				continue
			}
			start := time.Now()
			res, err := preview.Update(ctx, b)
			switch {
			case errors.Is(err, generator.ErrContent):
				printProblems(e.stderr, res.Problems)
				fmt.Fprintln(e.stderr, "the preview keeps the last good rooms until this is fixed")
				live.setProblems(res.Problems)
			case err != nil:
				fmt.Fprintln(e.stderr, "maproom: rebuild failed:", err)
			default:
				live.setProblems(res.Problems)
				printProblems(e.stderr, res.Problems)
				if res.Manifest != nil {
					h.Reload(res.Manifest)
				}
				fmt.Fprintf(e.stdout, "rebuilt in %v: %s\n", time.Since(start).Round(time.Millisecond), summary(res))
				if preview.Site() != nil {
					printLinks("new links:")
				}
				live.reload()
			}
		}
	}
}

// replyNotifier is the preview beacon's store: the log, and a signal on c
// (never blocking) each time a reply is stored.
type replyNotifier struct {
	*eventlog.Log
	c chan<- struct{}
}

func (n replyNotifier) Append(ctx context.Context, events []event.Event) error {
	if err := n.Log.Append(ctx, events); err != nil {
		return err
	}
	for i := range events {
		if events[i].Kind == event.KindReply {
			select {
			case n.c <- struct{}{}:
			default:
			}
			break
		}
	}
	return nil
}

func summary(res *generator.Result) string {
	if len(res.Reasons) > 0 && len(res.Reasons) <= 3 {
		return strings.Join(res.Reasons, "; ")
	}
	return fmt.Sprintf("%d deals rendered, %d files written", res.Stats.Rendered, res.Stats.Written)
}

func watchRoots(root string, p *generator.Preview) []string {
	roots := []string{filepath.Join(root, generator.ContentDir)}
	if cfg := generator.ConfigPath(root); fileExists(cfg) && !strings.HasPrefix(cfg, roots[0]) {
		roots = append(roots, cfg)
	}
	if s := p.Site(); s.Config != nil && s.Config.Theme != "" {
		roots = append(roots, filepath.Join(root, s.Config.Theme))
	}
	return roots
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// loopbackHostOnly answers 421 to a request whose Host is not a loopback
// name (localhost, or a loopback address such as 127.0.0.1 or [::1]) with
// addr's port (a Host without a port means 80). The preview lists every
// room link at /_maproom/; a page elsewhere could otherwise reach it
// through a name of its own that resolves to 127.0.0.1 (DNS rebinding).
func loopbackHostOnly(addr net.Addr, next http.Handler) http.Handler {
	_, port, _ := net.SplitHostPort(addr.String())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, p, err := net.SplitHostPort(r.Host)
		if err != nil {
			host, p = strings.Trim(r.Host, "[]"), "80"
		}
		ip := net.ParseIP(host)
		if p != port || (!strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback())) {
			http.Error(w, "this preview answers only to 127.0.0.1:"+port+" or localhost:"+port, http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withHeaders sets headers on every answer of next (which may set others
// or change them).
func withHeaders(headers []generator.Header, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		for _, h := range headers {
			hd.Set(h.Name, h.Value)
		}
		next.ServeHTTP(w, r)
	})
}

// staticSite serves the preview folder, with its 404 page for what is not
// there.
func staticSite(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/")))
		if fi, err := os.Stat(p); err != nil || (fi.IsDir() && !fileExists(filepath.Join(p, "index.html"))) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			if b, err := os.ReadFile(filepath.Join(dir, "404.html")); err == nil {
				w.Write(b)
			}
			return
		}
		files.ServeHTTP(w, r)
	})
}

// live tells open preview pages to reload, or shows them the problems.
type live struct {
	mu       sync.Mutex
	clients  map[chan string]bool
	problems string
	closed   bool
}

func newLive() *live { return &live{clients: map[chan string]bool{}} }

func (l *live) setProblems(ps generator.Problems) {
	var b strings.Builder
	for _, p := range ps {
		if p.Severity == generator.Error {
			b.WriteString(p.Error() + "\n")
		}
	}
	l.mu.Lock()
	l.problems = b.String()
	l.mu.Unlock()
	if b.Len() > 0 {
		l.send("problems", b.String())
	}
}

func (l *live) reload() { l.send("reload", "now") }

func (l *live) send(kind, data string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	msg := "event: " + kind + "\n"
	for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		msg += "data: " + line + "\n"
	}
	msg += "\n"
	for c := range l.clients {
		select {
		case c <- msg:
		default: // a slow client misses a message, never blocks the rebuild
		}
	}
}

func (l *live) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for c := range l.clients {
		close(c)
		delete(l.clients, c)
	}
}

func (l *live) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan string, 4)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.clients[c] = true
	problems := l.problems
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		if l.clients[c] {
			delete(l.clients, c)
		}
		l.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, ": maproom preview\n\n")
	if problems != "" {
		io.WriteString(w, "event: problems\ndata: "+strings.ReplaceAll(strings.TrimRight(problems, "\n"), "\n", "\ndata: ")+"\n\n")
	}
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg, ok := <-c:
			if !ok {
				return
			}
			io.WriteString(w, msg)
			fl.Flush()
		}
	}
}

// liveJS reloads the page after a rebuild and shows content errors in an
// overlay, built with DOM calls only (the text is never parsed as HTML).
const liveJS = `(function(){
if(!window.EventSource)return;
var es=new EventSource("/_maproom/live"),box=null;
es.addEventListener("reload",function(){location.reload()});
es.addEventListener("problems",function(e){
if(!box){box=document.createElement("div");box.setAttribute("role","alert");
var s=box.style;s.position="fixed";s.left="0";s.right="0";s.bottom="0";s.maxHeight="50vh";s.overflow="auto";
s.background="#3b0d0d";s.color="#fff";s.font="14px/1.4 ui-monospace,monospace";s.padding="1em";s.zIndex="9999";s.whiteSpace="pre-wrap";
document.body.appendChild(box)}
box.textContent="maproom: the plan has errors; these rooms are the last good build.\n\n"+e.data});
})();`

func serveLiveJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, liveJS)
}

// serveIndex answers the preview's index of every room (generator's
// Preview.IndexPage, styled as the rooms are), with the site's current
// errors on top.
func serveIndex(w http.ResponseWriter, p *generator.Preview, l *live) {
	l.mu.Lock()
	problems := l.problems
	l.mu.Unlock()
	page, err := p.IndexPage(problems)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// waitingReplies counts the replies waiting for the seller, as maproom
// replies counts them: each once (a repeat within reply.RepeatWindow is
// the first), and none a record already decides.
func waitingReplies(e *env, site *generator.Site, rs []reply.Reply) int {
	if site == nil {
		return len(rs)
	}
	n := 0
	for _, it := range gatherReplies(e, site, rs) {
		if it.record().State() == reply.Waiting {
			n++
		}
	}
	return n
}
