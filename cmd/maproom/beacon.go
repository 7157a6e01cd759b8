package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/maproom/maproom/analytics/beacon"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/deploy"
	"github.com/maproom/maproom/internal/manifest"

	"golang.org/x/crypto/acme/autocert"
)

const beaconAbout = `Runs the beacon: the small HTTP server that records what each stakeholder
opens in their room, and the replies they send from it. Room pages POST
events to /note and reply forms to /reply; with a read key in
$MAPROOM_READ_KEY, the seller reads the replies at GET /replies
(maproom replies -from). GET /healthz answers
JSON counters (accepted, rejected by reason, log writes and syncs). Each
event is written to the event log (JSON lines, one file per UTC day per
instance) before it is acknowledged, and fsynced first with -sync always.
The manifest is reloaded when it changes and on SIGHUP; SIGTERM or Ctrl-C
drains the requests in flight and closes the log.

Behind a reverse proxy (Caddy, nginx) the beacon serves plain HTTP on
127.0.0.1:8787; give the proxy's address in -trusted-proxy so that its
X-Forwarded-For is believed (from anyone else it is ignored). Without a
proxy, -domain beacon.example.com serves HTTPS by itself on :443 with a
certificate from Let's Encrypt (or the ACME CA of -acme-ca), renewed
before it expires and kept in -cert-dir; :80 answers the CA's challenge
and redirects everything else to HTTPS.

-print-systemd prints a hardened systemd unit for the beacon.`

