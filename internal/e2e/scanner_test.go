package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/internal/deal"
)

// desktopUA is the User-Agent of an ordinary desktop Chromium, the one
// mail-security scanners (Safe Links, Mimecast, Proofpoint) also present:
// nothing in it says "headless" or "bot".
const desktopUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"

// desktopBrowser starts a chromium of the test's own that looks like a
// person's desktop browser: the desktop User-Agent on every request, beacon
// posts sent as a page goes away included, and navigator.webdriver false
// (--disable-blink-features=AutomationControlled), as in a browser nobody
// drives. The suite's browser sets navigator.webdriver and says
// HeadlessChrome, which the report rightly takes for a program; here the
// reader stands for a person and the scanner for a mail scanner that hides
// both, so neither may be caught by them.
func (s *suite) desktopBrowser(t *testing.T) context.Context {
	t.Helper()
	out := &lockedBuffer{}
	browser, stop, err := launch(chromiumPath(), t.TempDir(), out,
		chromedp.UserAgent(desktopUA),
		chromedp.Flag("disable-blink-features", "AutomationControlled"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return browser
}

// TestReaderAndScannerInTheReport lets Chromium play both people the report
// must tell apart, on the example deal, in one event log: the champion
// (Marcus) reads his room for a few seconds, follows the link to the pricing
// proposal and reads it; a mail-security scanner renders the economic
// buyer's (Priya's) link in the same kind of desktop browser and follows the
// pricing link at once, reading nothing. The report over the log must give
// Marcus one visit and pricing read, with its reading time; and Priya no
// visit, pricing never read, and the "decider never opened the room" alert,
// with the scanner's page-loads named as not counted.
func TestReaderAndScannerInTheReport(t *testing.T) {
	s := env(t)
	log := s.newLog(t)
	const readFor = 7 * time.Second // above the 5 s a page-load needs to count as a person's
	const pricing = `.documents a[data-mr-open="pricing"]`

	browser := s.desktopBrowser(t)
	// Both people at once, each in a window of its own; the group returns
	// when both are done.
	t.Run("people", func(t *testing.T) {
		t.Run("reader", func(t *testing.T) {
			t.Parallel()
			tb := s.openIn(t, browser, true, s.own())
			tb.navigate(t, s.link(t, acme, "marcus"))
			read(t, tb, readFor)
			tb.clickNavigate(t, pricing)
			if !strings.Contains(eval[string](t, tb, "document.title"), "Pricing") {
				t.Fatalf("the pricing link led to %q", eval[string](t, tb, "location.href"))
			}
			read(t, tb, readFor)
			tb.minimize(t)
			log.waitFor(t, "marcus's hide of the pricing page", func(evs []event.Event) bool {
				return hasKind(byPerson(evs, "marcus"), "pricing", event.KindHide)
			})
		})
		t.Run("scanner", func(t *testing.T) {
			t.Parallel()
			tb := s.openIn(t, browser, true, s.own())
			tb.navigate(t, s.link(t, acme, "priya"))
			// Straight to the link, as a scanner does: no waiting for the page
			// to settle, no input before the click.
			ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
			defer cancel()
			if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(pricing)))); err != nil {
				t.Fatalf("following the pricing link: %v", err)
			}
			time.Sleep(time.Second) // the scanner looks at the page for a second and goes
			tb.minimize(t)
			log.waitFor(t, "the scanner's open of pricing from priya's room", func(evs []event.Event) bool {
				mine := byPerson(evs, "priya")
				return hasKind(mine, "room", event.KindOpen) && hasKind(mine, "pricing", event.KindView)
			})
		})
	})
	if t.Failed() {
		return
	}

	evs := log.events(t)
	for _, e := range evs {
		if e.Webdriver || e.UA != "browser" { // the beacon keeps the class of the User-Agent
			t.Fatalf("event %s/%s %s: ua %q webdriver %v; the test needs both people in a desktop browser\n%s", e.Stakeholder, e.Page, e.Kind, e.UA, e.Webdriver, dumpEvents(evs))
		}
	}

	var deals []report.ReportDeal
	for _, b := range s.site.Bundles {
		deals = append(deals, report.ReportDeal{Deal: b.Deal, Plan: b.Plan})
	}
	loc := s.site.Config.Location
	now := time.Now().In(loc)
	// The report of a week later: without a manifest, the rooms' age
	// counts from the first page-load of any of the deal's links, and a
	// decider is "never opened" once the room is a week old.
	a := report.NewAggregator(deals, report.ReportOptions{
		Today:    deal.NewDate(now.Year(), now.Month(), now.Day()).AddDays(7),
		Location: loc,
		Deal:     acme,
	})
	if err := a.ReadLogs(context.Background(), []string{log.dir}); err != nil {
		t.Fatal(err)
	}
	r := a.Report()
	if len(r.Deals) != 1 {
		t.Fatalf("the report has %d deals, want %s alone", len(r.Deals), acme)
	}
	d := r.Deals[0]
	people := map[string]report.StakeholderReport{}
	for _, p := range d.Stakeholders {
		people[p.ID] = p
	}
	t.Logf("input: %+v\n%s", r.Input, dumpEvents(evs))

	marcus := people["marcus"]
	if marcus.Visits != 1 {
		t.Errorf("marcus read his room and the pricing proposal in one go: %d visits, want 1", marcus.Visits)
	}
	var read *report.OpenedDoc
	for i := range marcus.Opened {
		if marcus.Opened[i].ID == "pricing" {
			read = &marcus.Opened[i]
		}
	}
	switch {
	case read == nil:
		t.Errorf("marcus read pricing for %v; the report says he never did (opened %+v)", readFor, marcus.Opened)
	case read.Times != 1:
		t.Errorf("pricing read %d times by marcus, want once", read.Times)
	case read.ActiveSeconds < 5 || read.ActiveSeconds > int64(readFor/time.Second)+2:
		t.Errorf("marcus's reading time of pricing is %d s; he read it for about %v", read.ActiveSeconds, readFor)
	}

	priya := people["priya"]
	if priya.Visits != 0 || priya.Scanner+priya.Glances == 0 {
		t.Errorf("priya's link was only scanned: %d visits (want 0), %d scanner-like page-loads and %d glances (want some)", priya.Visits, priya.Scanner, priya.Glances)
	}
	for _, o := range priya.Opened {
		if o.ID == "pricing" {
			t.Errorf("the scanner's click marked pricing read by priya: %+v", o)
		}
	}
	var alert *report.Signal
	for i := range d.Signals {
		if d.Signals[i].Kind == report.SignalDeciderAbsent && strings.Contains(d.Signals[i].Summary, "Priya Raman") {
			alert = &d.Signals[i]
		}
	}
	if alert == nil {
		t.Fatalf("no %q alert for Priya Raman: a scanner cleared it; signals: %+v", report.SignalDeciderAbsent, d.Signals)
	}
	if ev := strings.Join(alert.Evidence, "; "); !strings.Contains(ev, "not counted") && !strings.Contains(ev, "active time") {
		t.Errorf("the alert's evidence does not name the page-loads it left out: %s", ev)
	}
}

// read is a person reading the page in front of them for about d: a mouse
// move, a scroll or a key press each second.
func read(t *testing.T, tb *tab, d time.Duration) {
	t.Helper()
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		tb.do(t, "reading", activity(i))
		time.Sleep(time.Until(start.Add(time.Duration(i+1) * time.Second)))
	}
}
