package blueprint

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/frontmatter"
	"github.com/maproom/maproom/internal/schedule"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the actual output")

func date(t testing.TB, s string) deal.Date {
	t.Helper()
	d, err := deal.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func calendar(t testing.TB, holidays ...string) schedule.Calendar {
	var hs []deal.Date
	for _, h := range holidays {
		hs = append(hs, date(t, h))
	}
	return schedule.NewCalendar(hs...)
}

func workedExample(t testing.TB) *Template {
	t.Helper()
	b, err := os.ReadFile("testdata/worked-example.md")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := Parse("testdata/worked-example.md", b)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestDraftDates is the worked example of domain.md ("A schedule worked
// backwards": go-live 1 August, 30 days of onboarding, procurement 14 days,
// legal redlines 10, security review 21), in business days as everything in
// maproom is, and its variants: the dates of internal/schedule's
// TestWorkedExample, from --golive or --close, with and without holidays.
func TestDraftDates(t *testing.T) {
	usHolidays := []string{"2026-05-25", "2026-07-03"}
	tests := []struct {
		name          string
		close, goLive string
		holidays      []string
		wantClose     string
		want          map[string]string // task and milestone due dates
		wantStart     string
	}{{
		name:      "go-live, no holidays",
		goLive:    "2026-08-01",
		wantClose: "2026-06-19",
		want: map[string]string{"signature": "2026-06-19", "procurement": "2026-06-19", "legal": "2026-06-01", "security": "2026-05-18",
			"m:security-approved": "2026-05-18", "m:contract-agreed": "2026-06-01", "m:signature": "2026-06-19"},
		wantStart: "2026-04-20",
	}, {
		name:      "go-live, US holidays",
		goLive:    "2026-08-01",
		holidays:  usHolidays,
		wantClose: "2026-06-18",
		want:      map[string]string{"signature": "2026-06-18", "procurement": "2026-06-18", "legal": "2026-05-29", "security": "2026-05-14"},
		wantStart: "2026-04-16",
	}, {
		name:      "go-live on the Monday after",
		goLive:    "2026-08-03",
		wantClose: "2026-06-19",
		want:      map[string]string{"signature": "2026-06-19", "security": "2026-05-18"},
		wantStart: "2026-04-20",
	}, {
		name:      "close",
		close:     "2026-06-19",
		wantClose: "2026-06-19",
		want:      map[string]string{"signature": "2026-06-19", "procurement": "2026-06-19", "legal": "2026-06-01", "security": "2026-05-18"},
		wantStart: "2026-04-20",
	}, {
		name:      "close on a Saturday: due the Friday before",
		close:     "2026-06-20",
		wantClose: "2026-06-20",
		want:      map[string]string{"signature": "2026-06-19", "legal": "2026-06-01"},
		wantStart: "2026-04-20",
	}, {
		name:      "close on a holiday",
		close:     "2026-07-03",
		holidays:  usHolidays,
		wantClose: "2026-07-03",
		want:      map[string]string{"signature": "2026-07-02", "procurement": "2026-07-02", "legal": "2026-06-12", "security": "2026-05-29"},
		wantStart: "2026-04-30",
	}}
	tm := workedExample(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Calendar: calendar(t, tt.holidays...)}
			if tt.close != "" {
				opts.Close = date(t, tt.close)
			}
			if tt.goLive != "" {
				opts.GoLive = date(t, tt.goLive)
			}
			dr, err := tm.Draft(opts)
			if err != nil {
				t.Fatal(err)
			}
			if dr.Close.String() != tt.wantClose || dr.Start.String() != tt.wantStart {
				t.Errorf("close %s start %s, want %s and %s", dr.Close, dr.Start, tt.wantClose, tt.wantStart)
			}
			written := writtenDates(t, dr.Source)
			if written["close"] != tt.wantClose {
				t.Errorf("close: %s written, want %s", written["close"], tt.wantClose)
			}
			for id, want := range tt.want {
				if !strings.HasPrefix(id, "m:") && dr.Due[id].String() != want {
					t.Errorf("%s due %s, want %s", id, dr.Due[id], want)
				}
				if written[id] != want {
					t.Errorf("%s: due %s written, want %s", id, written[id], want)
				}
			}
		})
	}
}

// writtenDates reads back the dates of a rendered index.md: close, each
// task's due by id and each milestone's due as "m:<id>".
func writtenDates(t *testing.T, src []byte) map[string]string {
	t.Helper()
	fm := frontOf(t, src)
	var d struct {
		Close      string `yaml:"close"`
		Milestones []struct {
			ID, Due string
			Tasks   []struct{ ID, Due string }
		} `yaml:"milestones"`
	}
	if err := yaml.Unmarshal(fm, &d); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{"close": d.Close}
	for _, ms := range d.Milestones {
		m["m:"+ms.ID] = ms.Due
		for _, k := range ms.Tasks {
			m[k.ID] = k.Due
		}
	}
	return m
}

// frontOf is the frontmatter of a drafted plan, cut as the loader cuts it.
func frontOf(t testing.TB, src []byte) []byte {
	t.Helper()
	doc, problem := frontmatter.Split(src)
	if problem != frontmatter.OK {
		t.Fatalf("no frontmatter in\n%s", src)
	}
	return doc.Front
}

