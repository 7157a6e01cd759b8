package beacon

import (
	"container/list"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/maproom/maproom/internal/manifest"
)

// Server timeouts. A room script's request is a few hundred bytes sent at
// once, so a client that dawdles is cut off early.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 10 * time.Second
	WriteTimeout      = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	DrainTimeout      = 20 * time.Second // how long Serve waits for requests in flight
)

// NewServer returns an http.Server for h with the beacon's timeouts and
// header limit.
func NewServer(h http.Handler, logger *slog.Logger) *http.Server {
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
	if logger != nil {
		s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	return s
}

// Serve serves h on ln until ctx ends, then drains: /healthz turns to 503,
// the listener closes, and requests in flight (each waiting for its events
// to be stored) finish, for at most DrainTimeout. It does not close the
// store: close it after Serve returns, so that it syncs what the drained
// requests wrote. Serve returns nil after a clean drain.
//
// Open connections are capped: at the cap of a listener from [LimitConns],
// else at DefaultMaxConns.
func Serve(ctx context.Context, ln net.Listener, h *Handler, logger *slog.Logger) error {
	lim, ok := ln.(*connLimiter)
	if !ok {
		lim = LimitConns(ln, DefaultMaxConns).(*connLimiter)
	}
	// A proxy in front (this machine, or a trusted one) carries every
	// client's connections: it is not held to one client's share.
	lim.mu.Lock()
	if lim.exempt == nil {
		lim.exempt = func(a netip.Addr) bool { return a.IsLoopback() || h.proxies.trusted(a) }
	}
	lim.mu.Unlock()
	ln = lim
	srv := NewServer(h, logger)
	srv.ConnState = lim.track
	if logger != nil {
		lim.logger = logger
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	h.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// DefaultMaxConns is how many connections a beacon keeps open at once by
// default, chosen for its memory budget of 64 MB of RSS. The beacon starts
// at about 19 MB (limiter tables, manifest, log buffers); a connection
// idle after a request costs some 15 KB (its goroutine's stack, grown by
// the request, and its buffers), and up to about 32 KB while a flood of
// new connections sheds old ones faster than the garbage collector
// returns their memory. In TestConnectionFloodMemory (8000 connections
// left idle) the beacon peaked at 135 MB without a cap, 51 MB at 1024 and
// 38 MB at 512: 512 leaves room for real load within the budget, and a
// beacon needs far fewer, since each open room sends an event every 15 s
// over one reused connection and a proxy in front pools them.
const DefaultMaxConns = 512

// LimitConns returns ln capped at max open connections (max < 1 takes
// DefaultMaxConns), for [Serve]. At the cap, accepting a connection first
// closes the one that has been idle longest (open and between requests, or
// not yet sent a byte): so connections opened and left idle cannot keep
// real requests out, and the beacon's memory and file descriptors stay
// bounded. When every open connection is in a request, Accept waits for
// one to close (the request timeouts bound the wait) and new connections
// wait in the kernel's backlog. Closing the listener ends a waiting Accept.
//
// One client address holds at most an eighth of the cap (PeerShare): a
// client sending its requests slowly cannot take every place, each held
// for the request timeouts. At its share, a new connection of the address
// closes that address's longest idle one, or, when all of them are in a
// request, is closed at once. Serve exempts this machine and the trusted
// proxies, which carry many clients' connections.
func LimitConns(ln net.Listener, max int) net.Listener {
	if max < 1 {
		max = DefaultMaxConns
	}
	l := &connLimiter{Listener: ln, max: max, perPeer: (max + PeerShare - 1) / PeerShare, peers: map[netip.Addr]int{}, logger: slog.New(slog.DiscardHandler)}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// PeerShare: one client address may hold 1/PeerShare of the open
// connections (64 of the default 512: a company's NAT with a room open in
// each of 64 browsers at once).
const PeerShare = 8

// connLimiter is the listener LimitConns returns. Its track method is the
// http.Server's ConnState hook: it keeps the idle connections in the order
// they became idle.
type connLimiter struct {
	net.Listener
	max    int
	logger *slog.Logger

	mu       sync.Mutex
	cond     *sync.Cond // signalled when a connection closes or turns idle, or the listener closes
	open     int        // connections accepted and not closed
	idle     list.List  // of *limitedConn, idle longest first
	closed   bool
	shed     int64     // idle connections closed at the cap
	lastWarn time.Time // of the last warning about shedding

	perPeer  int                   // the most one address holds
	peers    map[netip.Addr]int    // open connections by client address
	exempt   func(netip.Addr) bool // addresses not held to perPeer (nil: none)
	refused  int64                 // connections closed at their address's share
	peerWarn time.Time             // of the last warning about it
}

type limitedConn struct {
	net.Conn
	l    *connLimiter
	peer netip.Addr // the client's address, when counted in l.peers
	// guarded by l.mu:
	elem   *list.Element // in l.idle while idle
	closed bool
}

// peerOf is the client c comes from, as the rate limits know one: its
// IPv4 address, or its IPv6 /64 (one host usually has the whole /64, and
// takes a new address in it at will); ip is its own address. Both are the
// zero Addr when c is not TCP.
func peerOf(c net.Conn) (peer, ip netip.Addr) {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ip = a.AddrPort().Addr().Unmap()
		if ip.Is6() {
			return netip.AddrFrom16(addrKey(ip)), ip
		}
		return ip, ip
	}
	return netip.Addr{}, netip.Addr{}
}

// admit reports whether c, from peer (its address ip), may take a place, under l.mu: when
// its address is at its share, its longest idle connection is closed (at
// the lock's release: toClose) to make room, or c is refused.
func (l *connLimiter) admit(peer, ip netip.Addr) (ok bool, toClose *limitedConn) {
	if !peer.IsValid() || l.exempt != nil && l.exempt(ip) || l.peers[peer] < l.perPeer {
		return true, nil
	}
	for e := l.idle.Front(); e != nil; e = e.Next() {
		if old := e.Value.(*limitedConn); old.peer == peer {
			l.idle.Remove(e)
			old.elem = nil
			return true, old
		}
	}
	l.refused++
	if time.Since(l.peerWarn) > time.Minute {
		l.peerWarn = time.Now()
		l.logger.Warn("a client address is at its share of the connections: closing its new ones while all of its own are in a request", "per_address", l.perPeer, "closed_so_far", l.refused)
	}
	return false, nil
}

func (l *connLimiter) Accept() (net.Conn, error) {
	var c net.Conn
	var peer, ip netip.Addr
	for {
		var err error
		if c, err = l.Listener.Accept(); err != nil {
			return nil, err
		}
		peer, ip = peerOf(c)
		l.mu.Lock()
		ok, old := l.admit(peer, ip)
		l.mu.Unlock()
		if old != nil {
			old.Close() // releases its place
		}
		if ok {
			break
		}
		c.Close()
	}
	l.mu.Lock()
	for l.open >= l.max {
		if l.closed {
			l.mu.Unlock()
			c.Close()
			return nil, net.ErrClosed
		}
		if e := l.idle.Front(); e != nil {
			old := l.idle.Remove(e).(*limitedConn)
			old.elem = nil
			l.shed++
			if time.Since(l.lastWarn) > time.Minute {
				l.lastWarn = time.Now()
				l.logger.Warn("at the connection cap: closing the longest idle connections", "max_conns", l.max, "closed_so_far", l.shed)
			}
			l.mu.Unlock()
			old.Close() // releases its place
			l.mu.Lock()
			continue
		}
		l.cond.Wait()
	}
	l.open++
	if exempt := l.exempt != nil && l.exempt(ip); exempt || !peer.IsValid() {
		// Not held to a share, so not counted in one: a trusted proxy
		// sharing a /64 with other hosts takes none of theirs.
		peer = netip.Addr{}
	} else {
		l.peers[peer]++
	}
	l.mu.Unlock()
	return &limitedConn{Conn: c, l: l, peer: peer}, nil
}

func (l *connLimiter) Close() error {
	l.mu.Lock()
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
	return l.Listener.Close()
}

// track keeps c in the idle list while it is new or idle.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew, http.StateIdle:
		if lc.elem == nil && !lc.closed {
			lc.elem = l.idle.PushBack(lc)
			l.cond.Broadcast()
		}
	default:
		if lc.elem != nil {
			l.idle.Remove(lc.elem)
			lc.elem = nil
		}
	}
}

func (c *limitedConn) Close() error {
	l := c.l
	l.mu.Lock()
	if !c.closed {
		c.closed = true
		l.open--
		if c.peer.IsValid() {
			if l.peers[c.peer]--; l.peers[c.peer] <= 0 {
				delete(l.peers, c.peer)
			}
		}
		if c.elem != nil {
			l.idle.Remove(c.elem)
			c.elem = nil
		}
		l.cond.Broadcast()
	}
	l.mu.Unlock()
	return c.Conn.Close()
}

// WatchManifest reloads the manifest at path into h whenever the file
// changes (checked every interval) or a value arrives on poke (wire it to
// SIGHUP, or to a finished rebuild), until ctx ends. A manifest that fails
// to load is logged and the previous one stays in use, so a half-written or
// broken manifest never empties the beacon.
func WatchManifest(ctx context.Context, path string, interval time.Duration, poke <-chan struct{}, h *Handler, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The first check always reloads: the file may have changed between
	// the caller's load and this start.
	var last os.FileInfo
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		forced := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-poke:
			forced = true
		}
		fi, err := os.Stat(path)
		if err != nil {
			if forced {
				logger.Error("manifest not reloaded", "err", err)
			}
			continue
		}
		if !forced && last != nil && os.SameFile(fi, last) && fi.ModTime().Equal(last.ModTime()) && fi.Size() == last.Size() {
			continue
		}
		m, err := manifest.Read(path)
		if err != nil {
			logger.Error("manifest not reloaded, keeping the previous one", "err", err)
			last = fi
			continue
		}
		h.Reload(m)
		if last != nil || forced {
			logger.Info("manifest reloaded", "path", path, "rooms", len(m.Rooms))
		}
		last = fi
	}
}
