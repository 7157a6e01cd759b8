package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/maproom/maproom/analytics"
	"github.com/maproom/maproom/internal/manifest"
)

const beaconAbout = `Runs the beacon: the small HTTP server that records what each stakeholder
opens in their room, and the replies they send from it. Room pages POST
events to /note and reply forms to /reply; with a read key in
$MAPROOM_READ_KEY, the seller reads the replies at GET /replies
(maproom replies -from). GET /healthz answers
JSON counters (accepted, rejected by reason, log writes and syncs). Each
event is written to the event log (JSON lines, one file per UTC day per
instance) before it is acknowledged, and fsynced first with --sync always.
The manifest is reloaded when it changes and on SIGHUP; SIGTERM or Ctrl-C
drains the requests in flight and closes the log.`

// cmdBeacon runs the beacon server until ctx ends.
func cmdBeacon(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("beacon", "[flags]", beaconAbout)
	host, _ := os.Hostname()
	addr := fs.String("addr", e.envOr("MAPROOM_ADDR", "127.0.0.1:8787"), "listen address [MAPROOM_ADDR]")
	manifestPath := fs.String("manifest", e.envOr("MAPROOM_MANIFEST", manifest.DefaultPath), "the private room manifest written by maproom build [MAPROOM_MANIFEST]")
	logDir := fs.String("log-dir", e.envOr("MAPROOM_LOG_DIR", ".maproom/events"), "folder of the event log [MAPROOM_LOG_DIR]")
	syncMode := fs.String("sync", e.envOr("MAPROOM_SYNC", "always"), "fsync before acknowledging: always, or none (a killed process loses nothing, a power cut may) [MAPROOM_SYNC]")
	origins := fs.String("origin", e.envOr("MAPROOM_ORIGIN", ""), "comma-separated origins the rooms are served from, e.g. https://rooms.example.com; empty allows any [MAPROOM_ORIGIN]")
	proxies := fs.String("trusted-proxy", e.envOr("MAPROOM_TRUSTED_PROXY", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For is trusted [MAPROOM_TRUSTED_PROXY]")
	instance := fs.String("instance", e.envOr("MAPROOM_INSTANCE", host), "name of this beacon in log file names and events [MAPROOM_INSTANCE]")
	store := fs.String("store", e.envOr("MAPROOM_STORE", ""), "PostgreSQL connection string (postgres://user@host/db): store events there, shared by several beacons, instead of the log [MAPROOM_STORE]")
	defConns := analytics.DefaultMaxConns
	if v := e.getenv("MAPROOM_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("%w: MAPROOM_MAX_CONNS=%q: give a number of connections, at least 1 (the default is %d)", errUsage, v, analytics.DefaultMaxConns)
		}
		defConns = n
	}
	maxConns := fs.Int("max-conns", defConns, "most connections open at once; at the cap the longest idle one is closed (the default keeps the beacon within 64 MB) [MAPROOM_MAX_CONNS]")
	if err := parse(fs, args); err != nil {
		return ignoreHelp(err)
	}
	sm, err := analytics.ParseSyncMode(*syncMode)
	if err != nil {
		return fmt.Errorf("%w: --sync: %v", errUsage, err)
	}
	trusted, err := analytics.ParsePrefixes(*proxies)
	if err != nil {
		return fmt.Errorf("%w: --trusted-proxy: %v", errUsage, err)
	}
	var allowed []string
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o != "*" && !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
				return fmt.Errorf("%w: --origin %q: give a scheme and host, like https://rooms.example.com", errUsage, o)
			}
			allowed = append(allowed, o)
		}
	}
	conns := *maxConns
	if conns < 1 {
		return fmt.Errorf("%w: --max-conns %d: give a number of connections, at least 1 (the default is %d)", errUsage, conns, analytics.DefaultMaxConns)
	}
	if *instance == "" {
		return fmt.Errorf("%w: --instance: no host name to default to; name this beacon", errUsage)
	}

	m, err := manifest.Read(*manifestPath)
	if err != nil {
		return err
	}
	log, err := openBeaconStore(ctx, e, *store, *logDir, analytics.LogOptions{Instance: *instance, Sync: sm, Logger: e.log})
	if err != nil {
		return err
	}
	h := analytics.NewHandler(analytics.HandlerConfig{
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
		return fmt.Errorf("beacon: %w (is another beacon running? pick another --addr)", err)
	}
	ln = analytics.LimitConns(ln, conns)
	if len(allowed) == 0 {
		e.log.Warn("no --origin given: requests from any origin are accepted")
	}
	if k := e.getenv("MAPROOM_READ_KEY"); k != "" && len(k) < 16 {
		log.Close()
		return fmt.Errorf("%w: MAPROOM_READ_KEY is %d characters: use a random key of at least 16 (e.g. openssl rand -hex 24)", errUsage, len(k))
	}
	if m.Site == "" {
		e.log.Warn("the manifest has no base_url: a person who sends a reply without JavaScript gets the beacon's own page, not their room (set base_url in maproom.toml)")
	}
	e.log.Info("beacon listening", "addr", ln.Addr().String(), "manifest", *manifestPath,
		"rooms", len(m.Rooms), "log", *logDir, "sync", sm.String(), "instance", *instance, "max_conns", conns)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
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
	go analytics.WatchManifest(wctx, *manifestPath, 2*time.Second, poke, h, e.log)

	serr := analytics.Serve(ctx, ln, h, e.log)
	stopWatch()
	cerr := log.Close()
	hl := h.Health()
	e.log.Info("beacon stopped", "events", hl.Events, "replies", hl.Replies, "store", hl.Store)
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("beacon: %w", err)
	}
	return nil
}
