package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBeaconACME runs the beacon with --domain against pebble, Let's
// Encrypt's ACME test server (built from the go.mod tool directive), which
// here skips validation (PEBBLE_VA_ALWAYS_VALID: no port 80 needed). The
// beacon gets a certificate at its first handshake and serves HTTPS with
// it; its HTTP port redirects to HTTPS; stopped and started again with
// pebble gone, it serves the certificate it kept in --cert-dir.
func TestBeaconACME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pebble: not in -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build pebble with")
	}
	dir := t.TempDir()
	pebbleBin := filepath.Join(dir, "pebble")
	build := exec.Command(goBin, "build", "-o", pebbleBin, "github.com/letsencrypt/pebble/v2/cmd/pebble")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building pebble (go.mod's tool): %v\n%s", err, out)
	}

	p := startPebble(t, pebbleBin, dir, 0)
	acmeAddr, stopPebble := p.acme, p.stop

	// A site built, for the beacon's manifest.
	root := filepath.Join(dir, "site")
	copyExample(t, root)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"build", "-root", root, "-today", "2026-11-22"}, nil, &out, &errb); err != nil {
		t.Fatalf("build: %v\n%s", err, errb.String())
	}

	const domain = "beacon.maproom.test"
	httpsAddr, httpAddr := loopbackAddr(t), loopbackAddr(t)
	certDir := filepath.Join(dir, "certs")
	args := []string{"beacon", "-domain", domain, "-addr", httpsAddr, "-http-addr", httpAddr,
		"-acme-ca", "https://" + acmeAddr + "/dir", "-acme-ca-roots", p.rootPath,
		"-acme-email", "ops@maproom.test", "-cert-dir", certDir,
		"-manifest", filepath.Join(root, ".maproom", "rooms.json"), "-log-dir", filepath.Join(dir, "events"), "-instance", "acme-test"}
	stopBeacon, beaconLog := startBeacon(t, args)

	roots := p.issuerRoots(t)

	// HTTPS to the beacon: the first handshake waits for the certificate.
	client := func() *http.Client {
		return &http.Client{Timeout: 90 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: domain},
		}}
	}
	get := func() *tls.ConnectionState {
		t.Helper()
		res, err := client().Get("https://" + httpsAddr + "/healthz")
		// The first handshake waits for the certificate within the
		// server's header timeout (5 s): on a loaded machine the issuance
		// may take longer, and that handshake is dropped while the
		// certificate still comes; a browser's next try gets it.
		for try := 0; try < 3 && err != nil && (errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset")); try++ {
			time.Sleep(time.Second)
			res, err = client().Get("https://" + httpsAddr + "/healthz")
		}
		if err != nil {
			t.Fatalf("GET https://%s/healthz (as %s): %v\n%s", httpsAddr, domain, err, beaconLog.String())
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
			t.Fatalf("GET /healthz over HTTPS: %s %s", res.Status, body)
		}
		return res.TLS
	}
	st := get()
	leaf := st.PeerCertificates[0]
	if err := leaf.VerifyHostname(domain); err != nil {
		t.Errorf("the served certificate: %v", err)
	}
	if !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
		t.Errorf("the served certificate was issued by %q, want pebble's intermediate", leaf.Issuer.CommonName)
	}

	// HTTP redirects to HTTPS on the same host and path.
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, "http://"+httpAddr+"/healthz", nil)
	req.Host = domain
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || loc != "https://"+domain+"/healthz" {
		t.Errorf("GET http://%s/healthz: %s to %q, want a redirect to https://%s/healthz", domain, res.Status, loc, domain)
	}
	// A name the beacon was not given gets no certificate.
	_, err = (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "other.maproom.test"}}}).Get("https://" + httpsAddr + "/healthz")
	if err == nil {
		t.Error("a handshake for another name succeeded")
	}

	// Kept: a restart with the CA gone serves the same certificate.
	stopBeacon()
	stopPebble()
	if files, _ := os.ReadDir(certDir); len(files) < 2 {
		t.Errorf("--cert-dir holds %d files, want the account key and the certificate", len(files))
	}
	stopBeacon, beaconLog = startBeacon(t, args)
	defer stopBeacon()
	if again := get().PeerCertificates[0]; !again.Equal(leaf) {
		t.Errorf("after a restart the beacon serves another certificate (serial %s, was %s)", again.SerialNumber, leaf.SerialNumber)
	}
	stopBeacon()

	// Renewed while it runs: with certificates valid for 30 s (renewed
	// when a third of that is left), the beacon serves a new one without
	// a restart.
	short := startPebble(t, pebbleBin, dir, 30)
	shortRoots := short.issuerRoots(t)
	args2 := append([]string(nil), args...)
	for i, a := range args2 {
		switch a {
		case "-acme-ca":
			args2[i+1] = "https://" + short.acme + "/dir"
		case "-acme-ca-roots":
			args2[i+1] = short.rootPath
		case "-cert-dir":
			args2[i+1] = filepath.Join(dir, "certs-short")
		}
	}
	stopBeacon, beaconLog = startBeacon(t, args2)
	defer stopBeacon()
	served := func() *x509.Certificate {
		t.Helper()
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 60 * time.Second}, "tcp", httpsAddr, &tls.Config{RootCAs: shortRoots, ServerName: domain})
		if err != nil {
			t.Fatalf("TLS to the beacon: %v\n%s", err, beaconLog.String())
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0]
	}
	first := served()
	began := time.Now()
	deadline := began.Add(45 * time.Second)
	for {
		next := served()
		if !next.Equal(first) {
			t.Logf("renewed %v after the first certificate was served (valid %v to %v)", time.Since(began).Round(time.Millisecond), first.NotBefore, first.NotAfter)
			if !next.NotAfter.After(first.NotAfter) {
				t.Errorf("the renewed certificate expires %v, the first %v", next.NotAfter, first.NotAfter)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no renewal within 45 s of a certificate valid until %v\n%s", first.NotAfter, beaconLog.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// pebbleRun is a running pebble.
type pebbleRun struct {
	acme, mgmt string // its ACME API and management addresses
	rootPEM    []byte // the root its own HTTPS certificate chains to
	rootPath   string // that root's file
	stop       func()
}

// issuerRoots returns the root pebble issues certificates under, from its
// management interface.
func (p pebbleRun) issuerRoots(t *testing.T) *x509.CertPool {
	t.Helper()
	roots := x509.NewCertPool()
	mgmt := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool(t, p.rootPEM)}}}
	res, err := mgmt.Get("https://" + p.mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	issuer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !roots.AppendCertsFromPEM(issuer) {
		t.Fatalf("pebble's /roots/0: %s", issuer)
	}
	return roots
}

// startPebble runs pebble from bin with its files in a folder under dir,
// issuing certificates valid for validity seconds (0: pebble's default),
// until stop or the end of the test.
func startPebble(t *testing.T, bin, dir string, validity int) pebbleRun {
	t.Helper()
	dir, err := os.MkdirTemp(dir, "pebble")
	if err != nil {
		t.Fatal(err)
	}
	// pebble's own HTTPS (its ACME API) under a root made here, which the
	// beacon is told to trust with --acme-ca-roots.
	rootPEM, certPEM, keyPEM := testCA(t)
	for name, b := range map[string][]byte{"root.pem": rootPEM, "cert.pem": certPEM, "key.pem": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	acmeAddr, mgmtAddr := loopbackAddr(t), loopbackAddr(t)
	conf := map[string]any{
		"listenAddress": acmeAddr, "managementListenAddress": mgmtAddr,
		"certificate": filepath.Join(dir, "cert.pem"), "privateKey": filepath.Join(dir, "key.pem"),
		"httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "", "externalAccountBindingRequired": false,
	}
	if validity > 0 {
		conf["profiles"] = map[string]any{"default": map[string]any{"description": "short", "validityPeriod": validity}}
	}
	cfg, _ := json.Marshal(map[string]any{"pebble": conf})
	if err := os.WriteFile(filepath.Join(dir, "pebble.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	pebble := exec.Command(bin, "-config", filepath.Join(dir, "pebble.json"))
	pebble.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_VA_ALWAYS_VALID=1")
	var pebbleLog lockedBuffer
	pebble.Stdout, pebble.Stderr = &pebbleLog, &pebbleLog
	if err := pebble.Start(); err != nil {
		t.Fatal(err)
	}
	pebbleDone := make(chan struct{})
	go func() { pebble.Wait(); close(pebbleDone) }()
	stopPebble := func() {
		pebble.Process.Kill()
		<-pebbleDone
	}
	t.Cleanup(func() {
		stopPebble()
		if t.Failed() {
			t.Logf("pebble:\n%s", pebbleLog.String())
		}
	})
	waitListening(t, acmeAddr)

	return pebbleRun{acme: acmeAddr, mgmt: mgmtAddr, rootPEM: rootPEM, rootPath: filepath.Join(dir, "root.pem"), stop: stopPebble}
}

// startBeacon runs the beacon in this process until the returned stop is
// called (or the test ends), and waits until it listens.
func startBeacon(t *testing.T, args []string) (stop func(), log *lockedBuffer) {
	t.Helper()
	log = &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: log, getenv: func(string) string { return "" },
		now: time.Now, rand: rand.Reader, log: slog.New(slog.NewTextHandler(log, nil))}
	go func() { done <- e.run(ctx, args) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("beacon: %v\n%s", err, log.String())
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(log.String(), "beacon listening") {
		select {
		case err := <-done:
			t.Fatalf("beacon ended: %v\n%s", err, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("beacon not listening after 15 s:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return stop, log
}

func copyExample(t *testing.T, root string) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cp", "-r", filepath.Join("..", "..", "content"), root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("copying the example: %v %s", err, out)
	}
	t.Setenv("MAPROOM_SECRET", testSecret)
}

// loopbackAddr is a free address on 127.0.0.1.
func loopbackAddr(t *testing.T) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + port
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after 15 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testCA makes a root and a certificate it signs for 127.0.0.1, as PEM.
func testCA(t *testing.T) (rootPEM, certPEM, keyPEM []byte) {
	t.Helper()
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "maproom test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, rootTmpl, &key.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func pool(t *testing.T, pemBytes []byte) *x509.CertPool {
	t.Helper()
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in the PEM")
	}
	return p
}

// lockedBuffer is a bytes.Buffer safe for the writers of a running server.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
