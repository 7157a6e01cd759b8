package e2e

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/internal/token"
)

// person is one stakeholder of the example deal as the tests expect to see
// them: written out from content/acme-data-platform/index.md, not computed
// by the generator, so that the tests check the generator.
type person struct {
	id, name, side, role string
	// steps are the titles under "Your next steps": the person's own
	// tasks that are not done.
	steps []string
	// docs are the collateral ids under "Documents for you", with the kind
	// of link: "open" (a page) or "dl" (a file).
	docs map[string]string
	// hidden are collateral ids the person must not see, anywhere in the
	// room.
	hidden []string
	// open and dl are the collateral the test follows; pageTitle is the
	// title of open's page; dlSize is the size of dl's file.
	open, pageTitle, dl string
	dlSize              int
	// rightCell selects a cell of open's page that the Markdown source
	// right-aligns (a |---:| column of figures).
	rightCell string
}

// jordan, the technical evaluator, sees the proof-of-concept plan and the
// security whitepaper but not the pricing; priya, the economic buyer, sees
// the pricing but neither of those.
var (
	jordan = person{
		id: "jordan", name: "Jordan Park", side: "buyer", role: "technical-evaluator",
		steps:  []string{"Anonymised sample datasets delivered", "Evaluation report issued"},
		docs:   map[string]string{"poc-plan": "open", "security-whitepaper": "dl", "case-study": "open"},
		hidden: []string{"pricing"},
		open:   "poc-plan", pageTitle: "Proof-of-concept plan",
		dl: "security-whitepaper", dlSize: fileSize("security-whitepaper.pdf"),
		rightCell: "main table tbody tr td:nth-child(2)", // Rows (approx.): 41 million
	}
	priya = person{
		id: "priya", name: "Priya Raman", side: "buyer", role: "economic-buyer",
		steps:  []string{"Pricing proposal reviewed with finance", "Order form signed"},
		docs:   map[string]string{"pricing": "open", "case-study": "open"},
		hidden: []string{"poc-plan", "security-whitepaper"},
		open:   "pricing", pageTitle: "Pricing proposal",
		rightCell: "main table tbody tr td:nth-child(3)", // Annual price (USD): 210,000
	}
	marcus = person{id: "marcus", name: "Marcus Chen", side: "buyer", role: "champion"}
)

func fileSize(name string) int {
	fi, err := os.Stat(filepath.Join("..", "..", "content", acme, name))
	if err != nil {
		return -1
	}
	return int(fi.Size())
}

// roomToken returns the token of a person's room link.
func (s *suite) roomToken(t *testing.T, who string) string {
	t.Helper()
	l, ok := s.links[acme+"/"+who]
	if !ok {
		t.Fatalf("no room for %s/%s", acme, who)
	}
	return strings.TrimSuffix(strings.TrimPrefix(l.Path, "r/"), "/")
}

