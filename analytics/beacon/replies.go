package beacon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/reply"
)

// ReplyReader is a store that can list the replies it holds: *eventlog.Log and the
// PostgreSQL store. The beacon's read endpoint ([RepliesPath]) serves it.
type ReplyReader interface {
	// Replies returns the replies sent at or after after (all when it is
	// zero), each id once, oldest first.
	Replies(ctx context.Context, after time.Time) ([]reply.Reply, error)
}

// maxRepliesDoc caps the read endpoint's answer FetchReplies reads.
const maxRepliesDoc = 64 << 20

// FetchReplies reads the replies from a beacon's read endpoint (GET
// base+RepliesPath with the read key as a bearer token), those sent at or
// after after when it is not zero. base must be https, or http on a
// loopback address (a beacon on this machine): the key never crosses a
// network in the clear. A 404 means the beacon has no read key or another
// one; the error says so.
func FetchReplies(ctx context.Context, client *http.Client, base, key string, after time.Time) ([]reply.Reply, error) {
	u, err := url.Parse(strings.TrimRight(base, "/") + RepliesPath)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a beacon address: write it like https://beacon.example.com", base)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		return nil, fmt.Errorf("%s: the read key goes only over https (or to a beacon on this machine)", base)
	}
	if !after.IsZero() {
		u.RawQuery = url.Values{"after": {after.UTC().Format(time.RFC3339Nano)}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := keyClient(client).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading replies from %s: %w", base, err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s refused the read key: the beacon must run with the same key in its MAPROOM_READ_KEY", base)
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("reading replies from %s: %s %s", base, res.Status, res.Header.Get(RejectHeader))
	}
	var rs []reply.Reply
	if err := json.NewDecoder(io.LimitReader(res.Body, maxRepliesDoc)).Decode(&rs); err != nil {
		return nil, fmt.Errorf("reading replies from %s: not a list of replies: %w", base, err)
	}
	for i := range rs {
		if !reply.ValidID(rs[i].ID) {
			return nil, fmt.Errorf("reading replies from %s: reply %d has no valid id", base, i+1)
		}
	}
	event.SortReplies(rs)
	return rs, nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.IsLoopback()
}

// keyClient is client (the default one when nil) refusing redirects: the
// read key goes to the beacon's address alone, never on to where an
// answer points (Go sends the header on to the same host name, over plain
// http too).
func keyClient(client *http.Client) *http.Client {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return fmt.Errorf("the beacon answered with a redirect to %s: the read key is not sent on; give the address the beacon answers at", req.URL.Redacted())
	}
	return &c
}
