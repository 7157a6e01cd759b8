package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServePrintsNewLinks: a stakeholder added to a plan while `maproom
// serve` runs, and a link rotated, get their new links printed after the
// rebuild, once, and each link answers; the links printed at the start
// are not printed again.
func TestServePrintsNewLinks(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "site")
	if err := copyExample(root); err != nil {
		t.Fatal(err)
	}
	bin := buildMaproom(t, filepath.Join(tmp, "bin"))
	sv := startServe(t, bin, root)
	start := sv.out.String()
	if strings.Contains(start, "new links:") {
		t.Fatalf("serve printed new links before any change:\n%s", start)
	}

	plan := filepath.Join(root, "content", acme, "index.md")
	src, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(src), "  - {id: rita,", "  - {id: noor, name: Noor Haddad, title: Data Architect, side: buyer, role: technical-evaluator, email: noor.haddad@acme.example}\n  - {id: rita,", 1)
	text = strings.Replace(text, "email: tom.bradley@acme.example, rotate: 1}", "email: tom.bradley@acme.example, rotate: 2}", 1)
	if text == string(src) {
		t.Fatal("the example's stakeholder lines changed: the test's edit no longer applies")
	}
	if err := os.WriteFile(plan, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(serveStart)
	for !strings.Contains(sv.out.String(), "Noor Haddad") {
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no link for the stakeholder added:\n%s\nstderr:\n%s", sv.out.String(), sv.errs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	after := strings.TrimPrefix(sv.out.String(), start)
	if !strings.Contains(after, "new links:") {
		t.Errorf("the links after the rebuild come without their heading:\n%s", after)
	}
	noor, tom := sv.room(t, acme, "Noor Haddad"), sv.room(t, acme, "Tom Bradley")
	if !strings.Contains(after, noor) || !strings.Contains(after, tom) {
		t.Errorf("after the rebuild serve printed\n%s\nwant Noor Haddad's new link %s and Tom Bradley's rotated link %s", after, noor, tom)
	}
	if strings.Contains(after, "Jordan Park") {
		t.Errorf("serve printed again a link it printed before:\n%s", after)
	}
	for _, u := range []string{noor, tom} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s, want 200", u, res.Status)
		}
	}
}
