package hostconf_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/hostconf"
	"github.com/maproom/maproom/internal/testkit/synth"
)

var update = flag.Bool("update", false, "rewrite testdata/nginx.conf and testdata/Caddyfile from the actual output")

const testSecret = "test-secret-0123456789abcdef0123456789abcdef"

// exampleBuild builds the example site (content/) into a temp folder and
// returns the published folder, a buyer's room path (r/<token>/) and the
// beacon the pages post to.
func exampleBuild(t *testing.T) (out, room, beacon string) {
	t.Helper()
	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	res, err := generator.Build(context.Background(), generator.Options{Root: root, Secret: []byte(testSecret), Today: deal.NewDate(2026, 11, 22)})
	if err != nil {
		t.Fatalf("build: %v %v", err, res.Problems)
	}
	for _, l := range generator.Links(res.Site, []byte(testSecret)) {
		if l.Deal == "acme-data-platform" && l.Stakeholder == "jordan" {
			room = l.Path
		}
	}
	if room == "" {
		t.Fatal("no room for jordan in the example")
	}
	return filepath.Join(root, "public"), room, res.Site.Config.BeaconURL
}

// TestConfigGolden pins the nginx and Caddy configurations written for the
// example site's headers.
func TestConfigGolden(t *testing.T) {
	rules := generator.HeaderRules("https://beacon.northwind.example/note")
	site := hostconf.Site{Name: "rooms.northwind.example", Root: "/var/www/maproom"}
	for name, write := range map[string]func(io.Writer, hostconf.Site, []hostconf.Rule) error{"nginx.conf": hostconf.Nginx, "Caddyfile": hostconf.Caddy} {
		var b bytes.Buffer
		if err := write(&b, site, rules); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", name, golden, b.Bytes())
		}
	}
}

// TestHeadersFileIsTheTable: the _headers a build publishes is the table's,
// so the three renderings cannot drift apart.
func TestHeadersFileIsTheTable(t *testing.T) {
	out, _, beacon := exampleBuild(t)
	got, err := os.ReadFile(filepath.Join(out, "_headers"))
	if err != nil {
		t.Fatal(err)
	}
	if want := hostconf.HeadersFile(generator.HeaderRules(beacon)); string(got) != want {
		t.Errorf("public/_headers:\n%s\nthe table gives:\n%s", got, want)
	}
	if err := hostconf.Check(generator.HeaderRules(beacon)); err != nil {
		t.Errorf("the site's header table: %v", err)
	}
}

