package generator

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/ics/icstest"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"
)

var testSecret = []byte("test-secret-0123456789abcdef0123456789abcdef")

// buildSite builds the site at root into a temporary folder.
func buildSite(t *testing.T, root string, today deal.Date) (*Result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	res, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"), Secret: testSecret, Today: today})
	if err != nil {
		for _, p := range res.Problems {
			t.Log(p)
		}
		t.Fatal(err)
	}
	checkCalendars(t, out)
	return res, out
}

// checkCalendars checks every .ics under out with an iCalendar parser
// (icstest.Check): every build a test makes writes valid invites.
func checkCalendars(t *testing.T, out string) {
	t.Helper()
	err := filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".ics") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := icstest.Check(data); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExampleRoomsLeakNothing proves, for every stakeholder of the example
// site, that their room holds and links only what they may see.
func TestExampleRoomsLeakNothing(t *testing.T) {
	root := exampleSite(t)
	res, out := buildSite(t, root, deal.NewDate(2026, 11, 22))
	checkNoLeaks(t, res, out, func(b *Bundle, c *deal.Collateral) []string {
		return secretsOfFile(t, b, c)
	})
}

// TestRandomAudiencesLeakNothing does the same on generated sites whose
// collateral audiences are random mixes of ids and roles.
func TestRandomAudiencesLeakNothing(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			root := t.TempDir()
			if err := synth.Write(root, synth.Options{Deals: 5, Stakeholders: 7, Pages: 3, Files: 2, Seed: seed, RandomAudiences: true}); err != nil {
				t.Fatal(err)
			}
			res, out := buildSite(t, root, deal.NewDate(2027, 3, 1))
			checkNoLeaks(t, res, out, func(b *Bundle, c *deal.Collateral) []string {
				var d, ci int
				fmt.Sscanf(b.Deal.ID, "deal-%d", &d)
				fmt.Sscanf(c.ID, "c%d", &ci)
				return []string{synth.Marker(d, ci)}
			})
		})
	}
}

// TestAudienceEdgesLeakNothing builds a deal whose secret document has each
// audience that has gone wrong or may: absent (every buyer), empty (refused:
// it used to mean every buyer), a role nobody holds (no buyer), a role that
// does not exist (refused) and a null value (refused). A refused site
// publishes nothing; a built one leaks the document to nobody outside the
// audience, and shows it to exactly the buyers expected.
func TestAudienceEdgesLeakNothing(t *testing.T) {
	const secret = "SECRET-PRICING-7f3a: the discount floor is thirty percent"
	for _, tc := range []struct {
		name, audience string
		wantErr        string // a problem on the audience's line (12) containing this
		seenBy         []string
	}{
		{name: "absent", audience: "", seenBy: []string{"ann", "bob"}},
		{name: "empty", audience: ", audience: []", wantErr: "has an empty audience: remove the `audience:` key to show it to every buyer stakeholder, or name who may see it"},
		{name: "null", audience: ", audience: ", wantErr: "has an empty audience"},
		{name: "role nobody holds", audience: `, audience: ["role:legal"]`},
		{name: "unknown role", audience: `, audience: ["role:cfo"]`, wantErr: `audience "role:cfo": "cfo" is not a role`},
		{name: "one person", audience: ", audience: [bob]", seenBy: []string{"bob"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "content", "northwind")
			plan := `---
title: Northwind platform
buyer: Initrode
seller: Northwind Analytics
goal: Signed by March so the April rollout keeps its date
close: 2027-03-01
stakeholders:
  - {id: ann, name: Ann Bell, title: CFO, side: buyer, role: economic-buyer}
  - {id: bob, name: Bob Diaz, title: CTO, side: buyer, role: technical-evaluator}
  - {id: sam, name: Sam Lee, side: seller, role: account-executive}
collateral:
  - {id: pricing, title: Pricing proposal, file: pricing.md` + tc.audience + `}
milestones:
  - id: eval
    title: Evaluation passed
    lead: ann
    evidence: Evaluation report stating proceed
    tasks:
      - {id: a, title: Review the plan, owner: ann, due: 2027-01-10, evidence: Approval email from the CFO}
---
Welcome.
`
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string]string{"index.md": plan, "pricing.md": "# Pricing\n\n" + secret + "\n"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "public")
			res, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"), Secret: testSecret, Today: deal.NewDate(2026, 11, 22)})
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("audience%s built; want the error %q", tc.audience, tc.wantErr)
				}
				found := false
				for _, p := range res.Problems {
					found = found || (p.Severity == Error && p.Line == 12 && strings.Contains(p.Msg, tc.wantErr))
				}
				if !found {
					t.Errorf("no error on line 12 containing %q; problems: %v", tc.wantErr, res.Problems)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("a refused site published %s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("audience%s: %v (%v)", tc.audience, err, res.Problems)
			}
			checkNoLeaks(t, res, out, func(*Bundle, *deal.Collateral) []string { return []string{secret} })
			var seen []string
			d := res.Site.Bundles[0].Deal
			for _, s := range d.Stakeholders {
				data, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, d.ID, s.ID, s.Rotate), "pricing", "index.html"))
				if err == nil && bytes.Contains(data, []byte(secret)) && s.Side == deal.Buyer {
					seen = append(seen, s.ID)
				}
			}
			if strings.Join(seen, ",") != strings.Join(tc.seenBy, ",") {
				t.Errorf("the document reached buyers %v; want %v", seen, tc.seenBy)
			}
		})
	}
}

// exampleSite returns the repository's example site as a site root (the
// content folder with its maproom.toml), copied so tests write nothing in it.
func exampleSite(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	return root
}

