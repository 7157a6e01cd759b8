package eventlog

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestLogFileDay(t *testing.T) {
	for _, c := range []struct {
		name, day string
		ok        bool
	}{
		{"events-2026-11-22-i1.jsonl", "2026-11-22", true},
		{"backup/events-2026-11-22-pull-000003.jsonl", "2026-11-22", true},
		{"events-2026-11-22.jsonl", "2026-11-22", true},
		{"backup/events-2026-11-22.jsonl", "2026-11-22", true},
		// Names the reader cannot date: read first, as given.
		{"events-2026-11-22x.jsonl", "", false},
		{"events-2026-11-22.jsonl.bak", "", false},
		{"events-2026-11-22_i1.jsonl", "", false},
		{"events-all.jsonl", "", false},
		{"events.jsonl", "", false},
		{"2026-11-22.jsonl", "", false},
	} {
		day, ok := LogFileDay(c.name)
		if day != c.day || ok != c.ok {
			t.Errorf("LogFileDay(%q) = %q, %v; want %q, %v", c.name, day, ok, c.day, c.ok)
		}
	}
}

// TestLogFilesUnsuffixedNames: folders holding the same events (a backup
// copy) in files named events-YYYY-MM-DD.jsonl, without the instance, are
// read day by day as with the beacon's names: every copy is dropped as a
// duplicate and the events come in time order.
func TestLogFilesUnsuffixedNames(t *testing.T) {
	const days = 4 // more than DedupeWindow: a folder read whole before the other would deliver its first days again
	write := func(name func(day string) string) (paths []string) {
		root := t.TempDir()
		for _, folder := range []string{"live", "backup"} {
			dir := filepath.Join(root, folder)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for d := range days {
				at := testNow.AddDate(0, 0, d)
				var data []byte
				for i := range 3 {
					e := testEvent(loadID(10*d+i), int64(i), at.Add(time.Duration(i)*time.Hour))
					data = e.AppendJSON(data)
				}
				if err := os.WriteFile(filepath.Join(dir, name(at.Format(time.DateOnly))), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			paths = append(paths, dir)
		}
		return paths
	}
	std := write(func(day string) string { return LogFileName(day, "i1") })
	bare := write(func(day string) string { return "events-" + day + ".jsonl" })

	files, err := LogFiles(bare)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, f := range files {
		order = append(order, filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f)))
	}
	var want []string
	for d := range days {
		day := testNow.AddDate(0, 0, d).Format(time.DateOnly)
		want = append(want, "live/events-"+day+".jsonl", "backup/events-"+day+".jsonl")
	}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("LogFiles order\n%q\nwant\n%q", order, want)
	}

	wantEvs, wantSt := readAll(t, std...)
	evs, st := readAll(t, bare...)
	if wantSt.Duplicates != 3*days || wantSt.Events != 3*days {
		t.Fatalf("beacon's names: %+v, want %d events and as many duplicates", wantSt, 3*days)
	}
	if !reflect.DeepEqual(st, wantSt) {
		t.Errorf("names without the instance: %+v\nwant (the beacon's names) %+v", st, wantSt)
	}
	if !reflect.DeepEqual(evs, wantEvs) {
		t.Errorf("names without the instance: %d events, want the %d read with the beacon's names, in the same order", len(evs), len(wantEvs))
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Time.Before(evs[i-1].Time) {
			t.Fatalf("event %d at %s comes after one at %s", i, evs[i].Time, evs[i-1].Time)
		}
	}
}
