package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngagementSettings reads maproom.toml's [engagement] thresholds as
// written, and refuses a value that is not a positive number with the line
// and the setting to change.
func TestEngagementSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(src string) string {
		p := filepath.Join(dir, "maproom.toml")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	c, ps := LoadConfig(write("title = \"Deals\"\n\n[engagement]\nhuman_active_seconds = 8\nfastest_click_ms = 1500\nburst_opens = 4\nburst_seconds = 12\nvisit_gap_minutes = 45\n"))
	if len(ps) > 0 {
		t.Fatalf("a valid [engagement] section gave problems: %v", ps)
	}
	want := Engagement{HumanActiveSeconds: 8, FastestClickMS: 1500, BurstOpens: 4, BurstSeconds: 12, VisitGapMinutes: 45}
	if c.Engagement != want {
		t.Errorf("[engagement] read as %+v, want %+v", c.Engagement, want)
	}

	c, ps = LoadConfig(write("title = \"Deals\"\n"))
	if len(ps) > 0 || c.Engagement != (Engagement{}) {
		t.Errorf("without [engagement]: %+v, problems %v; want the zero value (every default)", c.Engagement, ps)
	}

	p := write("title = \"Deals\"\n\n[engagement]\nhuman_active_seconds = 5\nvisit_gap_minutes = -30\n")
	_, ps = LoadConfig(p)
	if ps.Errors() != 1 {
		t.Fatalf("a negative visit_gap_minutes gave %d errors, want 1: %v", ps.Errors(), ps)
	}
	got := ps[0]
	if got.File != p || got.Line != 5 || !strings.Contains(got.Msg, "visit_gap_minutes = -30") || !strings.Contains(got.Msg, "positive number") {
		t.Errorf("the error is %q at %s:%d; want %s:5 naming visit_gap_minutes = -30 and asking for a positive number", got.Msg, got.File, got.Line, p)
	}

	_, ps = LoadConfig(write("[engagement]\nhuman_active_secs = 5\n"))
	if ps.Errors() != 1 || !strings.Contains(ps[0].Msg, "human_active_seconds") || ps[0].Line != 2 {
		t.Errorf("a misspelt setting: %v; want one error on line 2 that lists the known settings", ps)
	}
}

// TestPlainURLs refuses a beacon_url or base_url with what would leak into
// every page or break the paths maproom adds: a user name or password, a
// query, a fragment, a wildcard host; a plain one passes.
func TestPlainURLs(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "maproom.toml")
	for _, c := range []struct{ src, want string }{
		{`beacon_url = "https://beacon.example.com:8443/note"`, ""},
		{`base_url = "https://rooms.example.com/deals"`, ""},
		{`beacon_url = "https://user:pw@beacon.example.com/note"`, "maproom.toml:1: beacon_url has a user name or password"},
		{`beacon_url = "https://beacon.example.com/note?x=1"`, "maproom.toml:1: beacon_url has a query"},
		{`beacon_url = "https://*.example.com/note"`, "maproom.toml:1: beacon_url has a wildcard host"},
		{`base_url = "https://rooms.example.com/#top"`, "maproom.toml:1: base_url has a fragment"},
		// the beacon takes events at /note: another path loses them all
		{`beacon_url = "https://beacon.example.com"`, `maproom.toml:1: beacon_url "https://beacon.example.com" does not end in /note, where the beacon takes the rooms' events (any other path answers 404, and every view is lost): write "https://beacon.example.com/note"`},
		{`beacon_url = "https://beacon.example.com/track/"`, `write "https://beacon.example.com/note"`},
		// a path before /note: maproom's proxies and -domain pass it on, and
		// the beacon answers 404; a warning, for a proxy of one's own that
		// strips it
		{`beacon_url = "https://example.com/beacon/note"`, `maproom.toml:1: warning: beacon_url "https://example.com/beacon/note" has a path before /note: the beacon takes events at /note and replies at /reply of its own address`},
		{`beacon_url = "https://beacon.example.com/note/"`, ""}, // the room script and the forms trim the slash
		// an https room cannot send to http, except to this machine
		{"base_url = \"https://rooms.example.com\"\nbeacon_url = \"http://beacon.example.com/note\"", `maproom.toml:2: beacon_url "http://beacon.example.com/note" is http while the rooms are https`},
		{"base_url = \"https://rooms.example.com\"\nbeacon_url = \"http://127.0.0.1:8787/note\"", ""},
		{"base_url = \"http://rooms.example.com\"\nbeacon_url = \"http://beacon.example.com/note\"", ""},
	} {
		if err := os.WriteFile(p, []byte(c.src+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, ps := LoadConfig(p)
		got := ""
		if len(ps) > 0 {
			got = ps[0].Error()
		}
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.src, got, c.want)
		}
		if strings.Contains(got, "pw@") {
			t.Errorf("%s: the message repeats the password: %s", c.src, got)
		}
	}
}

