package blueprint

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	root := t.TempDir()
	example, err := os.ReadFile("testdata/worked-example.md")
	if err != nil {
		t.Fatal(err)
	}
	cycle := strings.Replace(string(example), "        duration: 21\n", "        duration: 21\n        after: [signature]\n", 1)
	files := map[string]string{
		"custom.md":          string(example),
		"security-heavy.md":  string(example),
		"enterprise-saas.md": cycle,
		"broken.md":          "no frontmatter\n",
		".hidden.md":         "ignored",
		"notes.txt":          "ignored",
		"_draft.md":          "ignored",
	}
	dir := filepath.Join(root, "templates")
	if err := os.MkdirAll(filepath.Join(dir, "sub.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Load(root)
	if s == nil {
		t.Fatal(err)
	}
	wantErr := filepath.Join(dir, "broken.md") + ":1: no frontmatter: start the template with a line ---, the plan in YAML, then a line --- before the welcome note's skeleton\n" +
		filepath.Join(dir, "enterprise-saas.md") + ":10: dependency cycle: security -> legal -> procurement -> signature -> security (each task waits for the one before it): remove one `after:` entry"
	if err == nil || err.Error() != wantErr {
		t.Errorf("Load error:\n%v\nwant:\n%s", err, wantErr)
	}
	if want := []string{"custom", "mid-market-fast-track", "renewal-expansion", "security-heavy"}; !slices.Equal(s.Names(), want) {
		t.Errorf("names %v, want %v", s.Names(), want)
	}
	for _, tt := range []struct {
		name                string
		builtin, overrides  bool
		file, wantErrPrefix string
	}{
		{name: "custom", file: filepath.Join(dir, "custom.md")},
		{name: "security-heavy", overrides: true, file: filepath.Join(dir, "security-heavy.md")},
		{name: "renewal-expansion", builtin: true, file: "builtin/renewal-expansion.md"},
		{name: "enterprise-saas", wantErrPrefix: filepath.Join(dir, "enterprise-saas.md") + ":10: dependency cycle"},
		{name: "broken", wantErrPrefix: filepath.Join(dir, "broken.md") + ":1: no frontmatter"},
		{name: "hidden", wantErrPrefix: `unknown template "hidden": use one of custom, mid-market-fast-track, renewal-expansion, security-heavy (maproom new -list describes them), or add templates/hidden.md`},
	} {
		tm, err := s.Lookup(tt.name)
		if tt.wantErrPrefix != "" {
			if tm != nil || err == nil || !strings.HasPrefix(err.Error(), tt.wantErrPrefix) {
				t.Errorf("Lookup(%s): %v, %v; want the error %s", tt.name, tm, err, tt.wantErrPrefix)
			}
			continue
		}
		if err != nil {
			t.Errorf("Lookup(%s): %v", tt.name, err)
			continue
		}
		if tm.Name != tt.name || tm.Builtin != tt.builtin || tm.Overrides != tt.overrides || tm.File != tt.file {
			t.Errorf("Lookup(%s) = %s builtin %v overrides %v file %s", tt.name, tm.Name, tm.Builtin, tm.Overrides, tm.File)
		}
	}
	if _, err := s.Lookup("nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Lookup(nope): %v is not ErrUnknown", err)
	}
	if len(s.All()) != 4 {
		t.Errorf("All: %d templates", len(s.All()))
	}
}

func TestLoadNoFolder(t *testing.T) {
	s, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"enterprise-saas", "mid-market-fast-track", "renewal-expansion", "security-heavy"}; !slices.Equal(s.Names(), want) {
		t.Errorf("names %v, want %v", s.Names(), want)
	}
}

// TestBuiltinsNameNoBuyerLabels: a built-in template's words that rooms
// show (titles, evidence, the welcome note) never call a buyer "the
// champion" or "the economic buyer", which their colleagues would read
// (the rooms never show those labels); only the owner:, lead: and
// audience: fields, which the rooms resolve to people, name the roles.
func TestBuiltinsNameNoBuyerLabels(t *testing.T) {
	label := regexp.MustCompile(`(?i)\bchampion\b|\beconomic[ -]buyer\b`)
	field := regexp.MustCompile(`\b(?:owner|lead|audience|role)\s*:\s*(?:\[[^\]]*\]|[^,}\n]*)`)
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := builtinFS.ReadFile("builtin/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if rest := field.ReplaceAllString(line, ""); label.MatchString(rest) {
				t.Errorf("builtin/%s:%d shows a buyer's label to the rooms: %s", e.Name(), i+1, strings.TrimSpace(line))
			}
		}
	}
}
