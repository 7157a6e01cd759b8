package generator

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestDebounceBatchesABurst: events closer together than the quiet time
// make one batch, sent once the quiet time has passed after the last one.
func TestDebounceBatchesABurst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		raw := make(chan string)
		out := make(chan Batch)
		go debounce(ctx, raw, make(chan struct{}), 100*time.Millisecond, out)
		start := time.Now()
		for _, p := range []string{"b.md", "a.md", "b.md", "c.md"} {
			raw <- p
			time.Sleep(60 * time.Millisecond) // less than the quiet time
		}
		b := <-out
		if got := time.Since(start); got != 4*60*time.Millisecond+40*time.Millisecond {
			t.Errorf("batch sent after %v, want 280ms (100ms after the last event)", got)
		}
		if want := []string{"a.md", "b.md", "c.md"}; !reflect.DeepEqual(b.Paths, want) || b.All {
			t.Errorf("batch = %+v, want paths %v", b, want)
		}
		// A later, separate event makes a batch of its own.
		raw <- "d.md"
		if b := <-out; !reflect.DeepEqual(b.Paths, []string{"d.md"}) {
			t.Errorf("second batch = %+v", b)
		}
	})
}

// TestDebounceOverflowMeansAll: after an overflow the batch asks for a full
// rebuild.
func TestDebounceOverflowMeansAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		raw := make(chan string)
		overflow := make(chan struct{}, 1)
		out := make(chan Batch)
		go debounce(ctx, raw, overflow, 50*time.Millisecond, out)
		overflow <- struct{}{}
		if b := <-out; !b.All {
			t.Errorf("overflow batch = %+v, want All", b)
		}
	})
}

// TestDebounceNothingWithoutEvents: no event, no batch.
func TestDebounceNothingWithoutEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		out := make(chan Batch)
		go debounce(ctx, make(chan string), make(chan struct{}), 50*time.Millisecond, out)
		time.Sleep(time.Hour)
		synctest.Wait()
		select {
		case b := <-out:
			t.Errorf("unexpected batch %+v", b)
		default:
		}
		cancel()
	})
}

func TestIgnoredNames(t *testing.T) {
	for name, want := range map[string]bool{"index.md": false, "pricing.pdf": false, "index.md~": true, ".index.md.swp": true,
		"4913": true, "#index.md#": true, ".#index.md": true, ".DS_Store": true, "notes.tmp": true} {
		if got := ignoredName(name); got != want {
			t.Errorf("ignoredName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestWatchRenamedFolder holds Watch to a deal folder renamed while the
// preview runs: an edit saved in it afterwards, and in a folder inside it,
// is reported under the folder's new name.
func TestWatchRenamedFolder(t *testing.T) {
	content := filepath.Join(t.TempDir(), "content")
	for _, d := range []string{"acme", "acme/docs"} {
		if err := os.MkdirAll(filepath.Join(content, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(content, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("acme/index.md", "one\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches, err := Watch(ctx, WatchOptions{Roots: []string{content}})
	if err != nil {
		t.Fatal(err)
	}
	// wait returns once a batch names want, failing after a deadline.
	wait := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		var seen []string
		for {
			select {
			case b := <-batches:
				seen = append(seen, b.Paths...)
				if b.All || slices.Contains(b.Paths, want) {
					return
				}
			case <-deadline:
				t.Fatalf("no change reported for %s; reported: %s", want, strings.Join(seen, ", "))
			}
		}
	}
	write("acme/index.md", "two\n")
	wait(filepath.Join(content, "acme", "index.md"))

	if err := os.Rename(filepath.Join(content, "acme"), filepath.Join(content, "acme-corp")); err != nil {
		t.Fatal(err)
	}
	wait(filepath.Join(content, "acme-corp"))
	time.Sleep(3 * rewatchAfter) // the new name is watched again meanwhile
	write("acme-corp/index.md", "three\n")
	wait(filepath.Join(content, "acme-corp", "index.md"))
	write("acme-corp/docs/brief.md", "brief\n")
	wait(filepath.Join(content, "acme-corp", "docs", "brief.md"))
}