// TestRoomShowsOwnStepsAndOnlyScopedDocuments opens the rooms of two
// stakeholders of one deal with different audiences and checks, in the
// rendered DOM, that each shows the person's own next steps and exactly the
// collateral scoped to them (pricing for priya, not for jordan); then it
// follows a file link and a page link and checks that the beacon logged a
// dl and an open event for that person, and a view from the collateral
// page.
func TestRoomShowsOwnStepsAndOnlyScopedDocuments(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	downloads := t.TempDir()
	for _, p := range []person{jordan, priya} {
		t.Run(p.id, func(t *testing.T) {
			t.Parallel()
			tb := s.newWindow(t)
			room := s.link(t, acme, p.id)
			tb.navigate(t, room)

			if got := eval[string](t, tb, `document.querySelector('.who').textContent`); !strings.Contains(got, p.name) {
				t.Errorf("the room says %q, want the room of %s", got, p.name)
			}
			if got := texts(t, tb, ".next h2"); !sameSet(got, []string{"Your next steps"}) {
				t.Errorf("headings of the next steps: %s", quoted(got))
			}
			if got := texts(t, tb, ".next .step-title"); !sameSet(got, p.steps) {
				t.Errorf("%s's next steps are %s, want %s", p.id, quoted(got), quoted(p.steps))
			}

			// The documents list: exactly the person's collateral, each with
			// the link kind the room script reports.
			got := eval[map[string]string](t, tb, `Object.fromEntries(Array.from(
				document.querySelectorAll('.documents a[data-mr-open], .documents a[data-mr-dl]'),
				a => a.dataset.mrOpen ? [a.dataset.mrOpen, 'open'] : [a.dataset.mrDl, 'dl']))`)
			if fmt.Sprint(got) != fmt.Sprint(p.docs) {
				t.Errorf("%s's documents are %v, want %v", p.id, got, p.docs)
			}
			// Nothing scoped away is linked from anywhere in the room (the
			// plan's task rows link collateral too), nor served under it.
			links := eval[[]string](t, tb, `Array.from(document.querySelectorAll('a[href]'), a => a.href)`)
			for _, h := range p.hidden {
				if n := count(t, tb, fmt.Sprintf(`[data-mr-open=%q], [data-mr-dl=%q]`, h, h)); n != 0 {
					t.Errorf("%s's room has %d links marked as the %s collateral", p.id, n, h)
				}
				for _, l := range links {
					if strings.Contains(l, "/"+h+"/") || strings.Contains(l, "/"+h+".") {
						t.Errorf("%s's room links %s, which is scoped away from them", p.id, l)
					}
				}
				if code := httpStatus(t, room+h+"/"); code != http.StatusNotFound {
					t.Errorf("GET %s%s/ in %s's room: %d, want 404", room, h, p.id, code)
				}
			}
			if p.id == "jordan" && count(t, tb, `[data-mr-open="pricing"]`) != 0 {
				t.Error("jordan's room links the pricing proposal")
			}
			if p.id == "priya" && count(t, tb, `.documents a[data-mr-open="pricing"]`) != 1 {
				t.Error("priya's room does not list the pricing proposal")
			}

			// Follow a file link (a download) and a page link.
			if p.dl != "" {
				s.allowDownloads(t, tb, downloads)
				n := tb.clickDownload(t, fmt.Sprintf(`.documents a[data-mr-dl=%q]`, p.dl))
				if n != p.dlSize {
					t.Errorf("downloaded %d bytes of %s, want %d", n, p.dl, p.dlSize)
				}
			}
			tb.clickNavigate(t, fmt.Sprintf(`.documents a[data-mr-open=%q]`, p.open))
			if loc := eval[string](t, tb, "location.href"); loc != room+p.open+"/" {
				t.Errorf("the %s link led to %s, want %s%s/", p.open, loc, room, p.open)
			}
			s.checkCollateralPage(t, tb, p)

			// The log: the room's page-load has view, (dl,) open, hide; the
			// collateral page's has a view of that page.
			evs := log.waitFor(t, p.id+"'s room events and the collateral page's view", func(evs []event.Event) bool {
				mine := byPerson(evs, p.id)
				return hasKind(mine, "room", event.KindOpen) && hasKind(mine, "room", event.KindHide) &&
					(p.dl == "" || hasKind(mine, "room", event.KindDL)) && hasKind(mine, p.open, event.KindView)
			})
			mine := byPerson(evs, p.id)
			s.checkAttribution(t, mine, p)
			loads := byLoad(mine)
			if len(loads) != 2 {
				t.Fatalf("%d page-loads for %s, want 2 (the room, then the %s page):\n%s", len(loads), p.id, p.open, dumpEvents(mine))
			}
			var roomLoad, pageLoad []event.Event
			for _, l := range loads {
				if l[0].Page == "room" {
					roomLoad = l
				} else {
					pageLoad = l
				}
			}
			want := []string{"view", "open:" + p.open, "hide"}
			if p.dl != "" {
				want = []string{"view", "dl:" + p.dl, "open:" + p.open, "hide"}
			}
			if got := kinds(roomLoad); !sameSeq(got, want) {
				t.Errorf("the room's events are %v, want %v:\n%s", got, want, dumpEvents(roomLoad))
			}
			if len(pageLoad) == 0 || pageLoad[0].Page != p.open || pageLoad[0].Kind != event.KindView {
				t.Errorf("the %s page's first event is not its view:\n%s", p.open, dumpEvents(pageLoad))
			}
			t.Logf("%s: events\n%s", p.id, dumpEvents(mine))
		})
	}
}

