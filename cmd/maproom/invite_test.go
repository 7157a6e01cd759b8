package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// mailbox is an in-process SMTP server on 127.0.0.1 offering STARTTLS with
// a certificate made here; it keeps every message.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct {
	to   []string
	data string
	tls  bool
}

func (m *mailbox) all() []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMsg(nil), m.msgs...)
}

type mailSession struct {
	box  *mailbox
	conn *smtp.Conn
	to   []string
}

func (s *mailSession) Reset()                                    { s.to = nil }
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, mailMsg{to: s.to, data: string(b), tls: isTLS})
	s.box.mu.Unlock()
	return nil
}

// startMailbox starts the server and writes its certificate to a PEM file
// for the maproom process to trust through SSL_CERT_FILE, the standard
// way to add a root to Go's system pool: maproom itself never skips
// verification.
func startMailbox(t *testing.T, dir string) (*mailbox, int, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "maproom invite test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{box: box, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().(*net.TCPAddr).Port, certFile
}

// TestInviteSendsEachTheirOwnLinkOverSTARTTLS runs the maproom binary on a
// copy of the example site against the mailbox: each buyer of the deal
// gets one email, over STARTTLS, holding their own link and no other's;
// a second run sends nothing; rotating one person's link invites that
// person alone again.
func TestInviteSendsEachTheirOwnLinkOverSTARTTLS(t *testing.T) {
	bin, err := exec.LookPath("maproom")
	if err != nil {
		t.Skip("the maproom command is not on PATH (TestMain puts it there):", err)
	}
	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	box, port, certFile := startMailbox(t, t.TempDir())
	cfg := filepath.Join(root, "content", "maproom.toml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("\n[notify]\nfrom = \"Northwind deal desk <deals@northwind.example>\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = "+strconv.Itoa(port)+"\n")...)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, append(args, "-root", root, "-today", "2026-11-25")...)
		cmd.Env = append(os.Environ(), "MAPROOM_SECRET="+testSecret, "MAPROOM_TODAY=", "SSL_CERT_FILE="+certFile)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("maproom %s: %v\n%s", args[0], err, out)
		}
		return out
	}
	invite := func() string { t.Helper(); return must("invite", "acme-data-platform") }
	must("build")
	links := func() map[string]string {
		site, ps := generator.Load(generator.LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 25)})
		if ps.Errors() > 0 {
			t.Fatal(ps)
		}
		m := map[string]string{}
		for _, l := range generator.Links(site, []byte(testSecret)) {
			if l.Deal == "acme-data-platform" && l.Side == "buyer" {
				m[l.Stakeholder] = l.URL
			}
		}
		return m
	}

	out := invite()
	ls := links()
	msgs := box.all()
	if len(msgs) != len(ls) || len(ls) != 6 {
		t.Fatalf("%d emails for %d buyers:\n%s", len(msgs), len(ls), out)
	}
	for _, m := range msgs {
		if !m.tls || len(m.to) != 1 {
			t.Errorf("email to %v: STARTTLS %v", m.to, m.tls)
			continue
		}
		id, _, _ := strings.Cut(m.to[0], ".") // priya.raman@acme.example
		own, ok := ls[id]
		if !ok {
			t.Errorf("an email to %s, who is no buyer of the deal", m.to[0])
			continue
		}
		if !strings.Contains(m.data, own) {
			t.Errorf("%s's email lacks their link", id)
		}
		for other, l := range ls {
			if other != id && strings.Contains(m.data, strings.TrimSuffix(l, "/")) {
				t.Errorf("%s's email holds %s's link", id, other)
			}
		}
		if !strings.Contains(m.data, "review.ics") {
			t.Errorf("%s's email has no review.ics", id)
		}
	}

	if out := invite(); strings.Count(out, "already invited") != 6 || len(box.all()) != 6 {
		t.Errorf("second run: %d emails in all\n%s", len(box.all()), out)
	}

	// Tom's link is rotated (rotate: 1 -> 2): Tom alone is invited again.
	plan := filepath.Join(root, "content", "acme-data-platform", "index.md")
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("email: tom.bradley@acme.example, rotate: 1}")) {
		t.Skip("the example no longer gives Tom Bradley rotate: 1")
	}
	os.WriteFile(plan, bytes.Replace(src, []byte("email: tom.bradley@acme.example, rotate: 1}"), []byte("email: tom.bradley@acme.example, rotate: 2}"), 1), 0o644)
	// Not built yet: Tom's new link would answer 404, so nothing is sent.
	if out, err := run("invite", "acme-data-platform"); err == nil || !strings.Contains(out, "the last build has no room for tom") || len(box.all()) != 6 {
		t.Fatalf("inviting to a link the build did not write: err %v, %d emails\n%s", err, len(box.all()), out)
	}
	must("build")
	out = invite()
	msgs = box.all()
	if len(msgs) != 7 || msgs[6].to[0] != "tom.bradley@acme.example" {
		t.Fatalf("after rotating Tom's link: %d emails\n%s", len(msgs), out)
	}
	if !strings.Contains(msgs[6].data, links()["tom"]) || !strings.Contains(msgs[6].data, "replaces the one we sent on") {
		t.Errorf("Tom's new invite:\n%s", msgs[6].data)
	}
}