// TestConfigEveryProblem: a value of the wrong type is said on its line as
// what to write, and does not hide the file's other problems (an unknown
// setting, with the one it was meant to be). A theme that is no folder of
// the site is an error, not the default theme in silence.
func TestConfigEveryProblem(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "maproom.toml")
	if err := os.WriteFile(p, []byte("titel = \"Deals\"\ntheme = \"no-such-theme\"\n\n[overdue]\nflag_days = \"three\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ps := LoadConfig(p)
	var got []string
	for _, pr := range ps {
		got = append(got, pr.Error())
	}
	want := []string{p + `:5: overdue.flag_days: write a whole number, e.g. 3 (it is text)`, p + `:1: unknown setting "titel"; did you mean "title"?`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := os.WriteFile(p, []byte("title = \"Deals\"\ntheme = \"no-such-theme\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ps = Load(LoadOptions{Root: root})
	found := false
	for _, pr := range ps {
		found = found || strings.Contains(pr.Error(), `maproom.toml:2: theme "no-such-theme" is no folder`)
	}
	if !found {
		t.Errorf("no error for the missing theme folder: %v", ps)
	}
}

// TestConfigThresholdsOutOfPlace: a threshold written as 0 is said on its
// line (it is no threshold, not a setting left out), and flag_days above
// alert_days is said on the line of the one out of place.
func TestConfigThresholdsOutOfPlace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "maproom.toml")
	for _, c := range []struct{ toml, want string }{
		{"[overdue]\nflag_days = 0\n", ":2: [overdue] flag_days = 0: give a positive number, or leave it out for the default"},
		{"[history]\nflat_days = 0\n", ":2: [history] flat_days = 0: give a positive number, or leave it out for the default"},
		{"[overdue]\nflag_days = 9\nalert_days = 5\n", ":3: overdue thresholds flag_days=9 alert_days=5: need 1 <= flag_days <= alert_days"},
		{"[overdue]\nflag_days = -2\nalert_days = 5\n", ":2: overdue thresholds flag_days=-2 alert_days=5: need 1 <= flag_days <= alert_days"},
		// a 0 is said once, not again as a range of the default put in its place
		{"[overdue]\nflag_days = 0\nalert_days = 2\n", ":2: [overdue] flag_days = 0: give a positive number, or leave it out for the default"},
	} {
		if err := os.WriteFile(p, []byte(c.toml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, ps := LoadConfig(p)
		var got []string
		for _, pr := range ps {
			got = append(got, pr.Error())
		}
		if len(got) != 1 || got[0] != p+c.want {
			t.Errorf("%q: problems %q, want %q", c.toml, got, p+c.want)
		}
	}
}

// TestSMTPHostAlone: a port, a scheme or a login written into smtp_host
// is an error at its line, naming where each goes. (check passed
// "localhost:2525", and every email then failed at send time without
// naming the setting.)
func TestSMTPHostAlone(t *testing.T) {
	dir := t.TempDir()
	for _, host := range []string{"localhost:2525", "smtp://mail.example.com", "me@mail.example.com"} {
		_, ps := LoadConfig(writeTOML(t, dir, "[notify]\nfrom = \"Sam <sam@northwind.example>\"\nsmtp_host = \""+host+"\"\n"))
		if ps.Errors() != 1 || !strings.Contains(ps[0].Error(), `maproom.toml:3: [notify] smtp_host "`+host+`": give the mail server's host name alone`) {
			t.Errorf("smtp_host %q: %v", host, ps)
		}
	}
	for _, host := range []string{"smtp.example.com", "[2001:db8::25]"} {
		if _, ps := LoadConfig(writeTOML(t, dir, "[notify]\nfrom = \"Sam <sam@northwind.example>\"\nsmtp_host = \""+host+"\"\nsmtp_port = 2525\n")); len(ps) != 0 {
			t.Errorf("host %s and its port: %v", host, ps)
		}
	}
}

// TestSMTPImplicitTLSPort: port 465 is implicit TLS, which a STARTTLS
// client hangs on until it times out: check warns, naming the line and
// the port to use.
func TestSMTPImplicitTLSPort(t *testing.T) {
	dir := t.TempDir()
	_, ps := LoadConfig(writeTOML(t, dir, "[notify]\nfrom = \"Sam <sam@northwind.example>\"\nsmtp_host = \"smtp.example.com\"\nsmtp_port = 465\n"))
	if len(ps) != 1 || ps.Errors() != 0 || !strings.Contains(ps[0].Error(), "maproom.toml:4: warning: [notify] smtp_port = 465 is implicit TLS (SMTPS), and maproom speaks STARTTLS: use the server's submission port, 587") {
		t.Errorf("smtp_port 465: %v", ps)
	}
}