// TestActiveTimeMatchesActivity uses two rooms for some time, each in its
// own window, with real input events, then hides them by minimizing the
// window. The log must hold view, hb and hide events attributed to the
// right person, whose active time adds up to within a second of the time
// the test was active (from its first input to the hide), and whose
// visible time adds up to the time the page was shown. The clock is the
// real one here: a heartbeat comes 15 s after the page shows, so the test
// takes about 18 s (the two rooms run in parallel).
func TestActiveTimeMatchesActivity(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	for _, p := range []person{jordan, priya} {
		t.Run(p.id, func(t *testing.T) {
			t.Parallel()
			tb := s.newWindow(t)
			tb.navigate(t, s.link(t, acme, p.id))
			shown := time.Now() // the script showed the page just before the load event
			log.waitFor(t, p.id+"'s view", func(evs []event.Event) bool { return hasKind(byPerson(evs, p.id), "room", event.KindView) })

			time.Sleep(1500 * time.Millisecond) // visible, not active: nothing done yet
			first := time.Now()
			for i := 0; time.Since(first) < 15*time.Second; i++ {
				tb.do(t, "acting in the page", activity(i))
				time.Sleep(time.Until(first.Add(time.Duration(i+1) * time.Second)))
			}
			time.Sleep(time.Second) // the last action counts for up to 60 s
			hideAt := time.Now()
			tb.minimize(t)
			hidden := time.Now()

			load := s.onlyLoadAfterHide(t, log, p, p.id+"'s hide")
			got := kinds(load)
			if !sameSeq(got, []string{"view", "hb", "hide"}) {
				t.Errorf("events %v, want view, one heartbeat (15 s after the view) and hide:\n%s", got, dumpEvents(load))
			}
			if load[0].ActiveMS != 0 {
				t.Errorf("the view carries %d ms of active time, want 0: nothing was done before it", load[0].ActiveMS)
			}
			active, visible := sums(load)
			// The hide happened between the minimize command and the moment
			// the test saw the page hidden; take the middle.
			end := hideAt.Add(hidden.Sub(hideAt) / 2)
			wantActive := end.Sub(first).Milliseconds()
			wantVisible := end.Sub(shown).Milliseconds()
			t.Logf("%s: active %d ms (test active %d ms), visible %d ms (test showed %d ms); hide seen %v after the minimize\n%s",
				p.id, active, wantActive, visible, wantVisible, hidden.Sub(hideAt).Round(time.Millisecond), dumpEvents(load))
			if d := math.Abs(float64(active - wantActive)); d > 1000 {
				t.Errorf("active time %d ms, the test was active %d ms: off by %.0f ms, more than a second", active, wantActive, d)
			}
			if d := math.Abs(float64(visible - wantVisible)); d > 1000 {
				t.Errorf("visible time %d ms, the page was shown %d ms: off by %.0f ms, more than a second", visible, wantVisible, d)
			}
		})
	}
}

// TestIdlePageStopsCountingAfterAMinute leaves a room visible with no
// activity: after one input event the page's clock runs 150 s ahead on
// Chromium's virtual time (Emulation.setVirtualTimePolicy, which drives
// the page's performance.now, Date.now and timers, so the 15 s heartbeats
// fire as in real time, in a fraction of a second). Active time must stop
// at 60 s after the last action while visible time goes on; then a tab
// switch hides the page.
func TestIdlePageStopsCountingAfterAMinute(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	p := marcus
	tb := s.newTab(t)
	tb.navigate(t, s.link(t, acme, p.id))
	log.waitFor(t, "the view", func(evs []event.Event) bool { return hasKind(byPerson(evs, p.id), "room", event.KindView) })

	tb.do(t, "acting in the page", activity(0))
	const idle = 150_000.0
	start := eval[float64](t, tb, "performance.now()")
	tb.advanceVirtualTime(t, idle)
	if ran := eval[float64](t, tb, "performance.now()") - start; ran < idle {
		t.Fatalf("the page's clock ran %.0f ms, want %.0f: virtual time does not drive performance.now()", ran, idle)
	}
	s.switchAway(t, tb)

	load := s.onlyLoadAfterHide(t, log, p, "the hide")
	t.Logf("events after one action and %.0f s idle:\n%s", idle/1000, dumpEvents(load))
	active, visible := sums(load)
	if d := math.Abs(float64(active - 60_000)); d > 1000 {
		t.Errorf("active time %d ms after one action and %.0f s idle, want 60000 ms (±1 s)", active, idle/1000)
	}
	if visible < int64(idle) || visible > int64(idle)+5000 {
		t.Errorf("visible time %d ms, want the %.0f s the page stayed visible (+5 s)", visible, idle/1000)
	}
	hbs, idleHBs := 0, 0
	for _, e := range load {
		if e.Kind == event.KindHB {
			hbs++
			if e.ActiveMS == 0 && e.VisibleMS >= 14_000 {
				idleHBs++
			}
		}
	}
	// 150 s is ten heartbeats; the first four fall inside the minute after
	// the action, the fifth straddles it, the rest carry visible time only.
	if hbs < 9 || idleHBs < 5 {
		t.Errorf("%d heartbeats, %d of them visible but not active; want at least 9 and 5", hbs, idleHBs)
	}
	if got := kinds(load); got[0] != "view" || got[len(got)-1] != "hide" {
		t.Errorf("events %v, want view first and hide last", got)
	}
}