// secretsOfFile returns strings that only a collateral's audience may see:
// its title (unless the shared plan itself says it, as in a task named
// "Pricing proposal reviewed") and a distinctive line of its content.
func secretsOfFile(t *testing.T, b *Bundle, c *deal.Collateral) []string {
	data, err := os.ReadFile(filepath.Join(b.Dir, c.File))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if bytes.Count(b.Source, []byte(c.Title)) == 1 {
		out = append(out, c.Title)
	}
	if c.IsPage() {
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(strings.TrimLeft(l, "#->*|"))
			if len(l) > 40 && !strings.ContainsAny(l, "*_[]`|&<>\"'") {
				out = append(out, l[:40])
				break
			}
		}
	}
	return out
}

var linkRe = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

func checkNoLeaks(t *testing.T, res *Result, out string, secrets func(*Bundle, *deal.Collateral) []string) {
	t.Helper()
	checked := 0
	for _, b := range res.Site.Bundles {
		d := b.Deal
		allTokens := map[string]string{}
		for _, s := range d.Stakeholders {
			allTokens[token.Room(testSecret, d.ID, s.ID, s.Rotate)] = s.ID
		}
		for _, s := range d.Stakeholders {
			tok := token.Room(testSecret, d.ID, s.ID, s.Rotate)
			room := filepath.Join(out, "r", tok)
			visible := map[string]bool{}
			var hidden []string
			visibleFiles := map[string][]byte{}
			for i := range d.Collateral {
				c := &d.Collateral[i]
				if mayView(c, s) {
					visible[c.ID] = true
					data, _ := os.ReadFile(filepath.Join(b.Dir, c.File))
					visibleFiles[c.ID] = data
				} else {
					hidden = append(hidden, secrets(b, c)...)
				}
			}
			// Nothing is stored under the room but its own pages.
			err := filepath.WalkDir(room, func(p string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				rel := filepath.ToSlash(strings.TrimPrefix(p, room+string(filepath.Separator)))
				dir, file := path.Split(rel)
				switch {
				case rel == "index.html" || rel == "calendar.ics":
				case file == "index.html" && visible[strings.TrimSuffix(dir, "/")]:
				default:
					t.Errorf("%s/%s: room of %s holds %s, which is not theirs", d.ID, s.ID, s.ID, rel)
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				for _, h := range hidden {
					if bytes.Contains(data, []byte(h)) {
						t.Errorf("%s/%s: %s contains %q from a document scoped away from them", d.ID, s.ID, rel, h)
					}
				}
				if d.Value > 0 && bytes.Contains(data, []byte(strconv.FormatInt(d.Value, 10))) {
					t.Errorf("%s/%s: %s contains the deal value", d.ID, s.ID, rel)
				}
				for other, who := range allTokens {
					if other != tok && bytes.Contains(data, []byte(other)) {
						t.Errorf("%s/%s: %s contains the link of %s", d.ID, s.ID, rel, who)
					}
				}
				checkLinks(t, out, "r/"+tok+"/"+rel, data, tok, visibleFiles)
				checked++
				return nil
			})
			if err != nil {
				t.Fatalf("%s/%s: %v", d.ID, s.ID, err)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no room file was checked")
	}
}

// checkLinks resolves every href and src of a page and fails on any that
// leaves the person's room, the shared assets, or the files they may see.
func checkLinks(t *testing.T, out, rel string, data []byte, tok string, visibleFiles map[string][]byte) {
	t.Helper()
	base, _ := url.Parse("https://rooms.example/" + rel)
	for _, m := range linkRe.FindAllSubmatch(data, -1) {
		ref := string(m[1])
		if ref == "data:," {
			continue // the empty favicon: it stops browsers asking for /favicon.ico
		}
		u, err := base.Parse(ref)
		if err != nil {
			t.Errorf("%s: bad link %q", rel, ref)
			continue
		}
		if u.Host != "rooms.example" {
			if u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "mailto" {
				continue // a link the seller wrote; no request is made by the page
			}
			t.Errorf("%s: link %q leaves the site", rel, ref)
			continue
		}
		p := strings.TrimPrefix(u.Path, "/")
		switch {
		case strings.HasPrefix(p, "r/"+tok+"/"):
			target := filepath.Join(out, filepath.FromSlash(p))
			if strings.HasSuffix(p, "/") {
				target = filepath.Join(target, "index.html")
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %q leads nowhere", rel, ref)
			}
		case strings.HasPrefix(p, "assets/"):
		case strings.HasPrefix(p, "f/"):
			got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
			if err != nil {
				t.Errorf("%s: file link %q leads nowhere", rel, ref)
				continue
			}
			ok := false
			for _, want := range visibleFiles {
				ok = ok || bytes.Equal(got, want)
			}
			if !ok {
				t.Errorf("%s: file link %q is not a document this person may see", rel, ref)
			}
		default:
			t.Errorf("%s: link %q reaches outside the room", rel, ref)
		}
	}
}

// mayView is the test's own reading of design.md's audience rule, kept apart
// from deal.Collateral.CanSee so a bug there cannot hide here: sellers see
// everything; no audience key is every buyer; else the person's id or
// "role:<their role>" must be listed (an empty list admits no buyer).
func mayView(c *deal.Collateral, s deal.Stakeholder) bool {
	if s.Side == deal.Seller || c.Audience == nil {
		return true
	}
	for _, a := range c.Audience {
		if a == s.ID || a == "role:"+string(s.Role) {
			return true
		}
	}
	return false
}
