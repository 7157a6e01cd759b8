package generator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/hostconf"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"
)

// pngOf returns a w x h PNG: of noise, which does not compress, or flat.
func pngOf(t *testing.T, w, h int, noise bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for i := range img.Pix {
		if !noise {
			break
		}
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x) // noise: it does not compress away
	}
	img.Set(0, 0, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBrandSettings checks [brand] in maproom.toml: a good logo and
// accent are taken (the accent in lowercase #rrggbb, the logo with its
// size), and each bad value is an error on its own line that says what to
// change.
func TestBrandSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("logo.png", pngOf(t, 80, 40, false))
	write("small.png", pngOf(t, 40, 20, false))
	write("wide.png", pngOf(t, 400, 40, false))
	write("big.png", pngOf(t, 200, 200, true))
	write("logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	write("logo.txt", []byte("not an image"))

	cfg, ps := LoadConfig(writeTOML(t, dir, "title = \"x\"\n[brand]\nlogo = \"logo.png\"\naccent = \"#0E5A8A\"\n"))
	if len(ps) > 0 {
		t.Fatalf("a good [brand]: %v", ps)
	}
	if cfg.Brand.Accent != "#0e5a8a" || cfg.Brand.LogoImage.Ext != ".png" || cfg.Brand.LogoImage.W != 80 {
		t.Errorf("accent %q, logo %s %dx%d", cfg.Brand.Accent, cfg.Brand.LogoImage.Ext, cfg.Brand.LogoImage.W, cfg.Brand.LogoImage.H)
	}
	if w, h := cfg.Brand.LogoImage.Attrs(); w != 64 || h != 32 {
		t.Errorf("an 80x40 logo shows %dx%d, want 64x32", w, h)
	}
	if cfg, ps := LoadConfig(writeTOML(t, dir, "[brand]\naccent = \"#036\"\n")); len(ps) > 0 || cfg.Brand.Accent != "#003366" {
		t.Errorf("accent #036: %q %v", cfg.Brand.Accent, ps)
	}

	for _, tc := range []struct {
		name, value string
		want        string
	}{
		{"accent", `"blue"`, `is not a CSS hex colour: write # and 6 hex digits`},
		{"accent", `"#12345"`, `is not a CSS hex colour`},
		{"accent", `"#ffcc00"`, `has a contrast of 1.5:1 on the white page`},
		{"logo", `"https://cdn.example.com/logo.png"`, `is a URL: a room loads nothing from other sites`},
		{"logo", `"../logo.png"`, `is outside`},
		{"logo", `"missing.png"`, `does not exist in`},
		{"logo", `"logo.svg"`, `is an SVG image, which can carry script`},
		{"logo", `"logo.txt"`, `is not a PNG, JPEG or GIF image`},
		{"logo", `"big.png"`, fmt.Sprintf("a logo may be at most %d KB", MaxLogoBytes>>10)},
		{"logo", `"small.png"`, "is 20 px tall; it shows 32 px tall, so it would blur"},
		{"logo", `"wide.png"`, "is 400x40 px, more than 8 times as wide as tall"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			p := writeTOML(t, dir, "title = \"x\"\n\n[brand]\n"+tc.name+" = "+tc.value+"\n")
			cfg, ps := LoadConfig(p)
			if cfg != nil || len(ps) != 1 {
				t.Fatalf("got %d problems %v, want one error", len(ps), ps)
			}
			msg := ps[0].Error()
			if !strings.HasPrefix(msg, p+":4: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("got %q, want %s:4: ...%s...", msg, p, tc.want)
			}
		})
	}
}

