package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/hostconf"
	"github.com/maproom/maproom/internal/token"
)

// TestBeaconBehindProxy runs the beacon behind Debian's caddy and nginx
// with the configurations `maproom hostconfig beacon-caddy|beacon-nginx`
// prints, the beacon trusting the proxy (127.0.0.1) only: an event sent
// through the proxy with a made-up X-Forwarded-For (and Forwarded) is
// recorded with the address the proxy saw, never the one the client
// claimed.
func TestBeaconBehindProxy(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "site")
	copyExample(t, root)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"build", "-root", root, "-today", "2026-11-22"}, nil, &out, &errb); err != nil {
		t.Fatalf("build: %v\n%s", err, errb.String())
	}
	tok := token.Room([]byte(testSecret), "acme-data-platform", "jordan", 0)
	beaconAddr := loopbackAddr(t)
	logDir := filepath.Join(dir, "events")
	stop, _ := startBeacon(t, []string{"beacon", "-addr", beaconAddr, "-trusted-proxy", "127.0.0.1",
		"-manifest", filepath.Join(root, ".maproom", "rooms.json"), "-log-dir", logDir, "-instance", "proxytest"})
	defer stop()

	seq := 0
	send := func(t *testing.T, proxy string) {
		t.Helper()
		seq++
		body := fmt.Sprintf(`[{"t":%q,"p":"room","k":"view","l":"%032x","s":1,"a":0,"v":0}]`, tok, seq)
		req, _ := http.NewRequest(http.MethodPost, "http://"+proxy+"/note", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		req.Header.Set("Forwarded", "for=198.51.100.7")
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("POST /note through the proxy: %s %s", res.Status, res.Header.Get("X-Maproom-Reject"))
		}
		// The event is on disk before it is acknowledged.
		b, err := os.ReadFile(filepath.Join(logDir, "events-"+time.Now().UTC().Format(time.DateOnly)+"-proxytest.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		var line string
		for _, l := range strings.Split(string(bytes.TrimRight(b, "\x00")), "\n") {
			if strings.Contains(l, fmt.Sprintf(`"load":"%032x"`, seq)) {
				line = l
			}
		}
		if !strings.Contains(line, `"net":"127.0.0.0/24"`) {
			t.Errorf("the event sent through the proxy was recorded as %s; want the proxy's view of the client, 127.0.0.0/24, not the made-up 203.0.113.9 or 198.51.100.7", line)
		}
	}

	t.Run("caddy", func(t *testing.T) {
		bin, err := exec.LookPath("caddy")
		if err != nil {
			t.Skip("caddy is not installed (apt-get install caddy; .ci/run installs it)")
		}
		addr := loopbackAddr(t)
		var site bytes.Buffer
		if err := hostconf.BeaconCaddy(&site, hostconf.Site{Listen: addr}, beaconAddr); err != nil {
			t.Fatal(err)
		}
		cdir := t.TempDir()
		conf := filepath.Join(cdir, "Caddyfile")
		os.WriteFile(conf, []byte("{\n\tadmin off\n\tauto_https off\n}\n"+site.String()), 0o644)
		cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", conf)
		cmd.Env = append(os.Environ(), "HOME="+cdir, "XDG_DATA_HOME="+cdir, "XDG_CONFIG_HOME="+cdir)
		runServer(t, cmd, addr)
		send(t, addr)
	})
	t.Run("nginx", func(t *testing.T) {
		bin, err := exec.LookPath("nginx")
		if err != nil {
			if bin = "/usr/sbin/nginx"; !fileExists(bin) {
				t.Skip("nginx is not installed (apt-get install nginx; .ci/run installs it)")
			}
		}
		addr := loopbackAddr(t)
		var server bytes.Buffer
		if err := hostconf.BeaconNginx(&server, hostconf.Site{Listen: addr}, beaconAddr); err != nil {
			t.Fatal(err)
		}
		ndir := t.TempDir()
		conf := filepath.Join(ndir, "nginx.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("daemon off;\nmaster_process off;\npid %[1]s/nginx.pid;\nerror_log %[1]s/error.log;\nevents { worker_connections 64; }\nhttp {\n    access_log off;\n    client_body_temp_path %[1]s/body;\n    proxy_temp_path %[1]s/proxy;\n    fastcgi_temp_path %[1]s/fastcgi;\n    uwsgi_temp_path %[1]s/uwsgi;\n    scgi_temp_path %[1]s/scgi;\n%[2]s}\n", ndir, server.String())), 0o644)
		runServer(t, exec.Command(bin, "-p", ndir, "-e", filepath.Join(ndir, "error.log"), "-c", conf), addr)
		send(t, addr)
	})
}

// runServer starts cmd until the test ends and waits for addr.
func runServer(t *testing.T, cmd *exec.Cmd, addr string) {
	t.Helper()
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s:\n%s", filepath.Base(cmd.Path), log.String())
		}
	})
	waitListening(t, addr)
}
