// Package e2e holds maproom's end-to-end tests: they build the example site
// (content/, with a fixed secret and date, the beacon on the site's own
// origin at /note), serve it with net/http's FileServer and the beacon's
// handler at /note and /healthz on 127.0.0.1, and drive Debian's headless
// chromium with chromedp to check what a buyer's browser shows and sends.
// One test, TestReplyLoop, runs the real program instead: it builds
// cmd/maproom with the go command, runs `maproom serve` on a copy of the
// example site in a git repository, replies from the rooms, and accepts a
// reply with `maproom accept`. It skips without the git binary. The
// package has no code outside its tests. Run it with
//
//	go test ./internal/e2e/
//
// # Environment
//
//   - MAPROOM_CHROMIUM: the browser to drive (default /usr/bin/chromium,
//     from `apt-get install -y chromium`). The tests skip when it is
//     missing, unless MAPROOM_E2E_REQUIRE is set.
//   - MAPROOM_AXE: axe.min.js of axe-core (default
//     node_modules/axe-core/axe.min.js beside this file, installed by
//     `npm ci --prefix internal/e2e` from package-lock.json). The
//     accessibility test skips without it, unless MAPROOM_E2E_REQUIRE is set.
//   - MAPROOM_E2E_REQUIRE: any non-empty value turns those skips into
//     failures, so that CI cannot go green without the browser or axe-core.
//   - MAPROOM_SCREENSHOTS: where the screenshot test writes its PNG files
//     (default: a new folder under the system's temporary folder, kept and
//     named in the test log).
//
// # How the browser is driven (what works in Chromium 156, headless)
//
//   - Hiding a page: open another tab in the page's window and bring it to
//     the front (Target.createTarget with newWindow false), or minimize the
//     page's window (Browser.setWindowBounds). Both fire visibilitychange
//     to hidden. Page.setWebLifecycleState does not, and neither does a new
//     tab in another window. Emulation.setFocusEmulationEnabled must stay
//     off: it pins the page visible and focused. Every headless window's
//     front tab reports document.hasFocus() true without it, so tests in
//     separate windows can run at once.
//   - Activity: real input events through the Input domain
//     (Input.dispatchMouseEvent mouseMoved and mouseWheel,
//     Input.dispatchKeyEvent), which the page sees as trusted events.
//   - A long idle period: Chromium's virtual time
//     (Emulation.setVirtualTimePolicy, policy advance with a budget) drives
//     the page's performance.now(), Date.now() and timers alike, so 150 s of
//     heartbeats pass in well under a second. No script overrides the
//     clock.
//   - No JavaScript: Emulation.setScriptExecutionDisabled before loading.
//   - Requests: every tab records Network.requestWillBeSent and checks,
//     when its test ends, that each URL is on its origin (the suite's
//     server, or the test's `maproom serve`). The
//     browser reports no answer for a post sent as a page goes away, so a
//     tab that closes waits until the beacon's counters have seen every
//     post the browser sent.
//   - axe-core is injected with Runtime.evaluate: the pages' CSP
//     (script-src 'self') refuses an inline script, but evaluation through
//     DevTools is not subject to it.
package e2e