func writeTOML(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, ConfigFile)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// brandedExample returns a copy of the example site with the seller's logo
// in its maproom.toml and the buyer's in the acme deal's plan (the files
// are in testdata/brand).
func brandedExample(t *testing.T) string {
	t.Helper()
	root := exampleSite(t)
	content := filepath.Join(root, ContentDir)
	copyFile := func(from, to string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "brand", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("northwind-logo.png", filepath.Join(content, "northwind-logo.png"))
	copyFile("acme-logo.png", filepath.Join(content, "acme-data-platform", "acme-logo.png"))
	edit := func(p, old, new string) {
		t.Helper()
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(src, []byte(old)) {
			t.Fatalf("%s no longer holds %q", p, old)
		}
		if err := os.WriteFile(p, bytes.Replace(src, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit(filepath.Join(content, ConfigFile), "[brand]\n", "[brand]\nlogo = \"northwind-logo.png\"\n")
	edit(filepath.Join(content, "acme-data-platform", BundleIndex), "\n---\n", "\nbuyer_logo: acme-logo.png\n---\n")
	return root
}

// TestContactFields checks the seller's contact details in the plan: a bad
// email, phone or booking link is an error on the stakeholder's line, and a
// buyer_logo that is no image, on its own.
func TestContactFields(t *testing.T) {
	root := brandedExample(t)
	plan := filepath.Join(root, ContentDir, "acme-data-platform", BundleIndex)
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	sam := `email: sam.lee@northwind.example, phone: "+44 20 7946 0321", booking: "https://meet.northwind.example/sam-lee"}`
	if !bytes.Contains(src, []byte(sam)) {
		t.Fatalf("the example's Sam Lee no longer reads %s", sam)
	}
	line := 1 + bytes.Count(src[:bytes.Index(src, []byte(sam))], []byte("\n"))
	logoLine := 1 + bytes.Count(src[:bytes.Index(src, []byte("buyer_logo:"))], []byte("\n"))
	bad := bytes.Replace(src, []byte(sam), []byte(`email: "sam at northwind", phone: "call me", booking: "http://meet.northwind.example/sam"}`), 1)
	bad = bytes.Replace(bad, []byte("buyer_logo: acme-logo.png"), []byte("buyer_logo: pricing.md"), 1)
	if err := os.WriteFile(plan, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
	want := []string{
		fmt.Sprintf(`:%d: email "sam at northwind" of "sam" is not an email address`, line),
		fmt.Sprintf(`:%d: phone "call me" of "sam": write the number with its country code`, line),
		fmt.Sprintf(`:%d: booking "http://meet.northwind.example/sam" of "sam" is not an https link`, line),
		fmt.Sprintf(`:%d: buyer_logo "pricing.md" is not a PNG, JPEG or GIF image`, logoLine),
	}
	var got []string
	for _, p := range ps {
		if p.Severity == Error {
			got = append(got, p.Error())
		}
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, plan+w)
		}
		if !found {
			t.Errorf("no error %s%s; errors:\n%s", plan, w, strings.Join(got, "\n"))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// roomOf reads the room page of stakeholder s of deal d in a build.
func roomOf(t *testing.T, res *Result, out, d, s string) string {
	t.Helper()
	for _, b := range res.Site.Bundles {
		if st, ok := b.Deal.Stakeholder(s); ok && b.Deal.ID == d {
			data, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, d, s, st.Rotate), "index.html"))
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
	t.Fatalf("no room %s/%s", d, s)
	return ""
}

// TestRoomDesign checks, on the example built on 22 November 2026, what a
// buyer relies on in a room: the "waiting on" line (the rule of
// deal.WaitingOn: the task the plan waits on, its owner and side, its grade
// of lateness in words), the person's own rows marked, the documents a
// next step needs, the seller's contact card, the logos; and, in the
// seller's preview only, who sees each document.
func TestRoomDesign(t *testing.T) {
	res, out := buildSite(t, brandedExample(t), deal.NewDate(2026, 11, 22))
	jordan := roomOf(t, res, out, "acme-data-platform", "jordan")
	priya := roomOf(t, res, out, "acme-data-platform", "priya")
	sam := roomOf(t, res, out, "acme-data-platform", "sam")

	waiting := regexp.MustCompile(`<p class="waiting[^"]*">.*?</p>`)
	for _, tc := range []struct {
		who, page, want string
	}{
		{"jordan", jordan, `<p class="waiting alert"><span class="w-k">Waiting on</span> <strong>you</strong>: <a href="#t-sample-data">Anonymised sample datasets delivered</a>, due <time datetime="2026-11-10">10 Nov 2026</time> <strong class="sev sev-alert">Long overdue: 12 days late</strong></p>`},
		{"priya", priya, `<p class="waiting alert"><span class="w-k">Waiting on</span> <strong>Acme Corp</strong> <span class="side side-buyer">buyer</span> · Jordan Park: <a href="#t-sample-data">Anonymised sample datasets delivered</a>, due <time datetime="2026-11-10">10 Nov 2026</time> <strong class="sev sev-alert">Long overdue: 12 days late</strong></p>`},
	} {
		if got := waiting.FindString(tc.page); got != tc.want {
			t.Errorf("%s's waiting line:\n got %s\nwant %s", tc.who, got, tc.want)
		}
	}
	// A won deal waits on nobody.
	for _, b := range res.Site.Bundles {
		if b.Deal.Outcome != deal.Open {
			if page := roomOf(t, res, out, b.Deal.ID, b.Deal.Stakeholders[0].ID); strings.Contains(page, `class="waiting`) {
				t.Errorf("the %s deal is %s, and its room still says whom it waits on", b.Deal.ID, b.Deal.Outcome)
			}
		}
	}

	// Severity reads in words, graded: the 12-day-late row is an alert.
	if !strings.Contains(jordan, `<tr id="t-sample-data" class="alert mine">`) || !strings.Contains(priya, `<tr id="t-sample-data" class="alert">`) {
		t.Error("the sample-data row is not marked as an alert, and as jordan's own in jordan's room only")
	}
	if n := strings.Count(jordan, ` mine"`) + strings.Count(jordan, `class="mine"`); n != 2 {
		t.Errorf("jordan owns 2 steps of the plan; %d rows are marked as theirs", n)
	}
	if !strings.Contains(jordan, `<p class="legend">Past due: Late: under 3 days · Overdue: 3 days or more · Long overdue: 7 days or more.</p>`) {
		t.Error("the plan has no legend of the grades of lateness")
	}
	// The next step links the document it needs, with the beacon's mark.
	if !strings.Contains(jordan, `<span class="need">You will need: <a href="poc-plan/" data-mr-open="poc-plan">Proof-of-concept plan</a>`) {
		t.Error("jordan's next step does not link the proof-of-concept plan it needs")
	}
	// The contact card: the account executive, email as mailto:, phone, booking.
	for _, want := range []string{`<h2 id="contact-h">Your contact at Northwind Analytics</h2>`, `<strong>Sam Lee</strong>, Account Executive`,
		`<a href="mailto:sam.lee@northwind.example">sam.lee@northwind.example</a>`, `<li>+44 20 7946 0321</li>`,
		`<a href="https://meet.northwind.example/sam-lee" rel="noreferrer">Book a meeting with Sam Lee</a>`} {
		if !strings.Contains(priya, want) {
			t.Errorf("priya's room lacks %s", want)
		}
	}
	// The logos, with their size: the seller's from assets/, the buyer's
	// from the deal's own keyed folder (TestBuyerLogoNameIsKeyed).
	logo := regexp.MustCompile(`<img src="\.\./\.\./(assets/logo\.[0-9a-f]{10}\.png|f/[a-z2-7]{32}/logo\.png)" width="(\d+)" height="32" alt="(Northwind Analytics|Acme Corp)">`)
	if m := logo.FindAllStringSubmatch(jordan, -1); len(m) != 2 {
		t.Errorf("jordan's header shows %d logos, want the seller's and the buyer's", len(m))
	} else {
		for _, l := range m {
			if _, err := os.Stat(filepath.Join(out, l[1])); err != nil {
				t.Errorf("logo of %s: %v", l[3], err)
			}
		}
	}
	// Who sees what: in the seller's preview only.
	if !strings.Contains(sam, `Pricing proposal</a> <span class="kind">page</span><span class="aud">Shared with: Priya Raman, Marcus Chen</span>`) ||
		!strings.Contains(sam, `<span class="aud">Shared with: Every buyer stakeholder</span>`) {
		t.Error("the seller's preview does not say who sees the pricing proposal and the case study")
	}
	if strings.Contains(jordan, "Shared with:") || strings.Contains(priya, "Shared with:") {
		t.Error("a buyer's room says who sees each document")
	}
}

// TestBuyerLogoNameIsKeyed: the buyer's logo is published under a path
// only the site secret gives (token.Logo), not under a name anyone holding
// the public logo and a guessed deal id could compute (the former
// assets/logo.<sha256(deal id, logo)>.png), and is never cached like the
// deal's other files; its path holds from build to build and moves with
// another secret. And no file of the site is named by an unkeyed hash of a
// deal's content: assets/, the one folder so named, is the same with the
// deals as without them, and everything else is a fixed name or sits
// under a token folder.
func TestBuyerLogoNameIsKeyed(t *testing.T) {
	logo, err := os.ReadFile(filepath.Join("testdata", "brand", "acme-logo.png"))
	if err != nil {
		t.Fatal(err)
	}
	root := brandedExample(t)
	const d = "acme-data-platform"
	build := func(root string, secret []byte) (*Result, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "public")
		res, err := Build(context.Background(), Options{Root: root, Out: out, StateDir: filepath.Join(t.TempDir(), "state"), Secret: secret, Today: deal.NewDate(2026, 11, 22)})
		if err != nil {
			t.Fatalf("build: %v %v", err, res.Problems)
		}
		return res, out
	}
	img := regexp.MustCompile(`<img src="\.\./\.\./([^"]+)"[^>]* alt="Acme Corp">`)
	buyerLogo := func(secret []byte) (string, string, *Result) {
		t.Helper()
		res, out := build(root, secret)
		for _, b := range res.Site.Bundles {
			if b.Deal.ID != d {
				continue
			}
			p := ""
			for _, s := range b.Deal.Stakeholders {
				page, err := os.ReadFile(filepath.Join(out, "r", token.Room(secret, d, s.ID, s.Rotate), "index.html"))
				if err != nil {
					t.Fatal(err)
				}
				m := img.FindSubmatch(page)
				if m == nil {
					t.Fatalf("%s's room shows no buyer logo", s.ID)
				}
				if p != "" && p != string(m[1]) {
					t.Fatalf("the rooms of %s show the buyer logo from two paths: %s and %s", d, p, m[1])
				}
				p = string(m[1])
			}
			return p, out, res
		}
		t.Fatalf("no deal %s", d)
		return "", "", nil
	}
	p, out, res := buyerLogo(testSecret)
	sum := sha256.Sum256(append([]byte(d+"\x00"), logo...))
	unkeyed := fmt.Sprintf("%x", sum[:5])
	if strings.Contains(p, unkeyed) || strings.HasPrefix(p, "assets/") || !regexp.MustCompile(`^f/[a-z2-7]{32}/logo\.png$`).MatchString(p) {
		t.Errorf("buyer logo at %s: want f/<keyed token>/logo.png, nothing computable from the logo and the deal id", p)
	}
	if got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p))); err != nil || !bytes.Equal(got, logo) {
		t.Errorf("%s does not hold the buyer logo: %v", p, err)
	}
	var cache []string
	for _, h := range hostconf.For(HeaderRules(res.Site.Config.BeaconURL), "/"+p) {
		if h.Name == "Cache-Control" {
			cache = append(cache, h.Value)
		}
	}
	if len(cache) != 1 || cache[0] != "no-store" {
		t.Errorf("%s is served with Cache-Control %q, want no-store like the deal's other files", p, cache)
	}
	if again, _, _ := buyerLogo(testSecret); again != p {
		t.Errorf("the same secret and logo moved the buyer logo: %s, then %s", p, again)
	}
	if other, _, _ := buyerLogo([]byte("another-secret-0123456789abcdef0123456789")); other == p {
		t.Errorf("another secret kept the buyer logo at %s", p)
	}

	// assets/ depends on no deal: the same files with one deal left (not
	// the one with the buyer logo) as with all of them.
	assets := func(out string) map[string]string {
		t.Helper()
		got := map[string]string{}
		es, err := os.ReadDir(filepath.Join(out, "assets"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			b, err := os.ReadFile(filepath.Join(out, "assets", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got[e.Name()] = string(b)
		}
		return got
	}
	bare := t.TempDir()
	if err := synth.CopyTree(root, bare); err != nil {
		t.Fatal(err)
	}
	kept := ""
	for _, b := range res.Site.Bundles {
		if kept == "" && b.Deal.ID != d {
			kept = b.Deal.ID // a site has at least one deal
			continue
		}
		if err := os.RemoveAll(filepath.Join(bare, ContentDir, filepath.Base(b.Dir))); err != nil {
			t.Fatal(err)
		}
	}
	_, bareOut := build(bare, testSecret)
	with, without := assets(out), assets(bareOut)
	for name := range with {
		if _, ok := without[name]; !ok {
			t.Errorf("assets/%s is there only with the other deals: an asset that says something of a deal", name)
		}
	}
	if len(with) != len(without) || len(with) < 3 {
		t.Errorf("assets/ with every deal: %d files, with %s alone: %d", len(with), kept, len(without))
	}
	top := map[string]bool{"index.html": true, "404.html": true, "robots.txt": true, "_headers": true}
	tokDir := regexp.MustCompile(`^[rf]/[a-z2-7]{32}/`)
	err = filepath.WalkDir(out, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, out+string(filepath.Separator)))
		if !top[rel] && !strings.HasPrefix(rel, "assets/") && !tokDir.MatchString(rel) {
			t.Errorf("public/%s: neither a fixed name, a shared asset nor under a token folder", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDealValueNeverInARoom builds the example and looks for each deal's
// value, written any way a page might write it, in every room page and
// calendar maproom writes: the value is for reports only. (A document the
// seller wrote may quote a price, for the people it is shared with: that
// is the document's text, not the deal's value.)
func TestDealValueNeverInARoom(t *testing.T) {
	res, out := buildSite(t, exampleSite(t), deal.NewDate(2026, 11, 22))
	checked := 0
	for _, b := range res.Site.Bundles {
		v := b.Deal.Value
		if v <= 0 {
			t.Fatalf("the example's %s has no value: the test would prove nothing", b.Deal.ID)
		}
		forms := []string{fmt.Sprint(v), fmt.Sprintf("%d,%03d", v/1000, v%1000), fmt.Sprintf("%d %03d", v/1000, v%1000), fmt.Sprintf("%dk", v/1000), fmt.Sprintf("%dK", v/1000)}
		for _, s := range b.Deal.Stakeholders {
			room := filepath.Join(out, "r", token.Room(testSecret, b.Deal.ID, s.ID, s.Rotate))
			err := filepath.WalkDir(room, func(p string, e os.DirEntry, err error) error {
				if err != nil || e.IsDir() || filepath.Dir(p) != room {
					return err
				}
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				for _, f := range forms {
					if bytes.Contains(data, []byte(f)) {
						t.Errorf("%s holds the value of %s as %q", p, b.Deal.ID, f)
					}
				}
				checked++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d files checked", checked)
	}
}

// TestBarePagesStyleAllowedByHash checks that index.html and 404.html carry
// exactly the inline style whose hash the policy allows, in their own
// meta tag and in _headers (which covers them), and that a room's policy
// allows no inline style.
func TestBarePagesStyleAllowedByHash(t *testing.T) {
	res, out := buildSite(t, exampleSite(t), deal.NewDate(2026, 11, 22))
	style := regexp.MustCompile(`<style>(.*?)</style>`)
	headers, err := os.ReadFile(filepath.Join(out, "_headers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"index.html", "404.html"} {
		page, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		m := style.FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s has no inline style", name)
		}
		sum := sha256.Sum256(m[1])
		src := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !bytes.Contains(page, []byte("style-src 'self' "+src)) || !bytes.Contains(headers, []byte("style-src 'self' "+src)) {
			t.Errorf("%s: its style hashes to %s, which its policy or _headers does not allow", name, src)
		}
		if bytes.Contains(page, []byte("Acme")) || bytes.Contains(page, []byte("r/")) {
			t.Errorf("%s names a deal or links a room", name)
		}
	}
	if room := roomOf(t, res, out, "acme-data-platform", "jordan"); !strings.Contains(room, "style-src 'self';") {
		t.Error("a room's policy allows inline style")
	}
}

// TestCollateralPageOneTitle checks that a document whose own first
// heading repeats its title ("Pricing proposal for Acme Corp" under
// "Pricing proposal") shows one title, and that a shorter first heading
// stays as a section.
func TestCollateralPageOneTitle(t *testing.T) {
	for _, tc := range []struct{ src, title, want string }{
		{"# Pricing proposal for Acme Corp\n\ntext", "Pricing proposal", "Pricing proposal for Acme Corp"},
		{"\xef\xbb\xbf\n# Proof-of-concept plan\n", "Proof-of-concept plan", "Proof-of-concept plan"},
		{"# Data processing agreement (draft for Globex review)", "Data processing agreement (draft)", "Data processing agreement (draft for Globex review)"},
		{"# Pricing\n", "Pricing proposal", "Pricing proposal"},
		{"# Pilot offer PQ-1107\n", "Pilot offer and rollout price", "Pilot offer and rollout price"},
		{"Some text\n# Pricing proposal\n", "Pricing proposal", "Pricing proposal"},
	} {
		if got := repeatedTitle([]byte(tc.src), tc.title); got != tc.want {
			t.Errorf("repeatedTitle(%q, %q) = %q, want %q", tc.src, tc.title, got, tc.want)
		}
	}
	res, out := buildSite(t, exampleSite(t), deal.NewDate(2026, 11, 22))
	for _, b := range res.Site.Bundles {
		if b.Deal.ID != "acme-data-platform" {
			continue
		}
		st, _ := b.Deal.Stakeholder("priya")
		page, err := os.ReadFile(filepath.Join(out, "r", token.Room(testSecret, b.Deal.ID, "priya", st.Rotate), "pricing", "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(page, []byte("Pricing proposal")); n != 2 || !bytes.Contains(page, []byte("<h1>Pricing proposal</h1>")) {
			t.Errorf("the pricing page says \"Pricing proposal\" %d times, want twice (its <title> and its h1):\n%.600s", n, page)
		}
	}
}

// FuzzBrand feeds accent colours and logo bytes to their checks: they
// never panic, an accent taken is #rrggbb that reads on white, and a logo
// taken is a PNG, JPEG or GIF with a size.
func FuzzBrand(f *testing.F) {
	for _, seed := range []string{"#0e5a8a", "#036", "#ffcc00", "blue", "#12345", ""} {
		f.Add(seed, []byte(nil))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "brand", "acme-logo.png")); err == nil {
		f.Add("", b)
		f.Add("", b[:40])
	}
	f.Add("", []byte("GIF89a\x01\x00\x01\x00"))
	f.Add("", []byte("\xff\xd8\xff\xe0"))
	f.Add("", []byte("<svg xmlns='http://www.w3.org/2000/svg'/>"))
	f.Fuzz(func(t *testing.T, accent string, logo []byte) {
		if c, err := checkAccent(accent); err == nil {
			if !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(c) || contrastOnWhite(c) < minAccentContrast {
				t.Errorf("accent %q taken as %q", accent, c)
			}
		}
		if l, err := checkLogo(logo, "logo", "[brand] logo"); err == nil {
			if l.W <= 0 || l.H <= 0 || (l.Ext != ".png" && l.Ext != ".jpg" && l.Ext != ".gif") {
				t.Errorf("logo taken as %s %dx%d", l.Ext, l.W, l.H)
			}
		}
	})
}

// TestSharedStakeholderEmail: two stakeholders with one email (in any
// case) is a warning on the second's line: the history credits edits by
// email, so theirs cannot be told apart.
func TestSharedStakeholderEmail(t *testing.T) {
	root := exampleSite(t)
	plan := filepath.Join(root, ContentDir, "acme-data-platform", BundleIndex)
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	jordan := "email: jordan.park@acme.example}"
	if !bytes.Contains(src, []byte(jordan)) {
		t.Fatalf("the example's Jordan Park no longer reads %s", jordan)
	}
	line := 1 + bytes.Count(src[:bytes.Index(src, []byte(jordan))], []byte("\n"))
	if err := os.WriteFile(plan, bytes.Replace(src, []byte(jordan), []byte("email: Marcus.Chen@acme.example}"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ps := Load(LoadOptions{Root: root, Today: deal.NewDate(2026, 11, 22)})
	want := fmt.Sprintf(`%s:%d: warning: stakeholders "marcus" and "jordan" share the email Marcus.Chen@acme.example`, plan, line)
	if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == Warning && strings.Contains(p.Error(), want) }) {
		t.Errorf("no warning %s; problems:\n%v", want, ps)
	}
}
