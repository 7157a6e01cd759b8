package generator

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/token"
)

const acme = "acme-data-platform"

// buildWith builds root with opts' Root, Out, StateDir, Secret and Today
// filled in.
func buildWith(t *testing.T, root string, opts Options) (*Result, string) {
	t.Helper()
	opts.Root = root
	opts.Out = filepath.Join(t.TempDir(), "public")
	opts.StateDir = filepath.Join(t.TempDir(), "state")
	opts.Secret = testSecret
	opts.Today = deal.NewDate(2026, 11, 22)
	res, err := Build(context.Background(), opts)
	if err != nil {
		if res != nil {
			for _, p := range res.Problems {
				t.Log(p)
			}
		}
		t.Fatal(err)
	}
	return res, opts.Out
}

// roomHTML reads the room page of stakeholder s of deal d.
func roomHTML(t *testing.T, res *Result, out, d, s string) string {
	t.Helper()
	for _, b := range res.Site.Bundles {
		if b.Deal.ID != d {
			continue
		}
		st, ok := b.Deal.Stakeholder(s)
		if !ok {
			t.Fatalf("no stakeholder %s in %s", s, d)
		}
		data, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, d, s, st.Rotate), "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	t.Fatalf("no deal %s", d)
	return ""
}

var formIDRe = regexp.MustCompile(`<form [^>]*id="(r[ms]?-[^"]+|rq|rs)"`)

// formIDs lists the ids of a page's reply forms.
func formIDs(page string) []string {
	var ids []string
	for _, m := range formIDRe.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestReplyFormsFollowOwnership checks, for every room of the example
// site, that the reply forms are exactly those its person may use: on each
// open task they own and each milestone they lead, the question and the
// suggestion on the plan; none in a seller's preview room or a closed
// deal's rooms. Each form carries the room's token and, on a task or a
// milestone, the target's state as reply.Seen writes it.
func TestReplyFormsFollowOwnership(t *testing.T) {
	root := exampleSite(t)
	res, out := buildWith(t, root, Options{})
	rooms := 0
	for _, b := range res.Site.Bundles {
		d := b.Deal
		for i := range d.Stakeholders {
			s := &d.Stakeholders[i]
			page := roomHTML(t, res, out, d.ID, s.ID)
			var want []string
			if s.Side == deal.Buyer && !d.Ended() {
				for _, tk := range d.Tasks() {
					if tk.Owner == s.ID && tk.Status != deal.Done {
						want = append(want, "r-"+tk.ID)
					}
				}
				for _, m := range d.Milestones {
					reached := len(m.Tasks) > 0 && !slices.ContainsFunc(m.Tasks, func(t deal.Task) bool { return t.Status != deal.Done })
					if m.Lead == s.ID && !reached { // a decision reached has no date left to agree
						want = append(want, "rm-"+m.ID)
					}
				}
				want = append(want, "rq", "rs")
			}
			got := formIDs(page)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: reply forms %v, want %v", d.ID, s.ID, got, want)
			}
			if len(want) == 0 {
				if strings.Contains(page, "data-mr-reply") || strings.Contains(page, `id="sent"`) {
					t.Errorf("%s/%s: a room that may not reply has reply forms or a confirmation", d.ID, s.ID)
				}
				continue
			}
			rooms++
			tok := token.Room(testSecret, d.ID, s.ID, s.Rotate)
			if n, f := strings.Count(page, `name="t" value="`+tok+`"`), len(want); n != f {
				t.Errorf("%s/%s: %d forms carry the room's token, want %d", d.ID, s.ID, n, f)
			}
			for _, tk := range d.Tasks() {
				if tk.Owner == s.ID && tk.Status != deal.Done {
					if !strings.Contains(page, `name="target" value="`+tk.ID+`"><input type="hidden" name="target_kind" value="task"><input type="hidden" name="seen" value="`+reply.Seen(tk)+`"`) {
						t.Errorf("%s/%s: the form on task %s lacks its target or seen %q", d.ID, s.ID, tk.ID, reply.Seen(tk))
					}
				}
				// The question form offers every task of the plan.
				if !strings.Contains(page, `<option value="`+tk.ID+`">`) {
					t.Errorf("%s/%s: no question about task %s", d.ID, s.ID, tk.ID)
				}
			}
			if !strings.Contains(page, `action="http://127.0.0.1:8787/reply"`) {
				t.Errorf("%s/%s: the forms do not post to the beacon's /reply", d.ID, s.ID)
			}
			if !strings.Contains(page, "Replies go to "+repliesTo(d)+"; the plan changes when they accept it.") {
				t.Errorf("%s/%s: no statement of what a reply does", d.ID, s.ID)
			}
		}
	}
	if rooms < 10 {
		t.Fatalf("only %d rooms with reply forms", rooms)
	}
	jordan := roomHTML(t, res, out, acme, "jordan")
	for _, id := range []string{"r-sample-data", "r-evaluation-report", "rm-tech-eval"} {
		if !slices.Contains(formIDs(jordan), id) {
			t.Errorf("jordan's room has no form %s", id)
		}
	}
	if !strings.Contains(jordan, "Sent to Sam Lee. The plan changes when they accept it;") {
		t.Error("jordan's room has no confirmation naming Sam Lee, the account executive")
	}

	// Without a beacon, nothing posts anywhere.
	none := ""
	res, out = buildWith(t, root, Options{Beacon: &none})
	page := roomHTML(t, res, out, acme, "jordan")
	if ids := formIDs(page); len(ids) > 0 || !strings.Contains(page, "form-action 'none'") {
		t.Errorf("without a beacon: forms %v; CSP form-action 'none': %v", ids, strings.Contains(page, "form-action 'none'"))
	}
}