// checkCollateralPage checks the page of collateral p.open as its reader
// sees it: one title, and the Markdown's table alignment kept in spite of
// the CSP (style-src 'self' blocks inline style attributes).
func (s *suite) checkCollateralPage(t *testing.T, tb *tab, p person) {
	t.Helper()
	if h1 := texts(t, tb, "h1"); !sameSeq(h1, []string{p.pageTitle}) {
		t.Errorf("the %s page has the headings <h1> %s, want one: %q (the layout's title, then the document's own # heading)",
			p.open, quoted(h1), p.pageTitle)
	}
	if n := count(t, tb, "main [style]"); n != 0 {
		t.Errorf("the %s page has %d elements with a style attribute, which its CSP (style-src 'self') blocks", p.open, n)
	}
	align := eval[string](t, tb, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).textAlign`, p.rightCell))
	if !strings.HasSuffix(align, "right") { // right, or -webkit-right for an align attribute
		t.Errorf("the %s page's cell %s is aligned %s, want right (the Markdown table says ---:)", p.open, p.rightCell, align)
	}
}

// onlyLoadAfterHide waits until p's room has sent a hide (what names the
// wait), checks the attribution of p's events, and returns them: one
// page-load, or the test fails.
func (s *suite) onlyLoadAfterHide(t *testing.T, log *eventLog, p person, what string) []event.Event {
	t.Helper()
	evs := log.waitFor(t, what, func(evs []event.Event) bool { return hasKind(byPerson(evs, p.id), "room", event.KindHide) })
	mine := byPerson(evs, p.id)
	s.checkAttribution(t, mine, p)
	loads := byLoad(mine)
	if len(loads) != 1 {
		t.Fatalf("%d page-loads, want 1:\n%s", len(loads), dumpEvents(mine))
	}
	return loads[0]
}

// checkAttribution checks that every event is the person's, resolved by
// the beacon from their room token.
func (s *suite) checkAttribution(t *testing.T, evs []event.Event, p person) {
	t.Helper()
	key := token.Key(s.roomToken(t, p.id))
	for _, e := range evs {
		if e.Deal != acme || e.Stakeholder != p.id || e.Side != p.side || e.Role != p.role || e.Room != key || e.Retired {
			t.Errorf("event attributed to %s/%s (%s, %s, room %.12s, retired %v), want %s/%s (%s, %s, room %.12s)",
				e.Deal, e.Stakeholder, e.Side, e.Role, e.Room, e.Retired, acme, p.id, p.side, p.role, key)
		}
		// navigator.webdriver is true in a driven browser: the raw signal
		// must reach the log for the report to weigh.
		if !e.Webdriver {
			t.Errorf("event %s seq %d: webdriver false, want the page's navigator.webdriver (true)", e.Kind, e.Seq)
		}
		if e.Kind.Collateral() != (e.Collateral != "") {
			t.Errorf("event %s names collateral %q", e.Kind, e.Collateral)
		}
	}
}

// byPerson returns the events of a stakeholder of the example deal.
func byPerson(evs []event.Event, who string) []event.Event {
	var out []event.Event
	for _, e := range evs {
		if e.Deal == acme && e.Stakeholder == who {
			out = append(out, e)
		}
	}
	return out
}

// byLoad groups events by page-load, each in sequence order, the loads in
// the order of their first event.
func byLoad(evs []event.Event) [][]event.Event {
	idx := map[string]int{}
	var out [][]event.Event
	for _, e := range evs {
		i, ok := idx[e.Load]
		if !ok {
			i = len(out)
			idx[e.Load] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], e)
	}
	for _, l := range out {
		sort.Slice(l, func(a, b int) bool { return l[a].Seq < l[b].Seq })
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a][0].Time.Before(out[b][0].Time) })
	return out
}

func hasKind(evs []event.Event, page string, k event.Kind) bool {
	for _, e := range evs {
		if e.Page == page && e.Kind == k {
			return true
		}
	}
	return false
}

// kinds lists the events' kinds, with the collateral of open and dl.
func kinds(evs []event.Event) []string {
	var out []string
	for _, e := range evs {
		k := string(e.Kind)
		if e.Collateral != "" {
			k += ":" + e.Collateral
		}
		out = append(out, k)
	}
	return out
}

func sameSeq(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// sums adds up a page-load's active and visible milliseconds.
func sums(evs []event.Event) (active, visible int64) {
	for _, e := range evs {
		active += e.ActiveMS
		visible += e.VisibleMS
	}
	return active, visible
}

// httpStatus fetches url and returns the status code.
func httpStatus(t *testing.T, url string) int {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
