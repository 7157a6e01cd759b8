package hostconf

import (
	"strings"
	"testing"
)

// TestCheck: a table every host reads the same passes; a header two rules
// give one path, a path hosts cannot match alike, and a value nginx or
// Caddy would read as syntax are each named.
func TestCheck(t *testing.T) {
	good := []Rule{
		{Path: "/*", Headers: []Header{{"X-Frame-Options", "DENY"}}},
		{Path: "/r/*", Headers: []Header{{"Cache-Control", "no-store"}}},
		{Path: "/assets/*", Headers: []Header{{"Cache-Control", "public, max-age=31536000, immutable"}}},
	}
	if err := Check(good); err != nil {
		t.Errorf("Check(good) = %v", err)
	}
	for _, tc := range []struct {
		name  string
		rules []Rule
		want  string
	}{
		{"overlap", []Rule{{Path: "/*", Headers: []Header{{"Cache-Control", "no-store"}}}, {Path: "/assets/*", Headers: []Header{{"cache-control", "max-age=1"}}}}, "rule 1 (/*) and rule 2 (/assets/*) both set cache-control"},
		{"nested overlap", []Rule{{Path: "/r/x/*", Headers: []Header{{"A", "1"}}}, {Path: "/r/*", Headers: []Header{{"A", "2"}}}}, "both set A"},
		{"exact path", []Rule{{Path: "/index.html", Headers: []Header{{"A", "1"}}}}, `path "/index.html"`},
		{"pattern mid-path", []Rule{{Path: "/r/*/x", Headers: []Header{{"A", "1"}}}}, `path "/r/*/x"`},
		{"dollar", []Rule{{Path: "/*", Headers: []Header{{"A", "$host"}}}}, "value \"$host\""},
		{"placeholder", []Rule{{Path: "/*", Headers: []Header{{"A", "{path}"}}}}, "value \"{path}\""},
		{"quote", []Rule{{Path: "/*", Headers: []Header{{"A", `a"b`}}}}, "header A"},
		{"empty", []Rule{{Path: "/*", Headers: []Header{{"A", ""}}}}, "is empty"},
		{"name", []Rule{{Path: "/*", Headers: []Header{{"A B", "1"}}}}, `header name "A B"`},
	} {
		err := Check(tc.rules)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	// Disjoint folders may set the same header.
	if err := Check([]Rule{{Path: "/r/*", Headers: []Header{{"A", "1"}}}, {Path: "/f/*", Headers: []Header{{"A", "1"}}}, {Path: "/ra/*", Headers: []Header{{"A", "2"}}}}); err != nil {
		t.Errorf("disjoint folders: %v", err)
	}
}

func TestFor(t *testing.T) {
	rules := []Rule{
		{Path: "/*", Headers: []Header{{"A", "1"}}},
		{Path: "/r/*", Headers: []Header{{"B", "2"}}},
		{Path: "/assets/*", Headers: []Header{{"C", "3"}}},
	}
	for p, want := range map[string]string{"/": "A", "/r/": "A B", "/r/x/index.html": "A B", "/rx": "A", "/assets/a.css": "A C", "/404.html": "A"} {
		var got []string
		for _, h := range For(rules, p) {
			got = append(got, h.Name)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("For(%q) = %v, want %s", p, got, want)
		}
	}
}

func TestSiteFromURL(t *testing.T) {
	for in, want := range map[string]string{"": "", "https://rooms.example.com": "rooms.example.com", "https://rooms.example.com/": "rooms.example.com", "http://127.0.0.1:8080": "127.0.0.1"} {
		if got, err := SiteFromURL(in); err != nil || got != want {
			t.Errorf("SiteFromURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"https://example.com/rooms/": "under the path /rooms/", "rooms.example.com": "write it like"} {
		if _, err := SiteFromURL(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SiteFromURL(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

func TestSiteCheck(t *testing.T) {
	rules := []Rule{{Path: "/*", Headers: []Header{{"A", "1"}}}}
	var b strings.Builder
	if err := Nginx(&b, Site{Root: "public"}, rules); err == nil || !strings.Contains(err.Error(), "absolute path") {
		t.Errorf("relative root: %v", err)
	}
	if err := Caddy(&b, Site{Root: "/srv/a b"}, rules); err == nil || !strings.Contains(err.Error(), "without spaces") {
		t.Errorf("root with a space: %v", err)
	}
	if err := Caddy(&b, Site{Root: "/srv/p", Listen: "8080"}, rules); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Errorf("listen without a host: %v", err)
	}
}
