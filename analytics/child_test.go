package analytics

import (
	"bufio"
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
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// The crash test and the load benchmark run servers in a child process:
// this test binary, re-executed with childEnv set, so that they can be
// killed for real and measured on their own, without the CLI.
const childEnv = "MAPROOM_ANALYTICS_TEST_CHILD" // "beacon" or "bare"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := runChild(mode); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild serves on 127.0.0.1 until SIGTERM and writes its address to
// $CHILD_ADDR_FILE. Mode beacon is the real beacon as `maproom beacon` runs
// it (manifest $CHILD_MANIFEST, log $CHILD_LOG_DIR, sync $CHILD_SYNC,
// trusting X-Forwarded-For from 127.0.0.1 so that a load generator on this
// machine can speak for many clients); mode bare is a net/http handler that
// reads the body and answers 204, the ceiling.
func runChild(mode string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addrFile := os.Getenv("CHILD_ADDR_FILE")
	if err := os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o644); err != nil {
		return err
	}
	if err := os.Rename(addrFile+".tmp", addrFile); err != nil {
		return err
	}
	if p := os.Getenv("CHILD_CPUPROFILE"); p != "" {
		f, err := os.Create(p + "." + mode)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if mode == "bare" {
		srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusNoContent)
		}), logger)
		go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	m, err := manifest.Read(os.Getenv("CHILD_MANIFEST"))
	if err != nil {
		return err
	}
	sm, err := ParseSyncMode(os.Getenv("CHILD_SYNC"))
	if err != nil {
		return err
	}
	log, err := OpenLog(os.Getenv("CHILD_LOG_DIR"), LogOptions{Instance: "child", Sync: sm, Logger: logger})
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
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
}

func startChild(t testing.TB, mode, dir, sync string) *child {
	t.Helper()
	addrFile := filepath.Join(dir, mode+".addr")
	os.Remove(addrFile)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "CHILD_ADDR_FILE="+addrFile,
		"CHILD_MANIFEST="+filepath.Join(dir, "rooms.json"), "CHILD_LOG_DIR="+filepath.Join(dir, "events"), "CHILD_SYNC="+sync)
	c := &child{cmd: cmd, out: &bytes.Buffer{}}
	cmd.Stderr = c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(addrFile); err == nil {
			c.addr = string(b)
			return c
		}
	}
	t.Fatalf("child %s did not start: %s", mode, c.out)
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(t testing.TB) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v\n%s", err, c.out)
	}
	if os.Getenv("CHILD_VERBOSE") != "" {
		t.Logf("child stderr:\n%s", c.out)
	}
}

// peakRSS returns the child's peak resident memory in bytes (Linux).
func (c *child) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}

// cpuTime returns the child's user and system CPU time so far (Linux).
func (c *child) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// writeManifest writes a manifest of n rooms of deal "load" and returns
// their tokens.
func writeManifest(t testing.TB, dir string, n int) []string {
	t.Helper()
	m := &manifest.Manifest{Version: manifest.Version}
	toks := make([]string, n)
	for i := range toks {
		toks[i] = token.Room(testSecret, "load", "s"+strconv.Itoa(i), 0)
		m.Rooms = append(m.Rooms, manifest.Room{Key: token.Key(toks[i]), Deal: "load", Stakeholder: "s" + strconv.Itoa(i),
			Side: "buyer", Role: "champion", Pages: []string{"room", "pricing"}})
	}
	if err := manifest.Write(filepath.Join(dir, "rooms.json"), m); err != nil {
		t.Fatal(err)
	}
	return toks
}

// rawConn is a minimal keep-alive HTTP/1.1 client: the load generator
// shares two cores with the server, so it must cost far less than
// net/http's client.
type rawConn struct {
	c   net.Conn
	br  *bufio.Reader
	req []byte
}

func dialRaw(addr string) (*rawConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &rawConn{c: c, br: bufio.NewReaderSize(c, 4096)}, nil
}

// post sends body to NotePath with a X-Forwarded-For of xff and returns the
// status.
func (rc *rawConn) post(addr, xff string, body []byte) (int, error) {
	rc.req = append(rc.req[:0], "POST "+NotePath+" HTTP/1.1\r\nHost: "...)
	rc.req = append(rc.req, addr...)
	rc.req = append(rc.req, "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\nContent-Type: text/plain;charset=UTF-8\r\nOrigin: https://rooms.example.com\r\nX-Forwarded-For: "...)
	rc.req = append(rc.req, xff...)
	rc.req = append(rc.req, "\r\nContent-Length: "...)
	rc.req = strconv.AppendInt(rc.req, int64(len(body)), 10)
	rc.req = append(rc.req, "\r\n\r\n"...)
	rc.req = append(rc.req, body...)
	rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write(rc.req); err != nil {
		return 0, err
	}
	line, err := rc.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, err
	}
	clen := 0
	for {
		h, err := rc.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(h, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			clen, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if clen > 0 {
		if _, err := rc.br.Discard(clen); err != nil {
			return 0, err
		}
	}
	return code, nil
}

func (rc *rawConn) close() { rc.c.Close() }

// appendNote appends a one-event body.
func appendNote(b []byte, tok, load string, seq int) []byte {
	b = append(b, `[{"t":"`...)
	b = append(b, tok...)
	b = append(b, `","p":"room","k":"hb","l":"`...)
	b = append(b, load...)
	b = append(b, `","s":`...)
	b = strconv.AppendInt(b, int64(seq), 10)
	return append(b, `,"a":9000,"v":15000}]`...)
}

// benchAddr returns a client address in 198.18.0.0/15, the range RFC 2544
// sets aside for benchmarks; it only ever appears in a header.
func benchAddr(i int) string {
	i &= 1<<17 - 1
	return fmt.Sprintf("198.%d.%d.%d", 18+(i>>16), (i>>8)&0xff, i&0xff)
}

func readManifest(t testing.TB, dir string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Read(filepath.Join(dir, "rooms.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
