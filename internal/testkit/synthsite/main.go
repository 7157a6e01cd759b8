// Command synthsite writes a synthetic maproom site for benchmarks:
//
//	go run ./internal/testkit/synthsite -out /tmp/bigsite -deals 1000 -stakeholders 8 -pages 3
//	go run ./cmd/maproom build -root /tmp/bigsite -today 2027-01-15
//
// With -events N it also writes a beacon log of about N events
// (internal/testkit/synthlog) into OUT/.maproom/events for the days before
// -today, and the room manifest a build with MAPROOM_SECRET set to -secret
// would write on -today (.maproom/rooms.json, without rendering a room):
// what `maproom report -root OUT` reads.
//
//	go run ./internal/testkit/synthsite -out /tmp/bigsite -deals 1000 -events 1000000
//	maproom report -root /tmp/bigsite -today 2027-03-01 -format json
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/testkit/synthlog"
)

// DefaultSecret is the site secret the logs' room keys derive from unless
// -secret says otherwise (the analytics benchmark's).
const DefaultSecret = "bench-secret-0123456789abcdef0123456789"

func main() {
	var o synth.Options
	out := flag.String("out", "", "folder to write the site into (required; must not exist)")
	flag.IntVar(&o.Deals, "deals", 1000, "deals")
	flag.IntVar(&o.Stakeholders, "stakeholders", 8, "stakeholders per deal")
	flag.IntVar(&o.Pages, "pages", 3, "Markdown collateral pages per deal")
	flag.IntVar(&o.Files, "files", 0, "collateral files (PDF) per deal")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.BoolVar(&o.RandomAudiences, "random-audiences", false, "random collateral audiences")
	events := flag.Int("events", 0, "also write a beacon log of about this many events into OUT/.maproom/events")
	today := flag.String("today", "2027-03-01", "with -events: the report's day; the log ends the day before")
	secret := flag.String("secret", DefaultSecret, "with -events: the site secret the room keys derive from")
	flag.Parse()
	if *out == "" {
		fail(2, "-out is required")
	}
	if _, err := os.Stat(*out); err == nil {
		fail(2, "%s exists; choose a new folder", *out)
	}
	day, err := deal.ParseDate(*today)
	if err != nil {
		fail(2, "-today %q: write YYYY-MM-DD", *today)
	}
	if *events <= 0 {
		if err := synth.Write(*out, o); err != nil {
			fail(1, "%v", err)
		}
		return
	}
	dir := filepath.Join(*out, ".maproom", "events")
	n, err := synthlog.WriteSite(*out, o, *events, day, []byte(*secret))
	if err != nil {
		fail(1, "%v", err)
	}
	fmt.Fprintf(os.Stderr, "synthsite: %d deals, %d events in %s\n", o.Deals, n, dir)
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "synthsite: "+format+"\n", args...)
	os.Exit(code)
}