// TestContentSecurityPolicyForms: form posts go to the beacon's origin
// (and back to the rooms' own, for the redirect that answers them), and
// nowhere without a beacon.
func TestContentSecurityPolicyForms(t *testing.T) {
	for _, tc := range []struct{ beacon, want string }{
		{"", "form-action 'none'"},
		{"/note", "form-action 'self'"},
		{"https://beacon.example.com/note", "form-action https://beacon.example.com 'self'"},
		{"http://127.0.0.1:8787", "form-action http://127.0.0.1:8787 'self'"},
	} {
		if got := contentSecurityPolicy(tc.beacon); !strings.HasSuffix(got, tc.want) {
			t.Errorf("beacon %q: CSP %q, want it to end in %q", tc.beacon, got, tc.want)
		}
		h := headersFile(tc.beacon)
		if !strings.Contains(h, tc.want+"; frame-ancestors 'none'") {
			t.Errorf("beacon %q: _headers\n%s\nwant %q", tc.beacon, h, tc.want)
		}
	}
	for beacon, want := range map[string]string{"": "", "/note": "/reply", "https://b.example/note": "https://b.example/reply", "https://b.example/": "https://b.example/reply", "https://b.example/x/note": "https://b.example/x/reply"} {
		if got := replyAction(beacon); got != want {
			t.Errorf("replyAction(%q) = %q, want %q", beacon, got, want)
		}
	}
}

// TestManifestReplyTargets: the manifest records the rooms' base URL and,
// per current buyer room of an open deal, what its person may reply to;
// seller preview rooms, retired tokens and closed deals' rooms nothing.
func TestManifestReplyTargets(t *testing.T) {
	root := exampleSite(t)
	res, _ := buildWith(t, root, Options{})
	m := res.Manifest
	if m.Site != "https://rooms.northwind.example" {
		t.Errorf("manifest site %q, want maproom.toml's base_url", m.Site)
	}
	deals := map[string]*deal.Deal{}
	for _, b := range res.Site.Bundles {
		deals[b.Deal.ID] = b.Deal
	}
	withTargets := 0
	for _, r := range m.Rooms {
		d := deals[r.Deal]
		want := r.Side == manifest.SideBuyer && !r.Retired && !d.Ended()
		if (r.Replies != nil) != want {
			t.Errorf("%s/%s rotation %d (side %s, retired %v, outcome %s): replies %+v, want targets %v", r.Deal, r.Stakeholder, r.Rotation, r.Side, r.Retired, d.Outcome, r.Replies, want)
			continue
		}
		if want {
			withTargets++
			if got, exp := *r.Replies, reply.TargetsFor(d, r.Stakeholder); !slices.Equal(got.Own, exp.Own) || !slices.Equal(got.Lead, exp.Lead) || !slices.Equal(got.See, exp.See) {
				t.Errorf("%s/%s: targets %+v, want %+v", r.Deal, r.Stakeholder, got, exp)
			}
		}
		if r.Deal == acme && r.Stakeholder == "jordan" {
			if !slices.Equal(r.Replies.Own, []string{"sample-data", "evaluation-report"}) || !slices.Equal(r.Replies.Lead, []string{"tech-eval"}) {
				t.Errorf("jordan's targets %+v", r.Replies)
			}
		}
	}
	if withTargets < 10 {
		t.Errorf("only %d rooms may reply", withTargets)
	}

	// The preview's own address when serve sets it.
	res, _ = buildWith(t, root, Options{Site: "http://127.0.0.1:1313/"})
	if res.Manifest.Site != "http://127.0.0.1:1313" {
		t.Errorf("manifest site %q, want the preview's address", res.Manifest.Site)
	}
}

