package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/testkit/synth"
	"github.com/maproom/maproom/internal/token"
)

// durationPlan is a deal scheduled by durations only: no task has a due
// date of its own, so every date the room and the report show is the one
// the schedule computes. Its close (2026-12-01) is behind the day the test
// builds for (2026-12-10), as in the issue that found the room and the
// report disagreeing.
const durationPlan = `---
title: Duration plan
buyer: Buyer Co
seller: Seller Co
goal: Signed by 1 December so the January launch ships
close: 2026-12-01
outcome: open
stakeholders:
  - {id: bea, name: Bea Buyer, title: CFO, side: buyer, role: economic-buyer, email: bea@buyer.example}
  - {id: tom, name: Tom Tech, title: CTO, side: buyer, role: technical-evaluator, email: tom@buyer.example}
  - {id: sam, name: Sam Seller, title: Account Executive, side: seller, role: account-executive, email: sam@seller.example}
milestones:
  - id: eval
    title: Evaluation passed
    lead: tom
    evidence: Evaluation report stating proceed
    tasks:
      - {id: trial, title: Trial run, owner: tom, duration: 5, status: in-progress, evidence: Trial report}
      - {id: review, title: Security review, owner: tom, duration: 3, after: [trial], evidence: Signed questionnaire}
  - id: sign
    title: Contract signed
    lead: bea
    evidence: Countersigned order form
    tasks:
      - {id: quote, title: Quote sent, owner: sam, duration: 2, after: [review], evidence: Quote PDF}
      - {id: budget, title: Budget approved, owner: bea, duration: 4, after: [quote], evidence: Budget approval email}
      - {id: signed, title: Order form signed, owner: bea, duration: 1, after: [budget], evidence: Countersigned order form}
---
Welcome.
`

// TestRoomsAgreeWithReport builds a site and reports on it for the same
// day, then checks that every task row of every room shows the due date,
// days late and severity that the report's JSON gives the same task: the
// two sides call one rule (internal/deal, internal/schedule), and this
// holds them to it on the example site and on a plan scheduled by
// durations.
func TestRoomsAgreeWithReport(t *testing.T) {
	cases := []struct {
		name, today string
		setup       func(t *testing.T, root string)
	}{
		{"example", "2026-11-22", func(t *testing.T, root string) {
			if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
				t.Fatal(err)
			}
		}},
		{"durations", "2026-12-10", func(t *testing.T, root string) {
			dir := filepath.Join(root, "content", "duration-deal")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "index.md"), []byte(durationPlan), 0o644); err != nil {
				t.Fatal(err)
			}
			toml := "title = \"Seller Co deal rooms\"\ntimezone = \"Europe/London\"\nbase_url = \"https://rooms.example\"\nbeacon_url = \"https://beacon.example/note\"\n"
			if err := os.WriteFile(filepath.Join(root, "maproom.toml"), []byte(toml), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("MAPROOM_SECRET", testSecret)
			root := t.TempDir()
			c.setup(t, root)
			ctx := context.Background()
			var out, errb bytes.Buffer
			if err := run(ctx, []string{"build", "-root", root, "-today", c.today}, nil, &out, &errb); err != nil {
				t.Fatalf("build: %v\n%s", err, errb.String())
			}
			out.Reset()
			if err := run(ctx, []string{"report", "-root", root, "-today", c.today, "-format", "json"}, nil, &out, &errb); err != nil {
				t.Fatalf("report: %v\n%s", err, errb.String())
			}
			want := reportTasks(t, out.Bytes())
			m, err := manifest.Read(filepath.Join(root, manifest.DefaultPath))
			if err != nil {
				t.Fatal(err)
			}
			rooms := roomDirs(t, filepath.Join(root, "public", "r"))
			if len(rooms) == 0 {
				t.Fatal("the build wrote no room")
			}
			checked, late := 0, 0
			for _, dir := range rooms {
				html, err := os.ReadFile(filepath.Join(dir, "index.html"))
				if err != nil {
					t.Fatal(err)
				}
				dealID := roomDeal(t, m, filepath.Base(dir))
				for _, row := range roomRows(html) {
					w, ok := want[dealID+"/"+row.id]
					if !ok {
						t.Errorf("%s: room row %s is not in the report", dealID, row.id)
						continue
					}
					if row != w {
						t.Errorf("%s: task %s: room shows %+v, report says %+v", dealID, row.id, row, w)
					}
					checked++
					if row.late > 0 {
						late++
					}
				}
			}
			if checked == 0 || late == 0 {
				t.Fatalf("checked %d rows, %d of them late: the site must have late tasks for the test to mean anything", checked, late)
			}
		})
	}
}

// taskRow is what a room's plan table and the report say of one task.
type taskRow struct {
	id, due, severity string
	late              int
}

var (
	rowRE      = regexp.MustCompile(`(?s)<tr id="?t-([a-z0-9-]+)"?(?: class="?([a-z ]*)"?)?>(.*?)</tr>`)
	dueRE      = regexp.MustCompile(`<time datetime="?(\d{4}-\d\d-\d\d)"?>`)
	lateRE     = regexp.MustCompile(`(\d+) days? late`)
	severities = []string{"alert", "flag", "late"}
)

// roomRows reads the plan table of a room page.
func roomRows(html []byte) []taskRow {
	var rows []taskRow
	for _, m := range rowRE.FindAllSubmatch(html, -1) {
		r := taskRow{id: string(m[1])}
		cells := bytes.SplitN(m[3], []byte("<td"), 5)
		if len(cells) > 2 {
			if d := dueRE.FindSubmatch(cells[2]); d != nil {
				r.due = string(d[1])
			}
		}
		if l := lateRE.FindSubmatch(m[3]); l != nil {
			r.late, _ = strconv.Atoi(string(l[1]))
		}
		for _, s := range severities {
			if regexp.MustCompile(`\b` + s + `\b`).Match(m[2]) {
				r.severity = s
				break
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// reportTasks indexes the report's tasks by deal/task with their overdue
// figures.
func reportTasks(t *testing.T, js []byte) map[string]taskRow {
	t.Helper()
	var rep struct {
		Deals []struct {
			ID    string `json:"id"`
			Tasks []struct {
				ID  string `json:"id"`
				Due string `json:"due"`
			} `json:"tasks"`
			Overdue []struct {
				Task     string `json:"task"`
				DaysLate int    `json:"days_late"`
				Severity string `json:"severity"`
			} `json:"overdue"`
		} `json:"deals"`
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	out := map[string]taskRow{}
	for _, d := range rep.Deals {
		for _, tk := range d.Tasks {
			out[d.ID+"/"+tk.ID] = taskRow{id: tk.ID, due: tk.Due}
		}
		for _, o := range d.Overdue {
			r := out[d.ID+"/"+o.Task]
			r.late, r.severity = o.DaysLate, o.Severity
			out[d.ID+"/"+o.Task] = r
		}
	}
	return out
}

// roomDirs lists public/r/<token> folders.
func roomDirs(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// roomDeal finds the deal of a room token through the manifest.
func roomDeal(t *testing.T, m *manifest.Manifest, tok string) string {
	t.Helper()
	r, ok := m.Index()[token.Key(tok)]
	if !ok {
		t.Fatalf("room %s is not in the manifest", tok)
	}
	return r.Deal
}