// cmdBeacon runs the beacon server until ctx ends.
func cmdBeacon(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("beacon", "[flags]", beaconAbout)
	host, _ := os.Hostname()
	addr := fs.String("addr", e.getenv("MAPROOM_ADDR"), "listen address (default 127.0.0.1:8787, or :443 with -domain) [MAPROOM_ADDR]")
	manifestPath := fs.String("manifest", e.envOr("MAPROOM_MANIFEST", manifest.DefaultPath), "the private room manifest written by maproom build [MAPROOM_MANIFEST]")
	logDir := fs.String("log-dir", e.envOr("MAPROOM_LOG_DIR", ".maproom/events"), "folder of the event log [MAPROOM_LOG_DIR]")
	syncMode := fs.String("sync", e.envOr("MAPROOM_SYNC", "always"), "fsync before acknowledging: always, or none (a killed process loses nothing, a power cut may) [MAPROOM_SYNC]")
	origins := fs.String("origin", e.envOr("MAPROOM_ORIGIN", ""), "comma-separated origins the rooms are served from, e.g. https://rooms.example.com; empty allows any [MAPROOM_ORIGIN]")
	proxies := fs.String("trusted-proxy", e.envOr("MAPROOM_TRUSTED_PROXY", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For is trusted [MAPROOM_TRUSTED_PROXY]")
	instance := fs.String("instance", e.envOr("MAPROOM_INSTANCE", host), "name of this beacon in log file names and events [MAPROOM_INSTANCE]")
	store := fs.String("store", e.envOr("MAPROOM_STORE", ""), "PostgreSQL connection string (postgres://user@host/db): store events there, shared by several beacons, instead of the log [MAPROOM_STORE]")
	domain := fs.String("domain", e.getenv("MAPROOM_DOMAIN"), "serve HTTPS for this host name by itself, with a certificate from the ACME CA, e.g. beacon.example.com [MAPROOM_DOMAIN]")
	acmeCA := fs.String("acme-ca", e.envOr("MAPROOM_ACME_CA", autocert.DefaultACMEDirectory), "the ACME directory URL certificates come from with -domain [MAPROOM_ACME_CA]")
	acmeEmail := fs.String("acme-email", e.getenv("MAPROOM_ACME_EMAIL"), "contact address for the ACME account (expiry warnings) [MAPROOM_ACME_EMAIL]")
	acmeRoots := fs.String("acme-ca-roots", e.getenv("MAPROOM_ACME_CA_ROOTS"), "PEM file of extra roots to trust for the ACME CA's own HTTPS (a private CA) [MAPROOM_ACME_CA_ROOTS]")
	certDir := fs.String("cert-dir", e.getenv("MAPROOM_CERT_DIR"), "folder for the ACME account key and certificates (default: certs beside the log folder) [MAPROOM_CERT_DIR]")
	httpAddr := fs.String("http-addr", e.envOr("MAPROOM_HTTP_ADDR", ":80"), "with -domain: where HTTP answers the ACME challenge and redirects to HTTPS [MAPROOM_HTTP_ADDR]")
	printUnit := fs.Bool("print-systemd", false, "print the beacon's hardened systemd unit and exit")
	defConns := beacon.DefaultMaxConns
	if v := e.getenv("MAPROOM_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("%w: MAPROOM_MAX_CONNS=%q: give a number of connections, at least 1 (the default is %d)", errUsage, v, beacon.DefaultMaxConns)
		}
		defConns = n
	}
	maxConns := fs.Int("max-conns", defConns, "most connections open at once; at the cap the longest idle one is closed, and one client address (not a trusted proxy) holds at most an eighth (the default keeps the beacon within 64 MB) [MAPROOM_MAX_CONNS]")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	if *printUnit {
		_, err := fmt.Fprint(e.stdout, deploy.BeaconUnit)
		return err
	}
	if *addr == "" {
		*addr = "127.0.0.1:8787"
		if *domain != "" {
			*addr = ":443"
		}
	}
	var acmeMgr *autocert.Manager
	if *domain != "" {
		dir := *certDir
		if dir == "" {
			dir = filepath.Join(filepath.Dir(filepath.Clean(*logDir)), "certs")
		}
		var err error
		acmeMgr, err = acmeConfig{domain: *domain, directory: *acmeCA, email: *acmeEmail, certDir: dir, caRoots: *acmeRoots}.manager(e.log)
		if err != nil {
			return err
		}
	}
	sm, err := eventlog.ParseSyncMode(*syncMode)
	if err != nil {
		return fmt.Errorf("%w: -sync: %v", errUsage, err)
	}
	trusted, err := beacon.ParsePrefixes(*proxies)
	if err != nil {
		return fmt.Errorf("%w: -trusted-proxy: %v", errUsage, err)
	}
	var allowed []string
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o != "*" {
				norm, err := originOf(o)
				if err != nil {
					return fmt.Errorf("%w: -origin %q: %v", errUsage, o, err)
				}
				o = norm
			}
			allowed = append(allowed, o)
		}
	}
	conns := *maxConns
	if conns < 1 {
		return fmt.Errorf("%w: -max-conns %d: give a number of connections, at least 1 (the default is %d)", errUsage, conns, beacon.DefaultMaxConns)
	}
	if *instance == "" {
		return fmt.Errorf("%w: -instance: no host name to default to; name this beacon", errUsage)
	}

	if k := e.getenv("MAPROOM_READ_KEY"); k != "" && len(k) < 16 {
		return fmt.Errorf("%w: MAPROOM_READ_KEY is %d characters: use a random key of at least 16 (e.g. openssl rand -hex 24)", errUsage, len(k))
	} else if why := guessable(k); k != "" && why != "" {
		// Whoever guesses it reads every event and reply.
		return fmt.Errorf("%w: MAPROOM_READ_KEY %s: use a random key (e.g. openssl rand -hex 24)", errUsage, why)
	}

	m, err := manifest.Read(*manifestPath)
	if err != nil {
		return err
	}
	log, err := openBeaconStore(ctx, e, *store, *logDir, eventlog.LogOptions{Instance: *instance, Sync: sm, Logger: e.log})
	if err != nil {
		return err
	}
	h := beacon.NewHandler(beacon.HandlerConfig{
		Manifest:       m,
		Store:          log,
		Now:            e.now,
		Logger:         e.log,
		AllowedOrigins: allowed,
		TrustedProxies: trusted,
		Instance:       *instance,
		ReadKey:        e.getenv("MAPROOM_READ_KEY"),
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Close()
		return fmt.Errorf("beacon: %w (is another beacon running? pick another -addr)", err)
	}
	var hln net.Listener
	if acmeMgr != nil {
		// TLS inside the connection cap: a handshake is part of a request.
		ln = tls.NewListener(ln, tlsConfig(acmeMgr, e.log))
		hln, err = net.Listen("tcp", *httpAddr)
		if err != nil {
			ln.Close()
			log.Close()
			return fmt.Errorf("beacon: -http-addr %s: %w (the ACME http-01 challenge comes to port 80)", *httpAddr, err)
		}
	}
	ln = beacon.LimitConns(ln, conns)
	if len(allowed) == 0 {
		e.log.Warn("no -origin given: requests from any origin are accepted")
	}
	if m.Site == "" {
		e.log.Warn("the manifest has no base_url: a person who sends a reply without JavaScript gets the beacon's own page, not their room (set base_url in maproom.toml)")
	}
	// SIGHUP is caught from before "beacon listening" is logged.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	scheme := "http"
	if acmeMgr != nil {
		scheme = "https"
	}
	e.log.Info("beacon listening", "addr", ln.Addr().String(), "scheme", scheme, "manifest", *manifestPath,
		"rooms", len(m.Rooms), "log", *logDir, "sync", sm.String(), "instance", *instance, "max_conns", conns)

	poke := make(chan struct{}, 1)
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		for {
			select {
			case <-wctx.Done():
				return
			case <-hup:
				select {
				case poke <- struct{}{}:
				default:
				}
			}
		}
	}()
	go beacon.WatchManifest(wctx, *manifestPath, 2*time.Second, poke, h, e.log)
	var redirect chan error
	if hln != nil {
		redirect = make(chan error, 1)
		go func() { redirect <- serveRedirect(wctx, hln, acmeMgr, e.log) }()
		e.log.Info("HTTP answers the ACME challenge and redirects to HTTPS", "addr", hln.Addr().String())
	}

	serr := beacon.Serve(ctx, ln, h, e.log)
	stopWatch()
	if redirect != nil {
		serr = errors.Join(serr, <-redirect)
	}
	cerr := log.Close()
	hl := h.Health()
	e.log.Info("beacon stopped", "events", hl.Events, "replies", hl.Replies, "store", hl.Store)
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("beacon: %w", err)
	}
	return nil
}

// originOf returns o as a browser sends it in its Origin header: the
// scheme and host, and the port only when it is not the scheme's own; an
// error for anything else (a path, a query), which no Origin header would
// ever match.
func originOf(o string) (string, error) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", errors.New("give a scheme and host, like https://rooms.example.com")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("an origin is a scheme and a host only, without a path: %s://%s", u.Scheme, u.Host)
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); u.Scheme == "https" && p == "443" || u.Scheme == "http" && p == "80" {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host, nil
}