// acmeRecords writes reply records into the acme bundle of the site at
// root: Jordan's accepted new date for a task, his accepted done with a
// link, a question answered, a done whose "link" is a script, and Priya's
// declined block.
func acmeRecords(t *testing.T, root string) {
	t.Helper()
	dir := filepath.Join(root, ContentDir, acme)
	at := func(day int) time.Time { return time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC) }
	recs := []reply.Record{
		{Reply: reply.Reply{ID: "aaaaaaaaa2", Time: at(12), Deal: acme, Stakeholder: "jordan", Kind: reply.Propose, Target: "sample-data", TargetKind: "task", Date: "2026-11-24", Reason: "InfoSec queue", Seen: "due=2026-11-10;status=in-progress"},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(13), By: "Sam Lee"}}},
		{Reply: reply.Reply{ID: "aaaaaaaaa3", Time: at(14), Deal: acme, Stakeholder: "jordan", Kind: reply.Question, TargetKind: "plan", Text: "Can Snowflake <b>stay</b> our warehouse?"},
			Decisions: []reply.Decision{{State: reply.Answered, Time: at(15), By: "Sam Lee", Answer: "Yes: the connector ships in 4.2"}}},
		{Reply: reply.Reply{ID: "aaaaaaaaa4", Time: at(16), Deal: acme, Stakeholder: "jordan", Kind: reply.Confirm, Target: "tech-eval", TargetKind: "milestone", Seen: "due=2026-12-04"},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(17), By: "Sam Lee"}}},
		{Reply: reply.Reply{ID: "aaaaaaaaa5", Time: at(18), Deal: acme, Stakeholder: "priya", Kind: reply.Blocked, Target: "pricing-review", TargetKind: "task", Reason: "Budget freeze until Q1", Seen: "due=2026-12-11;status=todo"},
			// Answered after the decline in the same second, as decisions
			// made with -today are (that day's noon): the answer still
			// follows the decline.
			Decisions: []reply.Decision{{State: reply.Declined, Time: at(19), By: "Sam Lee", Why: "Covered by the signed budget letter"},
				{State: reply.Answered, Time: at(19), By: "Sam Lee", Answer: "Call me about Q1"}}},
		{Reply: reply.Reply{ID: "aaaaaaaaa6", Time: at(20), Deal: acme, Stakeholder: "marcus", Kind: reply.Done, Target: "business-case-deck", TargetKind: "task", Date: "2026-11-19", Evidence: "javascript:alert(1)"},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(21), By: "Sam Lee"}}},
		{Reply: reply.Reply{ID: "aaaaaaaaa7", Time: at(20), Deal: acme, Stakeholder: "elena", Kind: reply.Done, Target: "vendor-risk-assessment", TargetKind: "task", Date: "2026-11-20", Evidence: "https://acme.example/vra?x=1&y=2"},
			Decisions: []reply.Decision{{State: reply.Accepted, Time: at(21), By: "Sam Lee"}}},
	}
	for _, rec := range recs {
		if err := reply.WriteRecord(dir, rec); err != nil {
			t.Fatal(err)
		}
	}
	// A reviews folder is maproom's too: never published, never warned about.
	if err := os.MkdirAll(filepath.Join(dir, "reviews"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "reviews", "2026-11-17.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReplyTrail builds the example with reply records in the acme bundle
// and a waiting reply from the beacon's log: every acme room shows the
// changes accepted replies made; each person's room lists their own
// replies with their state, the answer to their question and the reason
// for a decline; nothing from a reply is rendered as HTML, and a link is
// a link only when it is http(s).
func TestReplyTrail(t *testing.T) {
	root := exampleSite(t)
	acmeRecords(t, root)
	waiting := []reply.Reply{{ID: "bbbbbbbbb2", Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), Deal: acme, Stakeholder: "jordan",
		Kind: reply.Confirm, Target: "evaluation-report", TargetKind: "task", Seen: "due=2026-12-04;status=todo"}}
	// The beacon's log holds the decided replies too, as a build reads it.
	recs, err := reply.ReadRecords(filepath.Join(root, "content", acme))
	if err != nil || len(recs) == 0 {
		t.Fatalf("the acme records: %d, %v", len(recs), err)
	}
	for _, rec := range recs {
		waiting = append(waiting, rec.Reply)
	}
	res, out := buildWith(t, root, Options{Replies: waiting})
	for _, p := range res.Problems {
		if strings.Contains(p.Error(), "replies/") || strings.Contains(p.Error(), "reviews/") {
			t.Errorf("a bundle's replies or reviews folder was reported: %s", p)
		}
	}
	// Every room shows every change; what the buyer wrote with it (a
	// done reply's evidence, a new date's reason) only to its sender, the
	// seller side and the people of the step (its owner, its milestone's
	// lead) who may see the task's documents: the sample data relies on
	// the proof-of-concept plan, the business case deck (led by Grace) on
	// the case study, the vendor risk assessment on the security
	// whitepaper.
	changes := []struct{ all, evidence, task, sender string }{
		{"Anonymised sample datasets delivered: moved from 10 Nov 2026 to 24 Nov 2026 by Jordan Park on 12 Nov 2026", ": InfoSec queue", "sample-data", "jordan"},
		{"Proof of concept passed: confirmed for 4 Dec 2026 by Jordan Park on 16 Nov 2026", "", "", "jordan"},
		{"Business case presented to the COO: done on 19 Nov 2026, reported by Marcus Chen", ": javascript:alert(1)", "business-case-deck", "marcus"},
		{"done on 20 Nov 2026, reported by Elena Novak", ` <a href="https://acme.example/vra?x=1&amp;y=2" rel="noreferrer">`, "vendor-risk-assessment", "elena"},
	}
	for _, b := range res.Site.Bundles {
		if b.Deal.ID != acme {
			continue
		}
		reads := func(s deal.Stakeholder, task, sender string) bool {
			if s.ID == sender || s.Side == deal.Seller {
				return true
			}
			tk, ok := b.Deal.Task(task)
			if !ok {
				return false
			}
			m, _ := b.Deal.Milestone(tk.Milestone)
			if tk.Owner != s.ID && m.Lead != s.ID {
				return false
			}
			for _, cid := range tk.Collateral {
				for _, c := range b.Deal.Collateral {
					if c.ID == cid && !c.CanSee(s) {
						return false
					}
				}
			}
			return true
		}
		shown := 0
		for _, s := range b.Deal.Stakeholders {
			page := roomHTML(t, res, out, acme, s.ID)
			for _, c := range changes {
				want, scoped := c.all+c.evidence, c.evidence != "" && !reads(s, c.task, c.sender)
				if scoped {
					want = c.all
				}
				if !strings.Contains(page, want) {
					t.Errorf("%s's room lacks the change %q", s.ID, want)
				}
				if scoped && strings.Contains(page, c.all+c.evidence) {
					t.Errorf("%s's room shows what another buyer wrote about a step not theirs, or whose documents they may not see: %q", s.ID, c.all+c.evidence)
				}
				if !scoped && c.evidence != "" {
					shown++
				}
			}
			if strings.Contains(page, `href="javascript`) {
				t.Errorf("%s's room links a script", s.ID)
			}
		}
		if shown < 3 {
			t.Errorf("the evidence shows in %d rooms: the test sees no room that may see it", shown)
		}
	}
	// The seller's room says a reply waits for a decision; a buyer's never.
	if sam := roomHTML(t, res, out, acme, "sam"); !strings.Contains(sam, "1 reply from the buyer's rooms waits for your decision") {
		t.Error("the seller's room does not say a reply waits for them")
	}
	jordan := roomHTML(t, res, out, acme, "jordan")
	if strings.Contains(jordan, "decision: <code>") {
		t.Error("a buyer's room says replies wait for a decision")
	}
	for _, want := range []string{
		"Can Snowflake &lt;b>stay&lt;/b> our warehouse?", // escaped; the minifier leaves > as is
		"answered 15 Nov 2026</span>: Yes: the connector ships in 4.2",
		`id="reply-bbbbbbbbb2"><strong>Confirm the date</strong> · Evaluation report issued: due 4 Dec 2026 <span class="day">(sent 21 Nov 2026)</span> · <span class="rst rst-waiting">waiting for Sam Lee</span>`,
		`id="reply-aaaaaaaaa2"><strong>Another date</strong> · Anonymised sample datasets delivered: 24 Nov 2026: InfoSec queue`,
	} {
		if !strings.Contains(jordan, want) {
			t.Errorf("jordan's room lacks %q", want)
		}
	}
	if strings.Contains(jordan, "Snowflake <b>") {
		t.Error("a reply's text is rendered as HTML")
	}
	priya := roomHTML(t, res, out, acme, "priya")
	if !strings.Contains(priya, "declined 19 Nov 2026</span>: Covered by the signed budget letter · Call me about Q1") {
		t.Error("priya's room lacks her declined reply and its reason")
	}
	// A declined block changed nothing: no room shows it as a change.
	if strings.Contains(jordan, "Budget freeze") {
		t.Error("priya's declined reply shows in jordan's room")
	}
}

// TestRepliesLeakNothing: the text of Jordan's question, its answer and
// Priya's declined reply appear in no file of the built site but their
// sender's room page.
func TestRepliesLeakNothing(t *testing.T) {
	root := exampleSite(t)
	acmeRecords(t, root)
	res, out := buildWith(t, root, Options{})
	own := map[string]string{}
	for _, s := range []string{"jordan", "priya"} {
		st, _ := res.Site.Bundles[0].Deal.Stakeholder(s)
		own[s] = filepath.Join(out, "r", token.Room(testSecret, acme, s, st.Rotate), "index.html")
	}
	secrets := map[string]string{
		"Snowflake":                           "jordan",
		"the connector ships in 4.2":          "jordan",
		"Budget freeze until Q1":              "priya",
		"Covered by the signed budget letter": "priya",
	}
	found := map[string]int{}
	err := filepath.WalkDir(out, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for s, who := range secrets {
			if strings.Contains(string(data), s) {
				found[s]++
				if p != own[who] {
					t.Errorf("%q (%s's) is in %s", s, who, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for s := range secrets {
		if found[s] != 1 {
			t.Errorf("%q is in %d files, want 1 (its sender's room)", s, found[s])
		}
	}
}

var assetRe = regexp.MustCompile(`(?:href|src)="((?:\.\./)+assets/[^"]+)"`)

// TestRoomPageBudget: every room of the example, its page with the
// stylesheet and scripts it loads, stays under 40 KB (the largest are
// acme's, whose buyers have the most forms).
func TestRoomPageBudget(t *testing.T) {
	const budget = 40 * 1024
	root := exampleSite(t)
	acmeRecords(t, root)
	_, out := buildWith(t, root, Options{})
	pages, _ := filepath.Glob(filepath.Join(out, "r", "*", "index.html"))
	if len(pages) < 20 {
		t.Fatalf("%d rooms", len(pages))
	}
	largest, which := 0, ""
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		total := len(data)
		for _, m := range assetRe.FindAllStringSubmatch(string(data), -1) {
			a, err := os.ReadFile(filepath.Join(filepath.Dir(p), filepath.FromSlash(m[1])))
			if err != nil {
				t.Fatal(err)
			}
			total += len(a)
		}
		if total > largest {
			largest, which = total, p
		}
		if total >= budget {
			t.Errorf("%s: %d bytes with its assets, the budget is %d", p, total, budget)
		}
	}
	t.Logf("largest room: %d bytes with its assets (%s)", largest, which)
}

// TestScopedChangeWords: the words a buyer wrote with a change show in the
// sender's room and the seller's even when the task's documents are
// scoped away from the sender, and in the rooms of the step's people (its
// milestone's lead here) who may see its documents; another buyer reads
// only what changed, and so does everyone but the sender and the seller
// once the step is out of the plan.
func TestScopedChangeWords(t *testing.T) {
	d := &deal.Deal{ID: "d", Stakeholders: []deal.Stakeholder{
		{ID: "ann", Name: "Ann", Side: deal.Buyer, Role: "procurement"},
		{ID: "bob", Name: "Bob", Side: deal.Buyer, Role: "legal"},
		{ID: "eve", Name: "Eve", Side: deal.Buyer, Role: "economic-buyer"},
		{ID: "cal", Name: "Cal", Side: deal.Buyer, Role: "champion"},
		{ID: "sam", Name: "Sam", Side: deal.Seller, Role: "account-executive"},
	}, Collateral: []deal.Collateral{{ID: "price", Title: "Pricing", File: "price.md", Audience: []string{"eve", "cal"}}},
		Milestones: []deal.Milestone{{ID: "m", Lead: "eve", Tasks: []deal.Task{{ID: "po", Title: "PO issued", Owner: "ann", Collateral: []string{"price"}, Milestone: "m"}}}}}
	recs := []reply.Record{{Reply: reply.Reply{ID: "aaaaaaaaaa", Deal: "d", Stakeholder: "ann", Kind: reply.Propose, Target: "po", TargetKind: reply.TargetTask,
		Date: "2026-12-18", Reason: "Budget line is short", Time: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		Decisions: []reply.Decision{{State: reply.Accepted, Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}}}}
	for _, tc := range []struct {
		name  string
		tasks []deal.Task
		reads map[string]bool
	}{
		{"in the plan", d.Milestones[0].Tasks, map[string]bool{"ann": true, "bob": false, "eve": true, "cal": false, "sam": true}},
		{"taken out", nil, map[string]bool{"ann": true, "bob": false, "eve": false, "cal": false, "sam": true}},
	} {
		dd := *d
		dd.Milestones = []deal.Milestone{d.Milestones[0]}
		dd.Milestones[0].Tasks = tc.tasks
		c := newReplyContext(&dd, nil, time.UTC)
		changes := c.changes(recs)
		for who, want := range tc.reads {
			s, _ := dd.Stakeholder(who)
			got := c.scoped(changes, s)
			if len(got) != 1 {
				t.Fatalf("%s: %s: %d changes, want 1", tc.name, who, len(got))
			}
			if words := strings.Contains(got[0].What, "Budget line is short"); words != want {
				t.Errorf("%s: %s reads %q: the reason shown %v, want %v", tc.name, who, got[0].What, words, want)
			}
		}
	}
}

// TestAcceptedSuggestionNamesThePlansOwner: an accepted suggestion whose
// owner the plan does not have tells its sender who the plan gives the
// step to; one the plan gives to the person named says nothing more.
func TestAcceptedSuggestionNamesThePlansOwner(t *testing.T) {
	d := &deal.Deal{ID: "d", Stakeholders: []deal.Stakeholder{{ID: "ann", Name: "Ann Lee", Side: deal.Buyer}, {ID: "sam", Name: "Sam", Side: deal.Seller}},
		Milestones: []deal.Milestone{{ID: "m", Tasks: []deal.Task{
			{ID: "legal-review", Title: "Legal review", Owner: "ann", Milestone: "m"},
			{ID: "pricing-call", Title: "Pricing call", Owner: "sam", Milestone: "m"}}}}}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	accepted := []reply.Decision{{State: reply.Accepted, Time: at.Add(time.Hour)}}
	c := newReplyContext(d, nil, time.UTC)
	for _, tc := range []struct{ text, owner, want string }{
		{"Legal review", "Dana Smith, our counsel", "Legal review; owned by Dana Smith, our counsel (the plan gives it to Ann Lee)"},
		{"Pricing call", "Sam", "Pricing call; owned by Sam"},
	} {
		l := c.mine(reply.Record{Reply: reply.Reply{ID: "aaaaaaaaaa", Deal: "d", Stakeholder: "ann", Kind: reply.Suggest, TargetKind: reply.TargetPlan, Text: tc.text, Owner: tc.owner, Time: at}, Decisions: accepted})
		if l.What != tc.want {
			t.Errorf("%s: %q, want %q", tc.text, l.What, tc.want)
		}
	}
}

// TestAcceptedSuggestionFoundByItsTask: two buyers' suggestions of one
// title, both accepted, are two steps; each sender's room reads who the
// plan gives their own step to, found by the task id the acceptance
// recorded, not by the title: Grace's step is hers, though Priya's copy
// comes after it. A record from before the id was recorded finds a step of
// its title owned by the person named, when there is one; a step renamed
// since is followed; one taken out of the plan says nothing.
func TestAcceptedSuggestionFoundByItsTask(t *testing.T) {
	d := &deal.Deal{ID: "d", Stakeholders: []deal.Stakeholder{
		{ID: "grace", Name: "Grace Hopper", Side: deal.Buyer}, {ID: "priya", Name: "Priya Raman", Side: deal.Buyer}, {ID: "sam", Name: "Sam", Side: deal.Seller}},
		Milestones: []deal.Milestone{{ID: "m", Tasks: []deal.Task{
			{ID: "board-sign-off", Title: "Board sign-off", Owner: "grace", Milestone: "m"},
			{ID: "board-sign-off-2", Title: "Board sign-off", Owner: "priya", Milestone: "m"},
			{ID: "legal-ok", Title: "Legal OK", Owner: "sam", Milestone: "m"}}}}}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	accepted := func(task string) []reply.Decision {
		return []reply.Decision{{State: reply.Accepted, Time: at.Add(time.Hour), Task: task}}
	}
	c := newReplyContext(d, nil, time.UTC)
	for _, tc := range []struct {
		name, who, text, owner string
		ds                     []reply.Decision
		want                   string
	}{
		{"grace's, by its task", "grace", "Board sign-off", "Grace", accepted("board-sign-off"), "Board sign-off; owned by Grace"},
		{"priya's, by its task", "priya", "Board sign-off", "Grace", accepted("board-sign-off-2"), "Board sign-off; owned by Grace (the plan gives it to Priya Raman)"},
		{"another owner, by its task", "grace", "Legal OK", "Grace", accepted("legal-ok"), "Legal OK; owned by Grace (the plan gives it to Sam)"},
		{"an old record: the named person's step of the title", "grace", "board  SIGN-OFF", "Grace", accepted(""), "board  SIGN-OFF; owned by Grace"},
		{"an old record: the first step of the title", "grace", "Board sign-off", "Dana", accepted(""), "Board sign-off; owned by Dana (the plan gives it to Grace Hopper)"},
		{"a step taken out since", "grace", "Board sign-off", "Dana", accepted("gone"), "Board sign-off; owned by Dana"},
		{"not accepted", "grace", "Legal OK", "Grace", nil, "Legal OK; owned by Grace"},
	} {
		l := c.mine(reply.Record{Reply: reply.Reply{ID: "aaaaaaaaaa", Deal: "d", Stakeholder: tc.who, Kind: reply.Suggest, TargetKind: reply.TargetPlan, Text: tc.text, Owner: tc.owner, Time: at}, Decisions: tc.ds})
		if l.What != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, l.What, tc.want)
		}
	}
}

// TestReplyWordsForWhatIsGone: a reply about a step taken out of the plan,
// or by someone taken out of it, reads in words in a room, not as an id.
func TestReplyWordsForWhatIsGone(t *testing.T) {
	d := &deal.Deal{ID: "d", Stakeholders: []deal.Stakeholder{{ID: "ann", Name: "Ann Bell", Side: deal.Buyer}},
		Milestones: []deal.Milestone{{ID: "m", Title: "Signed", Tasks: []deal.Task{{ID: "t", Title: "Order form signed", Owner: "ann"}}}}}
	c := newReplyContext(d, nil, nil)
	if got := c.about(reply.Reply{Target: "t"}); got != "Order form signed" {
		t.Errorf("about a step of the plan: %q", got)
	}
	if got := c.about(reply.Reply{Target: "msa-redlines"}); got != "a step since taken out of the plan" {
		t.Errorf("about a step taken out: %q", got)
	}
	if got := c.who("grace"); got != "grace (no longer in the plan)" {
		t.Errorf("by someone taken out: %q", got)
	}
}

// TestWonDealRepliesOnOnboarding: a won deal's room still takes replies,
// on its onboarding steps only: the sale is over, the rollout is not.
func TestWonDealRepliesOnOnboarding(t *testing.T) {
	root := exampleSite(t)
	plan := filepath.Join(root, "content", "initech-expansion", "index.md")
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	onboarding := "  - id: rollout\n    title: Finance teams live\n    lead: rachel\n    onboarding: true\n    evidence: First month-end close run in the product\n    tasks:\n      - {id: training, title: Finance teams trained, owner: rachel, due: 2026-12-04, evidence: Attendance list sent}\n"
	src = []byte(strings.Replace(string(src), "\ncriteria:\n", "\n"+onboarding+"criteria:\n", 1))
	if err := os.WriteFile(plan, src, 0o644); err != nil {
		t.Fatal(err)
	}
	res, out := buildWith(t, root, Options{})
	got := formIDs(roomHTML(t, res, out, "initech-expansion", "rachel"))
	slices.Sort(got)
	if want := []string{"r-training", "rm-rollout", "rq", "rs"}; !slices.Equal(got, want) {
		t.Errorf("rachel's forms in the won deal: %v, want %v (onboarding only)", got, want)
	}
}

// TestRoomKeepsOneListOfChanges: a change an accepted reply made is one of
// the plan's commits: the room lists it under "What changed" (the latest)
// and not again among the replies' changes, whether or not it is among
// the latest; a confirmation, which changes no field, stays there; and a
// reply about a step taken out of the plan names it by the title the
// history last gave it.
func TestRoomKeepsOneListOfChanges(t *testing.T) {
	st := &history.Story{Deal: "d", Changes: []history.Change{
		{Kind: history.TaskDue, Item: "dpa", Title: "DPA reviewed", Reply: "aaaaaaaaa1"},
		{Kind: history.TaskRemoved, Item: "dpa", Title: "DPA reviewed"},
	}}
	lines := []replyLine{{ID: "aaaaaaaaa1", What: "moved"}, {ID: "aaaaaaaaa2", What: "confirmed"}}
	got := inHistory(lines, st)
	if len(got) != 1 || got[0].ID != "aaaaaaaaa2" {
		t.Errorf("changes from replies %+v, want the confirmation alone", got)
	}
	if got := inHistory(lines, nil); len(got) != 2 {
		t.Errorf("outside git: %+v, want both", got)
	}
	c := newReplyContext(&deal.Deal{ID: "d"}, st, nil)
	if got := c.about(reply.Reply{Target: "dpa", TargetKind: reply.TargetTask}); got != "DPA reviewed (since taken out of the plan)" {
		t.Errorf("about a step taken out: %q", got)
	}
}

// TestRoomSaysAReplyWasReplaced: a waiting reply about a step, followed by
// another of the sender's about the same step, reads as replaced by the
// later one in their room (as maproom replies tells the seller), not as
// still waiting; the later one waits.
func TestRoomSaysAReplyWasReplaced(t *testing.T) {
	root := exampleSite(t)
	at := func(day int) time.Time { return time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC) }
	waiting := []reply.Reply{
		{ID: "ccccccccc1", Time: at(20), Deal: acme, Stakeholder: "jordan", Kind: reply.Confirm, Target: "evaluation-report", TargetKind: "task", Seen: "due=2026-12-04;status=todo"},
		{ID: "ccccccccc2", Time: at(21), Deal: acme, Stakeholder: "jordan", Kind: reply.Propose, Target: "evaluation-report", TargetKind: "task", Date: "2026-12-11", Reason: "Holidays", Seen: "due=2026-12-04;status=todo"},
	}
	res, out := buildWith(t, root, Options{Replies: waiting})
	jordan := roomHTML(t, res, out, acme, "jordan")
	for _, want := range []string{
		`id="reply-ccccccccc1"><strong>Confirm the date</strong> · Evaluation report issued: due 4 Dec 2026 <span class="day">(sent 20 Nov 2026)</span> · <span class="rst rst-waiting">replaced by your later reply of 21 Nov 2026</span>`,
		`id="reply-ccccccccc2"><strong>Another date</strong> · Evaluation report issued: 11 Dec 2026: Holidays <span class="day">(sent 21 Nov 2026)</span> · <span class="rst rst-waiting">waiting for Sam Lee</span>`,
		// the step in their next steps says a reply of theirs waits, the
		// latest, and that another replaces it
		`<span class="step-title">Evaluation report issued</span>`,
		`<span class="waits">Your reply of 21 Nov 2026 waits for an answer: a new one replaces it</span>`,
	} {
		if !strings.Contains(jordan, want) {
			t.Errorf("jordan's room lacks %q", want)
		}
	}
	if n := strings.Count(jordan, "waits for an answer"); n != 1 {
		t.Errorf("jordan's room says %d times that a reply waits, want once (one step has replies)", n)
	}
}

// TestPreviewRepliesNotPublished: a reply sent from the local preview
// (maproom serve) is the seller's click in a buyer's room: the preview's
// own build shows it there, a build to publish does not, until the seller
// accepts it.
func TestPreviewRepliesNotPublished(t *testing.T) {
	mk := func(preview bool) (string, string) {
		root := exampleSite(t)
		waiting := []reply.Reply{{ID: "ppppppppp2", Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC), Deal: acme, Stakeholder: "jordan",
			Kind: reply.Confirm, Target: "evaluation-report", TargetKind: "task", Seen: "due=2026-12-04;status=todo", Preview: true}}
		res, out := buildWith(t, root, Options{Replies: waiting, PreviewReplies: preview})
		return roomHTML(t, res, out, acme, "jordan"), roomHTML(t, res, out, acme, "sam")
	}
	jordan, sam := mk(true)
	if !strings.Contains(jordan, `id="reply-ppppppppp2"`) || !strings.Contains(sam, "waits for your decision") {
		t.Fatal("the preview's build does not show the reply sent from it: the test proves nothing")
	}
	jordan, sam = mk(false)
	if strings.Contains(jordan, `id="reply-ppppppppp2"`) || strings.Contains(sam, "waits for your decision") {
		t.Error("a build to publish shows a reply sent from the local preview")
	}
}

// TestConfirmedDateMoved: an accepted confirmation names the date it
// confirmed; once the plan moves that date, every room says so rather
// than keep "confirmed" beside a date nobody confirmed.
func TestConfirmedDateMoved(t *testing.T) {
	d := &deal.Deal{ID: "d", Stakeholders: []deal.Stakeholder{{ID: "priya", Name: "Priya Raman", Side: deal.Buyer}},
		Milestones: []deal.Milestone{{ID: "m", Title: "Signed", Tasks: []deal.Task{{ID: "order", Title: "Order form signed", Owner: "priya", Due: deal.NewDate(2027, time.January, 29)}}}}}
	rec := reply.Record{Reply: reply.Reply{ID: "cccccccccc", Time: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), Deal: "d", Stakeholder: "priya",
		Kind: reply.Confirm, Target: "order", TargetKind: reply.TargetTask, Seen: "due=2027-01-29;status=todo"},
		Decisions: []reply.Decision{{State: reply.Accepted, Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), By: "Sam Lee"}}}
	l, ok := newReplyContext(d, nil, time.UTC).change(rec)
	if !ok || l.What != "confirmed for 29 Jan 2027 by Priya Raman on 7 Dec 2026" {
		t.Errorf("the confirmation reads %q, want the date it confirmed", l.What)
	}
	d.Milestones[0].Tasks[0].Due = deal.NewDate(2027, time.February, 10)
	if l, _ := newReplyContext(d, nil, time.UTC).change(rec); l.What != "confirmed for 29 Jan 2027 by Priya Raman on 7 Dec 2026 (the date has moved since: now 10 Feb 2027)" {
		t.Errorf("with the date moved since, the confirmation reads %q", l.What)
	}
}