// TestNginxServesRooms runs Debian's nginx with the generated server block
// on the example site: a room, its path without the slash, an unknown
// token, the folders (r/, f/, assets/, a file's token folder: 404 as for
// an unknown token, never a 403), an asset and the site root, each with
// the headers the table gives.
func TestNginxServesRooms(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
		}
	}
	out, room, beacon := exampleBuild(t)
	rules := generator.HeaderRules(beacon)
	dir := t.TempDir()
	addr := freeAddr(t)
	var server bytes.Buffer
	if err := hostconf.Nginx(&server, hostconf.Site{Name: "rooms.northwind.example", Root: out, Listen: addr}, rules); err != nil {
		t.Fatal(err)
	}
	// A whole nginx.conf around the block, everything under dir; one
	// process in the foreground, as the user running the test.
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    types { text/html html; text/css css; application/javascript js; text/plain txt; text/calendar ics; application/pdf pdf; }
    default_type application/octet-stream;
    # as Debian's nginx.conf does: the server block is to turn it off
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s}
`, dir, server.String())
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "-t", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, b, conf)
	}
	start(t, exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath), addr, filepath.Join(dir, "error.log"))
	checkServed(t, "http://"+addr, "rooms.northwind.example", out, room, rules)
	// A room's path is its private link: no log keeps it.
	if b, err := os.ReadFile(filepath.Join(dir, "access.log")); len(b) > 0 {
		t.Errorf("nginx logged the rooms' links:\n%s", b)
	} else if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	// Nor the error log, for a room or a link that is not there (a
	// folder asked for its listing is still logged as refused).
	if b, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil && (bytes.Contains(b, []byte(room)) || bytes.Contains(b, []byte("aaaaaaaaaaaaaaaa"))) {
		t.Errorf("nginx's error log names a room's link:\n%s", b)
	}
}

// TestCaddyServesRooms runs Debian's caddy with the generated site block on
// the example site, as TestNginxServesRooms does nginx.
func TestCaddyServesRooms(t *testing.T) {
	bin, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy is not installed (apt-get install caddy; .ci/run installs it)")
	}
	out, room, beacon := exampleBuild(t)
	rules := generator.HeaderRules(beacon)
	dir := t.TempDir()
	addr := freeAddr(t)
	var site bytes.Buffer
	if err := hostconf.Caddy(&site, hostconf.Site{Root: out, Listen: addr}, rules); err != nil {
		t.Fatal(err)
	}
	conf := "{\n\tadmin off\n\tauto_https off\n}\n" + site.String()
	confPath := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	v := exec.Command(bin, "validate", "--adapter", "caddyfile", "--config", confPath)
	v.Env = env
	if b, err := v.CombinedOutput(); err != nil {
		t.Fatalf("caddy validate: %v\n%s\n%s", err, b, conf)
	}
	cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", confPath)
	cmd.Env = env
	logPath := filepath.Join(dir, "caddy.log")
	checkServed(t, start(t, cmd, addr, logPath), "rooms.northwind.example", out, room, rules)
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs cmd until the test ends and waits (at most 15 s) for addr to
// take connections; its output goes to logPath, shown when the test fails.
func start(t *testing.T, cmd *exec.Cmd, addr, logPath string) string {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); f.Close() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s:\n%s", filepath.Base(cmd.Path), b)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("%s exited: %v\n%s", cmd.Path, err, b)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 15 s", cmd.Path, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkServed asks base for what a person's browser asks, with Host set
// to host, and checks each answer and its headers against the table.
func checkServed(t *testing.T, base, host, out, room string, rules []hostconf.Rule) {
	t.Helper()
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	get := func(p string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	file := func(rel string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	headers := func(p string, res *http.Response) {
		t.Helper()
		want := hostconf.For(rules, p)
		if len(want) < 2 {
			t.Fatalf("the table gives %s only %v", p, want)
		}
		for _, h := range want {
			if res.StatusCode == http.StatusNotFound && strings.EqualFold(h.Name, "Cache-Control") {
				continue // below
			}
			if got := res.Header.Values(h.Name); len(got) != 1 || got[0] != h.Value {
				t.Errorf("GET %s: %s = %q, want exactly %q", p, h.Name, got, h.Value)
			}
		}
		// A 404 is never cached: a path under /assets/ is kept a year
		// when it is there, a 404 kept as long would stay when it comes.
		if got := res.Header.Values("Cache-Control"); res.StatusCode == http.StatusNotFound && (len(got) != 1 || got[0] != "no-store") {
			t.Errorf("GET %s (404): Cache-Control %q, want exactly no-store", p, got)
		}
	}

	// The room: its own page, with every header of a room.
	res, body := get("/" + room)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, file(room+"index.html")) {
		t.Errorf("GET /%s: %s, %d bytes; want 200 and the room's index.html", room, res.Status, len(body))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /%s: Content-Type %q", room, ct)
	}
	headers("/"+room, res)
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET /%s: CSP %q, Cache-Control %q", room, res.Header.Get("Content-Security-Policy"), res.Header.Get("Cache-Control"))
	}

	// Without the slash: redirected to the room, on the host asked.
	noSlash := "/" + strings.TrimSuffix(room, "/")
	res, _ = get(noSlash)
	if loc := res.Header.Get("Location"); res.StatusCode/100 != 3 || !(loc == "/"+room || strings.HasSuffix(loc, "://"+host+"/"+room)) {
		t.Errorf("GET %s: %s to %q, want a redirect to /%s", noSlash, res.Status, loc, room)
	}

	// An unknown token: 404, the site's 404 page, the headers still there.
	unknown := "/r/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	res, body = get(unknown)
	if res.StatusCode != http.StatusNotFound || !bytes.Equal(body, file("404.html")) {
		t.Errorf("GET %s: %s, %d bytes; want 404 and 404.html", unknown, res.Status, len(body))
	}
	headers(unknown, res)

	// The folders: no listing, and not the host's own 403 either, which
	// would tell a folder that is there from a token that is not. Each
	// answers as an unknown token does: 404 and 404.html.
	files, err := filepath.Glob(filepath.Join(out, "f", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the example publishes no file under f/: %v", err)
	}
	for _, dir := range []string{"/r/", "/f/", "/assets/", "/assets/style.0000000000.css", "/f/" + filepath.Base(files[0]) + "/"} {
		res, body = get(dir)
		if res.StatusCode != http.StatusNotFound || !bytes.Equal(body, file("404.html")) {
			t.Errorf("GET %s: %s, %d bytes; want 404 and 404.html, as for an unknown token", dir, res.Status, len(body))
		}
		headers(dir, res)
	}

	// An asset: cached for a year, never no-store.
	css, err := filepath.Glob(filepath.Join(out, "assets", "style.*.css"))
	if err != nil || len(css) != 1 {
		t.Fatalf("the stylesheet: %v %v", css, err)
	}
	asset := "/assets/" + filepath.Base(css[0])
	res, body = get(asset)
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, file(asset[1:])) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %s %q", asset, res.Status, res.Header.Get("Content-Type"))
	}
	headers(asset, res)

	// The root: the bare page, framing and indexing refused.
	res, body = get("/")
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, file("index.html")) {
		t.Errorf("GET /: %s", res.Status)
	}
	headers("/", res)
}
