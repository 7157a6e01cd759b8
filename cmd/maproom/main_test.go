package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script from the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"maproom": main})
}

// TestScripts runs the CLI behaviour scripts in testdata/script against the
// real run. Each script starts with the example site copied to $WORK/site
// and a fixed MAPROOM_SECRET, unless it unsets it.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Condition: func(cond string) (bool, error) {
			if cond == "postgres" {
				return os.Getenv("MAPROOM_TEST_POSTGRES") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfor": cmdWaitFor,
			"linkof":  cmdLinkOf,
			"status":  cmdStatus,
			"header":  cmdHeader,
			"tokenof": cmdTokenOf,
			"post":    cmdPost,
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("MAPROOM_SECRET", testSecret)
			env.Setenv("MAPROOM_TODAY", "")
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("PORT", port)
			// SOON is a day four weeks from the real today: a date a buyer can
			// propose to a beacon, which runs on the real clock.
			env.Setenv("SOON", time.Now().UTC().AddDate(0, 0, 28).Format(time.DateOnly))
			// Scripts that need PostgreSQL read its address from here; .ci/run
			// sets it, and they skip without it.
			env.Setenv("MAPROOM_TEST_POSTGRES", os.Getenv("MAPROOM_TEST_POSTGRES"))
			return synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(env.WorkDir, "site", "content"))
		},
	})
}

const testSecret = "test-secret-0123456789abcdef0123456789abcdef"

// freePort finds a loopback port for a script's server.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// cmdWaitFor: waitfor URL REGEXP — polls URL (up to 15 s, 100 ms apart)
// until its body matches REGEXP; with !, until it no longer does (or the
// URL answers 404).
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: waitfor URL REGEXP")
	}
	re := regexp.MustCompile(args[1])
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get(args[0])
		if err != nil {
			last = err.Error()
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		match := resp.StatusCode == 200 && re.Match(body)
		if match != neg {
			return
		}
	}
	if len(last) > 600 {
		last = last[:600] + "..."
	}
	ts.Fatalf("waitfor %s %q (negated: %v) timed out; last answer: %s", args[0], args[1], neg, last)
}

// cmdStatus: status URL HOST CODE — GETs URL with the Host header HOST and
// fails unless the answer's status is CODE.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: status URL HOST CODE")
	}
	req, err := http.NewRequest(http.MethodGet, args[0], nil)
	ts.Check(err)
	req.Host = args[1]
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	ts.Check(err)
	resp.Body.Close()
	if got := strconv.Itoa(resp.StatusCode); got != args[2] {
		ts.Fatalf("GET %s with Host %s: status %s, want %s", args[0], args[1], got, args[2])
	}
}

// cmdHeader: header URL NAME REGEXP — GETs URL and fails unless its
// response header NAME matches REGEXP.
func cmdHeader(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: header URL NAME REGEXP")
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(args[0])
	ts.Check(err)
	resp.Body.Close()
	if v := resp.Header.Get(args[1]); !regexp.MustCompile(args[2]).MatchString(v) {
		ts.Fatalf("GET %s: header %s is %q, want a match for %q", args[0], args[1], v, args[2])
	}
}

// cmdLinkOf: linkof ROOT DEAL STAKEHOLDER VAR — sets VAR to the person's
// room path (r/<token>/) under the test secret.
func cmdLinkOf(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: linkof ROOT DEAL STAKEHOLDER VAR")
	}
	site, ps := generator.Load(generator.LoadOptions{Root: ts.MkAbs(args[0]), Today: deal.NewDate(2026, 11, 22)})
	if ps.Errors() > 0 {
		ts.Fatalf("loading %s: %v", args[0], ps)
	}
	for _, l := range generator.Links(site, []byte(testSecret)) {
		if l.Deal == args[1] && l.Stakeholder == args[2] {
			ts.Setenv(args[3], l.Path)
			return
		}
	}
	ts.Fatalf("no stakeholder %s in deal %s", args[2], args[1])
}

// cmdTokenOf: tokenof DEAL STAKEHOLDER ROTATION VAR — sets VAR to the
// person's room token at that rotation under the test secret.
func cmdTokenOf(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || neg {
		ts.Fatalf("usage: tokenof DEAL STAKEHOLDER ROTATION VAR")
	}
	rot, err := strconv.Atoi(args[2])
	ts.Check(err)
	ts.Setenv(args[3], token.Room([]byte(testSecret), args[0], args[1], rot))
}

// cmdPost: post URL FORM CODE [REGEXP] — POSTs FORM (URL-encoded, as a
// room's form sends it; Origin: $POST_ORIGIN, else null as a no-referrer
// page's form post)
// to URL without following a redirect, and fails unless the status is CODE
// and, when given, the Location header or the body matches REGEXP.
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || len(args) > 4 || neg {
		ts.Fatalf("usage: post URL FORM CODE [REGEXP]")
	}
	req, err := http.NewRequest(http.MethodPost, args[0], strings.NewReader(args[1]))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	origin := ts.Getenv("POST_ORIGIN")
	if origin == "" {
		origin = "null"
	}
	req.Header.Set("Origin", origin)
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	ts.Check(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := strconv.Itoa(resp.StatusCode); got != args[2] {
		ts.Fatalf("POST %s: status %s, want %s: %s %s", args[0], got, args[2], resp.Header.Get("X-Maproom-Reject"), body)
	}
	if len(args) == 4 {
		re := regexp.MustCompile(args[3])
		if !re.MatchString(resp.Header.Get("Location")) && !re.Match(body) {
			ts.Fatalf("POST %s: neither the Location %q nor the body matches %q: %s", args[0], resp.Header.Get("Location"), args[3], body)
		}
	}
}

// TestOriginOf: -origin is held to what a browser sends in its Origin
// header: a path is refused (no header would ever match it), a default
// port and a trailing slash are dropped, the host is lowercased.
func TestOriginOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://rooms.northwind.example":      "https://rooms.northwind.example",
		"https://Rooms.Northwind.example/":     "https://rooms.northwind.example",
		"https://rooms.northwind.example:443":  "https://rooms.northwind.example",
		"http://127.0.0.1:1313":                "http://127.0.0.1:1313",
		"https://rooms.northwind.example:8443": "https://rooms.northwind.example:8443",
	} {
		if got, err := originOf(in); err != nil || got != want {
			t.Errorf("originOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"https://rooms.northwind.example/r/", "rooms.northwind.example", "ftp://x.example", "https://x.example/?a=1"} {
		if got, err := originOf(bad); err == nil {
			t.Errorf("originOf(%q) = %q, want an error", bad, got)
		}
	}
}
