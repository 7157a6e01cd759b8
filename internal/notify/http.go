package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Retry is how an HTTP channel retries: Attempts in all (at least 1),
// waiting Backoff before the second, doubling each time. A network error
// and a 5xx answer are retried; a 4xx answer is not (the request itself is
// wrong, and sending it again changes nothing); a 2xx is success.
type Retry struct {
	Attempts int
	Backoff  time.Duration
	// Sleep waits d or until ctx ends; nil sleeps for real. Tests inject
	// one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry tries four times over about seven seconds.
var DefaultRetry = Retry{Attempts: 4, Backoff: time.Second}

// StatusError is an HTTP answer that is not a success.
type StatusError struct {
	Code int
	Body string // the start of the answer's body, for the message
}

func (e *StatusError) Error() string {
	if e.Body != "" {
		return fmt.Sprintf("the server answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Body)
	}
	return fmt.Sprintf("the server answered %d %s", e.Code, http.StatusText(e.Code))
}

// retryable reports whether err, of an attempt made within ctx, may go
// away on its own: a 5xx, or a network error, a server that did not
// answer in time included when timeouts (the client's timeout ends the
// attempt, not the run; a receiver that drops repeats by their idempotency
// key may have the first); not when ctx itself ended.
func retryable(ctx context.Context, err error, timeouts bool) bool {
	if ctx.Err() != nil {
		return false
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return true // nothing reached the server
	}
	if _, late := errors.AsType[*lateAnswer](err); late && !timeouts {
		// The server may have taken it and answered late: sent again, it
		// would show twice where no key lets the receiver drop a repeat.
		// (A timeout before the request was sent reached no one.)
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500
	}
	return true
}

// ErrUnconfirmed is a message a channel may have taken without saying so
// in time (Slack answered late): the sender records it as sent, so that no
// run shows it twice, and says so.
var ErrUnconfirmed = errors.New("not confirmed")

// lateAnswer is an attempt whose request was sent whole and whose answer
// did not come in time: the server may have taken it. An attempt that
// timed out before (connecting, the TLS handshake) reached no one.
type lateAnswer struct{ err error }

func (e *lateAnswer) Error() string { return e.err.Error() }
func (e *lateAnswer) Unwrap() error { return e.err }

// timedOut reports whether err is an attempt the server did not answer in
// time (the client's timeout).
func timedOut(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// post sends body to u, built afresh for each attempt by header (a signed
// webhook signs each attempt with its own timestamp), retrying as r says,
// a timed-out attempt only when timeouts (see retryable). The error never
// holds u: a Slack webhook's URL is its secret.
func post(ctx context.Context, client *http.Client, r Retry, u string, body []byte, header func(http.Header), timeouts bool) error {
	if client == nil {
		// A redirect is an answer, not a success: followed, the POST would
		// arrive as a GET without its body (or, 307/308, go to another
		// host), and the notice be recorded as sent.
		client = &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	attempts := max(r.Attempts, 1)
	sleep := r.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	wait := r.Backoff
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if serr := sleep(ctx, wait); serr != nil {
				return fmt.Errorf("%w (then %v)", err, serr)
			}
			wait *= 2
		}
		err = postOnce(ctx, client, u, body, header)
		if err == nil || !retryable(ctx, err, timeouts) {
			break
		}
	}
	if err != nil && attempts > 1 && retryable(ctx, err, timeouts) {
		return fmt.Errorf("%w (tried %d times)", err, attempts)
	}
	return err
}

func postOnce(ctx context.Context, client *http.Client, u string, body []byte, header func(http.Header)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return errors.New("not a valid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "maproom-notify/1")
	if header != nil {
		header(req.Header)
	}
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(w httptrace.WroteRequestInfo) { wrote.Store(w.Err == nil) },
	}))
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		err = fmt.Errorf("cannot reach the server: %w", err)
		if wrote.Load() && timedOut(err) {
			return &lateAnswer{err}
		}
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(snippet))}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
