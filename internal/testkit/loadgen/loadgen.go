// Package loadgen is the beacon's load generator and child-process harness,
// shared by the load benchmarks and crash tests of analytics and
// analytics/pgstore: a raw keep-alive HTTP client cheap enough to share two
// cores with the server it measures, the room manifest and event bodies it
// sends, and a server run as a child process (the test binary re-executed)
// so that it can be killed for real and its memory and CPU measured on
// their own.
//
// It does not import analytics (whose in-package tests use it): paths and
// secrets are passed in.
package loadgen

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// Conn is a minimal keep-alive HTTP/1.1 client: the load generator shares
// two cores with the server, so it must cost far less than net/http's
// client. A Conn is used by one goroutine at a time.
type Conn struct {
	c   net.Conn
	br  *bufio.Reader
	req []byte
}

// Dial connects to addr (host:port) within 5 s.
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, br: bufio.NewReaderSize(c, 4096)}, nil
}

// Post sends body to path on host addr, as a browser's sendBeacon does,
// with X-Forwarded-For xff, and returns the status once the whole answer
// is read. A request has 10 s; an error leaves the Conn unusable.
func (rc *Conn) Post(addr, path, xff string, body []byte) (int, error) {
	rc.req = append(rc.req[:0], "POST "...)
	rc.req = append(rc.req, path...)
	rc.req = append(rc.req, " HTTP/1.1\r\nHost: "...)
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

// Close closes the connection.
func (rc *Conn) Close() error { return rc.c.Close() }

// AppendNote appends the body of a request holding one heartbeat (9 s
// active) of page-load load at seq, from the room of tok.
func AppendNote(b []byte, tok, load string, seq int) []byte {
	b = append(b, `[{"t":"`...)
	b = append(b, tok...)
	b = append(b, `","p":"room","k":"hb","l":"`...)
	b = append(b, load...)
	b = append(b, `","s":`...)
	b = strconv.AppendInt(b, int64(seq), 10)
	return append(b, `,"a":9000,"v":15000}]`...)
}

// Addr returns client address i in 198.18.0.0/15, the range RFC 2544 sets
// aside for benchmarks (131,072 of them, then again); it only ever appears
// in a header.
func Addr(i int) string {
	i &= 1<<17 - 1
	return fmt.Sprintf("198.%d.%d.%d", 18+(i>>16), (i>>8)&0xff, i&0xff)
}

// WriteManifest writes dir/rooms.json, a manifest of n rooms of deal
// "load" (stakeholders s0, s1, ...; pages room and pricing) with tokens
// made with secret, and returns the tokens.
func WriteManifest(t testing.TB, dir string, n int, secret []byte) []string {
	t.Helper()
	m := &manifest.Manifest{Version: manifest.Version}
	toks := make([]string, n)
	for i := range toks {
		toks[i] = token.Room(secret, "load", "s"+strconv.Itoa(i), 0)
		m.Rooms = append(m.Rooms, manifest.Room{Key: token.Key(toks[i]), Deal: "load", Stakeholder: "s" + strconv.Itoa(i),
			Side: "buyer", Role: "champion", Pages: []string{"room", "pricing"}})
	}
	if err := manifest.Write(filepath.Join(dir, "rooms.json"), m); err != nil {
		t.Fatal(err)
	}
	return toks
}

// Median returns the median of v (the upper one of an even count); v is
// sorted in place. It panics on an empty v.
func Median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}

// P99 returns the 99th percentile of d, sorted in place; 0 when d is
// empty.
func P99(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)*99/100]
}

// Load is one round of load: Conns keep-alive connections, connection g to
// Addrs[g%len(Addrs)], each sending one request at a time for Duration or
// MaxRequests requests, whichever ends first.
type Load struct {
	Addrs    []string
	Path     string // the path requests are posted to
	Conns    int
	Duration time.Duration
	// MaxRequests bounds each connection's requests; 0: no bound.
	MaxRequests int
	// Tokens are the rooms requests come from: request n (Base + i*Conns +
	// g, for connection g's request i) uses Tokens[n%len(Tokens)] and the
	// client address Addr(n).
	Tokens []string
	Base   int
	// Note returns the page-load id and seq of connection g's request i.
	Note func(g, i int) (load string, seq int)
}

// Result is what a round of load measured.
type Result struct {
	Elapsed time.Duration
	// Acked lists, per connection, the request numbers i answered 204.
	Acked [][]int32
	// Latencies are those of the acknowledged requests, sorted.
	Latencies []time.Duration
	// Errors counts answers other than 204 and connection errors (after
	// which the connection stops).
	Errors int
}

// Rate returns the acknowledged requests per second.
func (r *Result) Rate() float64 { return float64(len(r.Latencies)) / r.Elapsed.Seconds() }

// Run runs the round and returns what it measured.
func (l *Load) Run() Result {
	res := Result{Acked: make([][]int32, l.Conns)}
	lat := make([][]time.Duration, l.Conns)
	errs := make([]int, l.Conns)
	done := make(chan struct{})
	start := time.Now()
	deadline := start.Add(l.Duration)
	for g := 0; g < l.Conns; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			addr := l.Addrs[g%len(l.Addrs)]
			rc, err := Dial(addr)
			if err != nil {
				errs[g]++
				return
			}
			defer rc.Close()
			var body []byte
			ls := make([]time.Duration, 0, 1<<16)
			for i := 0; l.MaxRequests == 0 || i < l.MaxRequests; i++ {
				if i%64 == 0 && time.Now().After(deadline) {
					break
				}
				n := l.Base + i*l.Conns + g
				load, seq := l.Note(g, i)
				body = AppendNote(body[:0], l.Tokens[n%len(l.Tokens)], load, seq)
				t0 := time.Now()
				code, err := rc.Post(addr, l.Path, Addr(n), body)
				d := time.Since(t0)
				if err != nil {
					errs[g]++
					break
				}
				if code != 204 {
					errs[g]++
					continue
				}
				ls = append(ls, d)
				res.Acked[g] = append(res.Acked[g], int32(i))
			}
			lat[g] = ls
		}()
	}
	for range l.Conns {
		<-done
	}
	res.Elapsed = time.Since(start)
	for g := range lat {
		res.Latencies = append(res.Latencies, lat[g]...)
		res.Errors += errs[g]
	}
	slices.Sort(res.Latencies)
	return res
}
