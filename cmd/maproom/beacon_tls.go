package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// acmeConfig is how the beacon gets its own certificate: for domain, from
// the ACME CA at directory, cached in certDir.
type acmeConfig struct {
	domain    string
	directory string // the CA's directory URL
	email     string // the account's contact; "" for none
	certDir   string // the certificate cache: account key, certificates
	caRoots   string // a PEM file of roots trusted for the CA's own HTTPS, "" for the system's
}

// manager returns the autocert manager for c: it gets a certificate for
// c.domain only, at its first TLS handshake, keeps it in c.certDir (a
// restart reuses it) and renews it 30 days before it expires, in the
// background while the beacon runs.
func (c acmeConfig) manager(logger *slog.Logger) (*autocert.Manager, error) {
	if err := checkDomain(c.domain); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.certDir, 0o700); err != nil {
		return nil, fmt.Errorf("certificate folder: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.caRoots != "" {
		pem, err := os.ReadFile(c.caRoots)
		if err != nil {
			return nil, fmt.Errorf("%w: -acme-ca-roots: %v", errUsage, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: -acme-ca-roots %s: no PEM certificate in it", errUsage, c.caRoots)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(c.certDir),
		HostPolicy: autocert.HostWhitelist(c.domain),
		Email:      c.email,
		Client: &acme.Client{
			DirectoryURL: c.directory,
			HTTPClient:   &http.Client{Transport: tr, Timeout: 2 * time.Minute},
			UserAgent:    "maproom-beacon",
		},
	}
	logger.Info("HTTPS by ACME", "domain", c.domain, "ca", c.directory, "cert_dir", c.certDir)
	return m, nil
}

// checkDomain accepts a host name ACME can certify: no scheme, port or
// path, at least two labels.
func checkDomain(d string) error {
	if strings.Contains(d, "://") || strings.ContainsAny(d, ":/ ") {
		return fmt.Errorf("%w: -domain %q: give the beacon's host name alone, like beacon.example.com", errUsage, d)
	}
	if net.ParseIP(d) != nil || !strings.Contains(strings.Trim(d, "."), ".") {
		return fmt.Errorf("%w: -domain %q: a certificate authority certifies a DNS name like beacon.example.com, not an address or a bare name", errUsage, d)
	}
	return nil
}

// tlsConfig is m's TLS configuration for the beacon's listener: HTTP/1.1
// (a room sends one small request at a time) and the tls-alpn-01
// challenge.
// A certificate that cannot be had is logged: the client sees only a
// failed handshake.
func tlsConfig(m *autocert.Manager, logger *slog.Logger) *tls.Config {
	cfg := m.TLSConfig()
	get := cfg.GetCertificate
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := get(hello)
		if err != nil {
			logger.Warn("no certificate for a TLS handshake", "server_name", hello.ServerName, "err", err)
		}
		return c, err
	}
	cfg.NextProtos = []string{"http/1.1", acme.ALPNProto}
	cfg.MinVersion = tls.VersionTLS12
	return cfg
}

// serveRedirect serves the http-01 challenge on ln and redirects every
// other request to HTTPS, until ctx ends.
func serveRedirect(ctx context.Context, ln net.Listener, m *autocert.Manager, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           m.HTTPHandler(nil),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
