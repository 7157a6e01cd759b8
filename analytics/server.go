package analytics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
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
// store: close the Log after Serve returns, so that it syncs what the
// drained requests wrote. Serve returns nil after a clean drain.
func Serve(ctx context.Context, ln net.Listener, h *Handler, logger *slog.Logger) error {
	return ServeWrapped(ctx, ln, h, h, logger)
}

// ServeWrapped is [Serve] for a root handler that wraps h (as a store's
// own /healthz does): it serves root, and drains h.
func ServeWrapped(ctx context.Context, ln net.Listener, h *Handler, root http.Handler, logger *slog.Logger) error {
	srv := NewServer(root, logger)
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
