package beacon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/eventlog"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/loadgen"
)

// The crash test and the load benchmark run servers in a child process:
// this test binary, re-executed with childEnv set, so that they can be
// killed for real and measured on their own, without the CLI.
const childEnv = "MAPROOM_ANALYTICS_TEST_CHILD" // "beacon", "bare" or "floor"

func TestMain(m *testing.M) { loadgen.Main(m, childEnv, runChild) }

// runChild serves on 127.0.0.1 until SIGTERM and writes its address where
// loadgen.StartChild waits for it. Mode beacon is the real beacon as `maproom beacon` runs
// it (manifest $CHILD_MANIFEST, log $CHILD_LOG_DIR, sync $CHILD_SYNC,
// trusting X-Forwarded-For from 127.0.0.1 so that a load generator on this
// machine can speak for many clients); mode bare is a net/http handler that
// reads the body and answers 204, the ceiling; mode floor is the bare
// handler that, before it answers, appends one fixed event to a log in
// $CHILD_LOG_DIR (sync always): the least any server that makes an event
// durable before acknowledging it must do, so the most such a server can
// reach on this machine.
func runChild(ctx context.Context, mode string, ln net.Listener) error {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	switch mode {
	case "bare":
		return serveBare(ctx, ln, logger, func(*http.Request) error { return nil })
	case "floor":
		log, err := eventlog.OpenLog(os.Getenv("CHILD_LOG_DIR"), eventlog.LogOptions{Instance: "floor", Sync: eventlog.SyncAlways, Logger: logger})
		if err != nil {
			return err
		}
		ev := event.Event{V: event.SchemaVersion, Load: strings.Repeat("0", event.LoadLen), Kind: event.KindView, Instance: "floor"}
		err = serveBare(ctx, ln, logger, func(r *http.Request) error {
			e := ev
			e.Time = time.Now()
			return log.Append(r.Context(), []event.Event{e})
		})
		return errors.Join(err, log.Close())
	}
	m, err := manifest.Read(os.Getenv("CHILD_MANIFEST"))
	if err != nil {
		return err
	}
	sm, err := eventlog.ParseSyncMode(os.Getenv("CHILD_SYNC"))
	if err != nil {
		return err
	}
	log, err := eventlog.OpenLog(os.Getenv("CHILD_LOG_DIR"), eventlog.LogOptions{Instance: "child", Sync: sm, Logger: logger})
	if err != nil {
		return err
	}
	trusted, _ := ParsePrefixes("127.0.0.1")
	h := NewHandler(HandlerConfig{Manifest: m, Store: log, Logger: logger, TrustedProxies: trusted, Instance: "child"})
	serr := Serve(ctx, ln, h, logger)
	err = errors.Join(serr, log.Close())
	st := log.Stats()
	fmt.Fprintf(os.Stderr, "child log: %+v\n", st)
	return err
}

// child is a running child server.
type child struct {
	*loadgen.Child
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
}

// serveBare serves a handler that reads the body, calls before and answers
// 204, or 503 if before failed, until ctx ends.
func serveBare(ctx context.Context, ln net.Listener, logger *slog.Logger, before func(*http.Request) error) error {
	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if err := before(r); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}), logger)
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startChild starts a child in mode; the beacon logs to dir/events, the
// floor to dir/floor-events.
func startChild(t testing.TB, mode, dir, sync string) *child {
	t.Helper()
	logDir := filepath.Join(dir, "events")
	if mode == "floor" {
		logDir = filepath.Join(dir, "floor-events")
	}
	c := loadgen.StartChild(t, dir, mode, childEnv+"="+mode, "CHILD_MANIFEST="+filepath.Join(dir, "rooms.json"),
		"CHILD_LOG_DIR="+logDir, "CHILD_SYNC="+sync)
	return &child{Child: c, cmd: c.Cmd, addr: c.Addr, out: c.Out}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(t testing.TB) { t.Helper(); c.Stop(t) }

// writeManifest writes a manifest of n rooms of deal "load" and returns
// their tokens.
func writeManifest(t testing.TB, dir string, n int) []string {
	t.Helper()
	return loadgen.WriteManifest(t, dir, n, testSecret)
}

// rawConn is loadgen's keep-alive client posting to NotePath.
type rawConn struct{ *loadgen.Conn }

func dialRaw(addr string) (*rawConn, error) {
	c, err := loadgen.Dial(addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{c}, nil
}

// post sends body to NotePath with a X-Forwarded-For of xff and returns the
// status.
func (rc *rawConn) post(addr, xff string, body []byte) (int, error) {
	return rc.Post(addr, NotePath, xff, body)
}

func (rc *rawConn) close() { rc.Close() }

// appendNote appends a one-event body.
func appendNote(b []byte, tok, load string, seq int) []byte {
	return loadgen.AppendNote(b, tok, load, seq)
}

// benchAddr returns a client address in 198.18.0.0/15, the range RFC 2544
// sets aside for benchmarks; it only ever appears in a header.
func benchAddr(i int) string { return loadgen.Addr(i) }

func readManifest(t testing.TB, dir string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Read(filepath.Join(dir, "rooms.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
