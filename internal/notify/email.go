package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Email sends notices over SMTP, always upgrading the connection with
// STARTTLS and verifying the server's certificate: a server that does not
// offer STARTTLS, or whose certificate does not verify, gets nothing. One
// connection is opened at the first Send and reused; Close ends it.
type Email struct {
	Host string
	Port int // 587 when 0
	// Username and Password authenticate when Username is set; they come
	// from the environment.
	Username, Password string
	// From is the sender, "Name <address>".
	From string
	// RootCAs are the certificate authorities trusted for the server; nil
	// trusts the system's. Only tests set it, to trust the certificate of
	// the server they start. Verification itself is never turned off.
	RootCAs *x509.CertPool
	Timeout time.Duration    // of the connection: 15 s when 0
	Now     func() time.Time // the Date header

	client  *gomail.Client
	dialErr error
}

// Name is "email".
func (e *Email) Name() string { return "email" }

// Accepts takes a notice to a person with an email address.
func (e *Email) Accepts(n Notice) (bool, string) {
	if n.To.Email == "" {
		return false, fmt.Sprintf("%s has no email in the plan: add email: to their entry under stakeholders in content/%s/index.md", n.To.Name, n.Deal)
	}
	return true, ""
}

// Send sends n to its person's address.
func (e *Email) Send(ctx context.Context, n Notice) error {
	m, err := e.message(n)
	if err != nil {
		return err
	}
	if err := e.dial(ctx); err != nil {
		return err
	}
	err = e.client.Send(m)
	if se, ok := errors.AsType[*gomail.SendError](err); ok && se.Reason == gomail.ErrConnCheck {
		// The connection dropped after an earlier message (a relay's
		// timeout, a blip): connect again, once, rather than fail every
		// message left in the run.
		e.client.Close()
		e.client = nil
		if err := e.dial(ctx); err != nil {
			return err
		}
		err = e.client.Send(m)
	}
	if err != nil {
		return fmt.Errorf("the mail server %s did not take it: %w", e.addr(), err)
	}
	return nil
}

func (e *Email) addr() string {
	return fmt.Sprintf("%s:%d", e.Host, e.port())
}

func (e *Email) port() int {
	if e.Port == 0 {
		return 587
	}
	return e.Port
}

// dial connects once; a failed connection fails every Send of the run
// with the same message, without trying again for each.
func (e *Email) dial(ctx context.Context) error {
	if e.client != nil || e.dialErr != nil {
		return e.dialErr
	}
	timeout := e.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	opts := []gomail.Option{
		gomail.WithPort(e.port()),
		gomail.WithTLSPolicy(gomail.TLSMandatory),
		gomail.WithTLSConfig(&tls.Config{ServerName: e.Host, RootCAs: e.RootCAs, MinVersion: tls.VersionTLS12}),
		gomail.WithTimeout(timeout),
	}
	if e.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(e.Username), gomail.WithPassword(e.Password))
	}
	c, err := gomail.NewClient(e.Host, opts...)
	if err == nil {
		err = c.DialWithContext(ctx)
	}
	if err != nil {
		e.dialErr = fmt.Errorf("cannot send through the mail server %s (STARTTLS, verified certificate): %w", e.addr(), err)
		return e.dialErr
	}
	e.client = c
	return nil
}

// Close ends the connection, if one was opened.
func (e *Email) Close() error {
	if e.client == nil {
		return nil
	}
	err := e.client.Close()
	e.client = nil
	return err
}

// message builds n's email: plain text, UTF-8, its attachments.
func (e *Email) message(n Notice) (*gomail.Msg, error) {
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("[notify] from %q is not an address: %w", e.From, err)
	}
	if err := m.AddToFormat(n.To.Name, n.To.Email); err != nil {
		return nil, fmt.Errorf("%s's email %q is not an address: %w", n.To.Name, n.To.Email, err)
	}
	if n.ReplyTo != "" {
		if err := m.ReplyTo(n.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q is not an address: %w", n.ReplyTo, err)
		}
	}
	m.Subject(n.Subject)
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	m.SetDateWithValue(now())
	m.SetMessageID()
	m.SetGenHeader("X-Maproom-Notice", n.ID())
	if n.Kind != KindInvite {
		m.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	m.SetBodyString(gomail.TypeTextPlain, n.Text())
	for _, a := range n.Attachments {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// CheckAddress checks an address for [notify] from or a stakeholder's
// email, as the sender will.
func CheckAddress(s string) error {
	_, err := mail.ParseAddress(s)
	if err != nil {
		return errors.New("not an email address: write \"Name <name@example.com>\" or name@example.com")
	}
	return nil
}
