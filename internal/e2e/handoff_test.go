package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/internal/testkit/synth"
)

// TestHandoffOpensOffline writes the customer-success bundle of the
// example's won deal with the real `maproom handoff`, as a seller does, and
// opens handoff.html from disk in Chromium with the network switched off, as
// the customer-success manager it is mailed to might: the page is whole (its
// sections there, styled by its own CSS) and the browser asked for nothing
// but the file itself.
func TestHandoffOpensOffline(t *testing.T) {
	s := env(t)
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(site, "content")); err != nil {
		t.Fatal(err)
	}
	bin := buildMaproom(t, dir)
	out := filepath.Join(dir, "handoff")
	runIn(t, site, nil, bin, "handoff", "initech-expansion", "-today", today.String(), "-out", out)
	file := filepath.Join(out, "handoff.html")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("maproom handoff wrote no page: %v", err)
	}
	page := (&url.URL{Scheme: "file", Path: file}).String()

	// The tab may load the page and nothing else; no beacon is involved.
	tb := s.open(t, false, origin{file: page, posted: &atomic.Int64{}, received: func() (int64, error) { return 0, nil }})
	if _, err := chromedp.Call(tb.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	offline := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}
	if _, err := chromedp.Call(tb.ctx, network.EmulateNetworkConditionsByRule, offline); err != nil {
		t.Fatalf("taking the tab offline: %v", err)
	}
	tb.navigate(t, page)

	if got := eval[string](t, tb, "document.querySelector('h1').textContent"); !strings.HasPrefix(got, "Handoff: ") || !strings.Contains(got, "Initech") {
		t.Errorf("the page's heading is %q, want the Initech handoff", got)
	}
	want := []string{"Goal", "What we promised", "Who's who", "Completed steps", "Open items"}
	got := texts(t, tb, "h2")
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no %q section offline; the page has %s", w, quoted(got))
		}
	}
	if n := count(t, tb, "table tr"); n < 3 {
		t.Errorf("%d table rows: the completed steps and the people are missing", n)
	}
	// Its own CSS applies: the body is not in the browser's default serif.
	if font := eval[string](t, tb, "getComputedStyle(document.body).fontFamily"); font == "" || strings.EqualFold(font, "times new roman") || font == "serif" {
		t.Errorf("the page's own style did not apply (font %q)", font)
	}
	if reqs := tb.Requests(); len(reqs) != 1 || reqs[0] != page {
		t.Errorf("opening the handoff page requested %s; want the file alone", quoted(reqs))
	}
}