// TestDraftOverrun checks the warning of a date that cannot be met: a week
// after the security review should have started, the plan finishes five
// business days late, along the whole chain.
func TestDraftOverrun(t *testing.T) {
	tm := workedExample(t)
	tests := []struct {
		today       string
		overrun     int
		finish      string
		critical    []string
		wantFitting bool
	}{
		{"2026-04-20", 0, "2026-06-19", []string{"security", "legal", "procurement", "signature"}, true},
		{"2026-04-18", 0, "2026-06-19", []string{"security", "legal", "procurement", "signature"}, true}, // a Saturday
		{"2026-04-21", 1, "2026-06-22", []string{"security", "legal", "procurement", "signature"}, false},
		{"2026-04-27", 5, "2026-06-26", []string{"security", "legal", "procurement", "signature"}, false},
		{"2026-07-01", 52, "2026-09-01", []string{"security", "legal", "procurement", "signature"}, false}, // after the close date itself
	}
	for _, tt := range tests {
		dr, err := tm.Draft(Options{GoLive: date(t, "2026-08-01"), Today: date(t, tt.today)})
		if err != nil {
			t.Fatal(err)
		}
		if dr.Overrun != tt.overrun || dr.Finish.String() != tt.finish || !slices.Equal(dr.CriticalPath, tt.critical) {
			t.Errorf("today %s: overrun %d finish %s critical %v, want %d, %s, %v", tt.today, dr.Overrun, dr.Finish, dr.CriticalPath, tt.overrun, tt.finish, tt.critical)
		}
	}
}

func TestDraftDeterministic(t *testing.T) {
	ts, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range ts {
		opts := goldenOptions(t)
		a, err := tm.Draft(opts)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			b, _ := tm.Draft(opts)
			if !bytes.Equal(a.Source, b.Source) {
				t.Fatalf("%s: two drafts differ", tm.Name)
			}
		}
	}
}

func TestDraftNeedsADate(t *testing.T) {
	if _, err := workedExample(t).Draft(Options{}); err == nil {
		t.Fatal("a draft without close or go-live date")
	}
}

// TestDraftDefaults checks what a new deal gets when only the date is
// given, and that values with YAML syntax in them are quoted.
func TestDraftDefaults(t *testing.T) {
	tm := workedExample(t)
	dr, err := tm.Draft(Options{Close: date(t, "2026-06-19")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"title: \"[[your company]] for [[the buyer's company]]\"\n",
		"buyer: \"[[the buyer's company]]\"\n", "seller: \"[[your company]]\"\n",
		"goal: \"Signed by 19 June 2026 so that [[the buyer's business reason, with its date]]\"\n",
		"Hello [[the buyer's company]] team, signature by 19 June 2026, live on [[the go-live date]].\n"} {
		if !bytes.Contains(dr.Source, []byte(want)) {
			t.Errorf("no %q in\n%s", want, dr.Source)
		}
	}
	if bytes.Contains(dr.Source, []byte("golive:")) {
		t.Errorf("golive: written without a go-live date")
	}
	dr, err = tm.Draft(Options{GoLive: date(t, "2026-08-01"), Buyer: "Acme: Corp #1", Seller: "  Northwind\n Analytics ", Goal: "- yes"})
	if err != nil {
		t.Fatal(err)
	}
	var d struct{ Title, Buyer, Seller, Goal, GoLive string }
	if err := yaml.Unmarshal(frontOf(t, dr.Source), &d); err != nil {
		t.Fatal(err)
	}
	if d.Title != "Northwind Analytics for Acme: Corp #1" || d.Buyer != "Acme: Corp #1" || d.Seller != "Northwind Analytics" || d.Goal != "- yes" {
		t.Errorf("read back %+v", d)
	}
}

func goldenOptions(t testing.TB) Options {
	return Options{
		Buyer:    "Acme Corp",
		Seller:   "Northwind Analytics",
		GoLive:   date(t, "2027-03-01"),
		Today:    date(t, "2026-11-02"),
		Calendar: calendar(t, "2026-12-25", "2026-12-28", "2027-01-01"),
	}
}

// TestGolden pins the index.md each built-in template writes for a deal
// going live on 1 March 2027, with the example site's holidays. Run with
// -update to rewrite testdata/golden.
func TestGolden(t *testing.T) {
	ts, err := Builtins()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range ts {
		t.Run(tm.Name, func(t *testing.T) {
			dr, err := tm.Draft(goldenOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "golden", tm.Name+".md")
			if *update {
				if err := os.WriteFile(file, dr.Source, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(dr.Source, want) {
				t.Errorf("%s differs from the output (go test -update rewrites it); got:\n%s", file, dr.Source)
			}
		})
	}
}

// TestScalar checks that every value written reads back as itself.
func TestScalar(t *testing.T) {
	for _, s := range []string{
		"Acme Corp", "Acme, Inc.", "Acme: Corp", "#1 vendor", "a # b", "yes", "no", "null", "~", "true", "10", "1e3",
		"0x1F", "2026-06-19", "15:00", "- item", "? key", "[x]", "{x}", "'quoted'", `"double"`, `back\slash`,
		"trailing ", " leading", "two  spaces", "tab\there", "line\nbreak", "ünïcödé", "emoji 🚀", "@handle", "`code`",
		"a: b", "a:b", "*star", "&anchor", "!tag", "%percent", "|pipe", ">fold", "<angle>", "x\u2028y", "\ufeffbom",
		"\x00nul", "\x7fdel", "\u0085nel", ".inf", "-.inf", ".NaN", "=", "<<", "on", "off", "Y", "N",
	} {
		for _, flow := range []bool{false, true} {
			var src string
			if flow {
				src = "k: {v: " + scalar(s, true) + "}\n"
			} else {
				src = "k:\n  v: " + scalar(s, false) + "\n"
			}
			var got struct{ K struct{ V string } }
			if err := yaml.Unmarshal([]byte(src), &got); err != nil {
				t.Errorf("%q (flow %v) written as %q: %v", s, flow, src, err)
				continue
			}
			if got.K.V != s {
				t.Errorf("%q (flow %v) written as %q reads back as %q", s, flow, src, got.K.V)
			}
		}
	}
}
