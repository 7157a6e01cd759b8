package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPullCutShort: an answer that ends before the beacon's cursor line
// leaves the pull folder as it was (no file of half the lines, the cursor
// unchanged), and says to pull again; the next, whole answer is kept.
func TestPullCutShort(t *testing.T) {
	line := `{"v":1,"time":"2026-11-22T10:00:00Z","kind":"view","load":"00000000000000000000000000000001","seq":1}` + "\n"
	whole := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" || r.URL.Path != "/events" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(line + line))
		if whole {
			w.Write([]byte(`{"cursor":"c1","lines":2}` + "\n"))
		}
	}))
	defer srv.Close()
	root := t.TempDir()
	var stderr bytes.Buffer
	e := &env{stderr: &stderr, stdout: &bytes.Buffer{}, getenv: func(string) string { return "" },
		now: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }}
	_, err := pullEvents(context.Background(), e, root, srv.URL, "k")
	if err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("a cut answer: %v", err)
	}
	dir, _ := pullDir(root, srv.URL)
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("a cut answer left %d files in %s", len(files), dir)
	}
	whole = true
	if _, err := pullEvents(context.Background(), e, root, srv.URL, "k"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "events-2026-11-22-pull-000001.jsonl"))
	if err != nil || string(b) != line+line {
		t.Errorf("the pulled file: %q %v", b, err)
	}
	if st, _ := os.ReadFile(filepath.Join(dir, "pull.json")); !strings.Contains(string(st), `"cursor": "c1"`) {
		t.Errorf("pull.json: %s", st)
	}
}
