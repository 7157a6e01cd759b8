package eventlog

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

// LogFileName is the name of instance's log file for day (YYYY-MM-DD, UTC):
// events-YYYY-MM-DD-<instance>.jsonl.
func LogFileName(day, instance string) string { return "events-" + day + "-" + instance + ".jsonl" }

// logFileGlob matches every log file name in a folder.
const logFileGlob = "events-*.jsonl"

// logDayRe matches a dated log file name: events-YYYY-MM-DD-<instance>.jsonl
// as the beacon writes it, or events-YYYY-MM-DD.jsonl (one day's log kept
// under that name, in a backup, say).
var logDayRe = regexp.MustCompile(`^events-(\d{4}-\d{2}-\d{2})(?:-|\.jsonl$)`)

// LogFileDay returns the day (YYYY-MM-DD) in a log file's name,
// events-YYYY-MM-DD-<instance>.jsonl or events-YYYY-MM-DD.jsonl, and false
// for a name that is not a dated log file's.
func LogFileDay(name string) (string, bool) {
	m := logDayRe.FindStringSubmatch(filepath.Base(name))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// LogFiles lists the log files at paths, each a file (taken as it is,
// whatever its name) or a folder (its events-*.jsonl files), ordered by the
// day in their names (a name without one first), then as given, folders'
// files by name: by day, then instance. Every reader of the log (events,
// replies, the report, purge) reads files in this order.
func LogFiles(paths []string) ([]string, error) {
	type file struct{ day, path string }
	var files []file
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		names := []string{p}
		if fi.IsDir() {
			if names, err = filepath.Glob(filepath.Join(p, logFileGlob)); err != nil {
				return nil, err
			}
			sort.Strings(names)
		}
		for _, n := range names {
			day, _ := LogFileDay(n)
			files = append(files, file{day, n})
		}
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].day < files[j].day })
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out, nil
}
