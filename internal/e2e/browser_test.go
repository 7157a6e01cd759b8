package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// How the tests act on the browser, each wait bounded.

// visibilityWait bounds the wait for a page to turn hidden or visible.
const visibilityWait = 5 * time.Second

// targetID is the DevTools id of the tab.
func (tb *tab) targetID() target.ID { return chromedp.FromContext(tb.ctx).Target.TargetID }

// navigate loads url in the tab and waits for its load event.
func (tb *tab) navigate(t *testing.T, url string) {
	t.Helper()
	tb.do(t, "loading "+url, chromedp.Navigate(url))
}

// waitVisibility polls document.visibilityState until it is state.
func (tb *tab) waitVisibility(t *testing.T, state string) {
	t.Helper()
	deadline := time.Now().Add(visibilityWait)
	for {
		got := eval[string](t, tb, "document.visibilityState")
		if got == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page is still %s after %v, want %s", got, visibilityWait, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// minimize minimizes the tab's window, which hides the page
// (visibilitychange to hidden, as when a person minimizes the browser).
func (tb *tab) minimize(t *testing.T) {
	t.Helper()
	w, err := chromedp.CallBrowser(tb.ctx, browser.GetWindowForTarget, browser.GetWindowForTargetParams{TargetID: tb.targetID()})
	if err != nil {
		t.Fatalf("finding the tab's window: %v", err)
	}
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetWindowBounds, browser.SetWindowBoundsParams{
		WindowID: w.WindowID, Bounds: &browser.Bounds{WindowState: browser.WindowStateMinimized},
	}); err != nil {
		t.Fatalf("minimizing the window: %v", err)
	}
	tb.waitVisibility(t, "hidden")
}

// switchAway opens another tab in front of tb, in tb's window, as a person
// switching tabs does: tb turns hidden. Chromium puts a new tab in the
// window that was active last, so tb is brought to the front first.
func (s *suite) switchAway(t *testing.T, tb *tab) *tab {
	t.Helper()
	if _, err := chromedp.CallBrowser(tb.ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: tb.targetID()}); err != nil {
		t.Fatalf("bringing the tab to the front: %v", err)
	}
	cover := s.newTab(t)
	tb.waitVisibility(t, "hidden")
	return cover
}

// activity is what the tests do in a page to count as a person using it:
// real input events through the DevTools Input domain, which the page sees
// as trusted pointermove, wheel (and scroll) and keydown events.
func activity(step int) chromedp.Action[chromedp.Void] {
	switch step % 3 {
	case 0:
		return chromedp.MouseEvent(chromedp.MouseMoved, float64(200+7*(step%40)), float64(300+5*(step%20)))
	case 1:
		// Sent raw: the typed parameters drop a zero deltaX, which
		// mouseWheel requires.
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			return tg.Call(ctx, input.CommandDispatchMouseEvent, map[string]any{
				"type": input.DispatchMouseEventTypeMouseWheel, "x": 400, "y": 400, "deltaX": 0, "deltaY": 120,
			}, nil)
		})
	default:
		return chromedp.KeyEvent(kb.ArrowDown)
	}
}

// advanceVirtualTime lets the page's virtual clock run ms milliseconds
// ahead, as fast as the page can go, and waits until it has. Chromium's
// virtual time (Emulation.setVirtualTimePolicy) drives the page's
// performance.now(), Date.now() and timers alike, so the room script's
// 15-second heartbeats fire as they would in real time. Afterwards the
// page's clock is paused: only another budget moves it.
func (tb *tab) advanceVirtualTime(t *testing.T, ms float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	expired := chromedp.Events(ctx, emulation.VirtualTimeBudgetExpired)
	if _, err := chromedp.Call(ctx, emulation.SetVirtualTimePolicy, emulation.SetVirtualTimePolicyParams{
		Policy: emulation.VirtualTimePolicyAdvance, Budget: &ms,
	}); err != nil {
		t.Fatalf("starting virtual time: %v", err)
	}
	for _, err := range expired {
		if err != nil {
			t.Fatalf("waiting for %v ms of virtual time: %v", ms, err)
		}
		return
	}
}

// disableScripts turns JavaScript off in the tab for the documents it
// loads next.
func (tb *tab) disableScripts(t *testing.T) {
	t.Helper()
	if _, err := chromedp.Call(tb.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disabling JavaScript: %v", err)
	}
}

// allowDownloads saves the browser's downloads in dir and reports them.
func (s *suite) allowDownloads(t *testing.T, tb *tab, dir string) {
	t.Helper()
	if _, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("allowing downloads: %v", err)
	}
}

// clickDownload clicks a link that downloads a file and waits until the
// download completed; it returns the downloaded size.
func (tb *tab) clickDownload(t *testing.T, sel string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	tb.do(t, "clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download of %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			return int(ev.ReceivedBytes)
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("the download of %s was canceled", sel)
		}
	}
	t.Fatalf("the download of %s did not complete", sel)
	return 0
}

// clickNavigate clicks a link and waits for the page it leads to.
//
// The click is aimed only once the link has stopped moving (a scroll
// may still be settling), since a click lands at a point on the screen.
// On a loaded machine the load event can come late or be missed between
// the click and the listener; the step then still passes if the tab did
// arrive at the link's address and finished loading it.
func (tb *tab) clickNavigate(t *testing.T, sel string) {
	t.Helper()
	want := eval[string](t, tb, fmt.Sprintf(`document.querySelector(%q).href`, sel))
	tb.waitStill(t, sel)
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		at := eval[string](t, tb, `location.href + " " + document.readyState`)
		if at != want+" complete" {
			t.Fatalf("following %s: %v (the tab is at %s, want %s)", sel, err, at, want)
		}
		t.Logf("following %s: the load event was missed (%v), but the tab is at %s", sel, err, at)
	}
}

// waitStill scrolls the element sel into view and waits, up to 10 s,
// until its place on the screen is the same in two reads 100 ms apart.
func (tb *tab) waitStill(t *testing.T, sel string) {
	t.Helper()
	where := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center", behavior: "instant"}); const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(","); })()`, sel)
	last := eval[string](t, tb, where)
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		now := eval[string](t, tb, where)
		if now == last {
			return
		}
		last = now
	}
	t.Fatalf("%s kept moving for 10 s (last at %s)", sel, last)
}

// texts returns the trimmed text of every element that matches sel.
func texts(t *testing.T, tb *tab, sel string) []string {
	t.Helper()
	return eval[[]string](t, tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent.trim().replace(/\s+/g, ' '))`, sel))
}

// count returns how many elements match sel.
func count(t *testing.T, tb *tab, sel string) int {
	t.Helper()
	return eval[int](t, tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// sameSet reports whether got and want hold the same strings.
func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	m := map[string]int{}
	for _, s := range want {
		m[s]++
	}
	for _, s := range got {
		if m[s] == 0 {
			return false
		}
		m[s]--
	}
	return true
}

func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
