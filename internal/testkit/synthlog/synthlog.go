// Package synthlog writes synthetic beacon logs for the deals of a
// synthetic site (internal/testkit/synth): the event log behind the report
// benchmarks, the analytics one (aggregation) and the command's
// (maproom report end to end). The same arguments always write the same
// bytes.
package synthlog

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/maproom/maproom/analytics/event"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"
)

// PerDay is the events a day the log holds whatever its size: a log of n
// events covers n/PerDay days, the last of them the day before today.
const PerDay = 1_000_000 / 60

// Write writes about n events (at least PerDay) for deals into dir as the
// daily logs of two beacon instances, events-YYYY-MM-DD-beacon-{1,2}.jsonl,
// and returns how many distinct events it wrote. Each page-load is one
// buyer's or seller's room, in a random deal, with a view, seven
// heartbeats of 12 s active time, an open of a random document of the deal
// and a hide; 1 page-load in 20 is a crawler's, and each instance holds a
// copy of about 1% of the other's events (a retry), which the report must
// count once. Room keys derive from secret as the build's do, so a site
// built with the same secret resolves them. dir is created if needed.
func Write(dir string, deals []*deal.Deal, secret []byte, today deal.Date, n int) (int, error) {
	people := 0
	for _, d := range deals {
		people += len(d.Stakeholders)
	}
	if people == 0 {
		return 0, fmt.Errorf("synthlog: no deal has a stakeholder, so no room to visit")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(7, 7))
	days := max(1, n/PerDay)
	start := today.AddDays(-days).Time().Add(8 * time.Hour)
	perDay := n / days
	written, load := 0, 0
	var buf []byte
	kinds := []event.Kind{event.KindView, event.KindHB, event.KindHB, event.KindHB, event.KindHB,
		event.KindHB, event.KindHB, event.KindHB, event.KindOpen, event.KindHide}
	for day := 0; day < days; day++ {
		name := today.AddDays(-days + day).String()
		var files [2]*os.File
		var ws [2]*bufio.Writer
		for i := range files {
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("events-%s-beacon-%d.jsonl", name, i+1)))
			if err != nil {
				return written, err
			}
			files[i], ws[i] = f, bufio.NewWriterSize(f, 1<<20)
		}
		for k := 0; k < perDay; {
			d := deals[r.IntN(len(deals))]
			if len(d.Stakeholders) == 0 {
				continue
			}
			p := d.Stakeholders[r.IntN(len(d.Stakeholders))]
			load++
			e := event.Event{V: event.SchemaVersion, Deal: d.ID, Stakeholder: p.ID, Side: string(p.Side), Role: string(p.Role),
				Room: token.Key(token.Room(secret, d.ID, p.ID, p.Rotate)), Rotation: p.Rotate, Page: manifest.PageRoom,
				Load: fmt.Sprintf("%032x", load), Net: fmt.Sprintf("198.51.%d.0/24", r.IntN(4)), UA: event.UABrowser, Instance: "beacon-1"}
			if r.IntN(20) == 0 {
				e.UA, e.Crawler = event.UACrawler, "Googlebot"
			}
			at := start.Add(time.Duration(day)*24*time.Hour + time.Duration(r.IntN(10*3600))*time.Second)
			inst := r.IntN(2)
			for seq, kind := range kinds {
				e.Time, e.Kind, e.Seq, e.Collateral = at.Add(time.Duration(seq)*15*time.Second), kind, int64(seq), ""
				e.ActiveMS, e.VisibleMS = 0, 0
				if kind == event.KindHB || kind == event.KindHide {
					e.ActiveMS, e.VisibleMS = 12000, 15000
				}
				if kind == event.KindOpen && len(d.Collateral) > 0 {
					e.Collateral = d.Collateral[r.IntN(len(d.Collateral))].ID
				}
				buf = e.AppendJSON(buf[:0])
				ws[inst].Write(buf)
				if r.IntN(100) == 0 {
					ws[1-inst].Write(buf) // the other instance got a retry
				}
				written++
				k++
			}
		}
		for i := range files {
			if err := ws[i].Flush(); err != nil {
				files[i].Close()
				return written, err
			}
			if err := files[i].Close(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// WriteSite writes what `maproom report -root root` reads for the synthetic
// site o describes (synth.Write): the plans, about events events in
// root/.maproom/events (Write) for the days before today, and the room
// manifest a build with secret would write on today, without rendering a
// room. It returns how many events it wrote. root must not exist yet or be
// empty.
func WriteSite(root string, o synth.Options, events int, today deal.Date, secret []byte) (int, error) {
	if err := synth.Write(root, o); err != nil {
		return 0, err
	}
	site, ps := generator.Load(generator.LoadOptions{Root: root, Today: today})
	if ps.Errors() > 0 {
		return 0, fmt.Errorf("synthlog: the synthetic site has errors: %v", ps[0])
	}
	var ds []*deal.Deal
	m := &manifest.Manifest{Version: manifest.Version}
	for _, b := range site.Bundles {
		ds = append(ds, b.Deal)
		m.Rooms = append(m.Rooms, generator.RoomsOf(b.Deal, secret)...)
	}
	if err := manifest.Publish(filepath.Join(root, manifest.DefaultPath), m, today.String()); err != nil {
		return 0, err
	}
	return Write(filepath.Join(root, ".maproom", "events"), ds, secret, today, events)
}
