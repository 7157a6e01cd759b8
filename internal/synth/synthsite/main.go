// Command synthsite writes a synthetic maproom site for benchmarks:
//
//	go run ./internal/synth/synthsite -out /tmp/bigsite -deals 1000 -stakeholders 8 -pages 3
//	go run ./cmd/maproom build -root /tmp/bigsite -today 2027-01-15
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/maproom/maproom/internal/synth"
)

func main() {
	var o synth.Options
	out := flag.String("out", "", "folder to write the site into (required; must not exist)")
	flag.IntVar(&o.Deals, "deals", 1000, "deals")
	flag.IntVar(&o.Stakeholders, "stakeholders", 8, "stakeholders per deal")
	flag.IntVar(&o.Pages, "pages", 3, "Markdown collateral pages per deal")
	flag.IntVar(&o.Files, "files", 0, "collateral files (PDF) per deal")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.BoolVar(&o.RandomAudiences, "random-audiences", false, "random collateral audiences")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synthsite: -out is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "synthsite: %s exists; choose a new folder\n", *out)
		os.Exit(2)
	}
	if err := synth.Write(*out, o); err != nil {
		fmt.Fprintln(os.Stderr, "synthsite:", err)
		os.Exit(1)
	}
}
