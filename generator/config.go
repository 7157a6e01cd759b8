package generator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/maproom/maproom/internal/deal"
)

// Config is the site's maproom.toml, decoded strictly: an unknown key is an
// error. The zero value of each field is its default (see Defaults).
type Config struct {
	Title     string   `toml:"title"`
	BaseURL   string   `toml:"base_url"`   // where public/ is hosted; links print with it
	BeaconURL string   `toml:"beacon_url"` // the beacon's POST endpoint; empty: no script, nothing recorded
	Timezone  string   `toml:"timezone"`   // IANA name; dates and "today" are in it
	Theme     string   `toml:"theme"`      // a folder (relative to the site root) overriding the default theme file by file
	Holidays  []string `toml:"holidays"`   // YYYY-MM-DD days that are not business days
	Overdue   Overdue  `toml:"overdue"`
	Replies   Replies  `toml:"replies"`
	Brand     Brand    `toml:"brand"` // the seller's logo and accent colour in every room

	// Engagement holds the report's thresholds of a person, a visit, a read.
	Engagement Engagement `toml:"engagement"`

	// Notify is how maproom invite and notify reach people.
	Notify Notify `toml:"notify"`

	// History holds the thresholds of the signals read from the plans'
	// git history (see History).
	History History `toml:"history"`

	// Derived by LoadConfig.
	Location    *time.Location `toml:"-"`
	HolidayDays []deal.Date    `toml:"-"`
	File        string         `toml:"-"` // path of the file it came from, "" when none
}

// Overdue holds the escalation thresholds, in days late.
type Overdue struct {
	FlagDays  int `toml:"flag_days"`
	AlertDays int `toml:"alert_days"`
}

// Engagement holds the report's thresholds of what counts as a person, a
// visit and a read (analytics.Engagement documents them). 0 takes the
// default, given in each field's comment.
type Engagement struct {
	HumanActiveSeconds int `toml:"human_active_seconds"` // active time a page-load needs to be a person's: 5
	FastestClickMS     int `toml:"fastest_click_ms"`     // a link followed sooner after the page showed is a program's: 1000
	BurstOpens         int `toml:"burst_opens"`          // this many documents opened ...: 3
	BurstSeconds       int `toml:"burst_seconds"`        // ... within this span, without a person's active time, is a program's: 10
	VisitGapMinutes    int `toml:"visit_gap_minutes"`    // page-loads less than this apart are one visit: 30
}

// Replies holds what the seller lets through without review.
type Replies struct {
	// AutoAccept lists the kinds of reply (confirm, propose, done, blocked)
	// that `maproom replies` accepts on its own, each only on a task the
	// replying person owns and only when it does not conflict. Default: none.
	AutoAccept []string `toml:"auto_accept"`
}

// autoAcceptKinds are the kinds [replies] auto_accept may name: those that
// answer a person's own task. A question needs an answer and a suggestion a
// milestone, so neither can be accepted without the seller.
var autoAcceptKinds = []string{"confirm", "propose", "done", "blocked"}

// Thresholds returns the thresholds as the domain's rule takes them.
func (o Overdue) Thresholds() deal.Thresholds {
	return deal.Thresholds{FlagDays: o.FlagDays, AlertDays: o.AlertDays}
}

// tomlDefined is the TOML decoder's message for a key or table set twice.
var tomlDefined = regexp.MustCompile(`^Key '(.*)' has already been defined\.?$`)

// tomlWords says a TOML syntax error with what to change, where the
// decoder's message does not: a quoted value not closed, a key or table
// set twice. Other messages are the decoder's.
func tomlWords(msg string) string {
	switch {
	case strings.Contains(msg, "strings cannot contain newlines"):
		return "a quoted value is not closed on its line: end it with the quote it starts with (\" or ')"
	case tomlDefined.MatchString(msg):
		return fmt.Sprintf("%q is set twice: keep one of them", tomlDefined.FindStringSubmatch(msg)[1])
	}
	return msg
}

// ConfigFile is the site settings file name.
const ConfigFile = "maproom.toml"

// LoadConfig reads and validates the settings file at path. A missing file
// gives the defaults. Problems name path:line and what to change; with
// any, the Config is nil.
func LoadConfig(path string) (*Config, Problems) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return (&Config{}).withDefaults(), nil
	}
	if err != nil {
		var ps Problems
		collector{file: path, ps: &ps}.errorf(0, "%v", err)
		return nil, ps
	}
	return parseConfig(path, b)
}

// LoadConfigKept is LoadConfig for a reader that goes on despite the
// settings' errors (the report, the preview): the settings on the lines
// in error are left out, their defaults standing in, and the rest are
// kept: a typo in one threshold does not drop the timezone, the holidays
// and the other thresholds. The problems are LoadConfig's. The Config is
// nil when nothing of the file can be kept (an error without a line, or
// one leaving lines out does not mend).
func LoadConfigKept(path string) (*Config, Problems) {
	c, ps := LoadConfig(path)
	if c != nil || len(ps) == 0 {
		return c, ps
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, ps
	}
	lines := bytes.Split(b, []byte("\n"))
	for cur := ps; len(cur) > 0; {
		left := false
		for _, p := range cur {
			if p.Severity != Error {
				continue
			}
			if p.Line < 1 || p.Line > len(lines) {
				return nil, ps
			}
			for _, n := range []int{p.Line, p.also} {
				if n >= 1 && n <= len(lines) && lines[n-1] != nil {
					lines[n-1], left = nil, true // an empty line: the others keep their numbers
				}
			}
		}
		if !left {
			return nil, ps
		}
		var kept *Config
		if kept, cur = parseConfig(path, bytes.Join(lines, []byte("\n"))); kept != nil {
			return kept, ps
		}
	}
	return nil, ps
}

// parseConfig is LoadConfig on the file's bytes b.
func parseConfig(path string, b []byte) (*Config, Problems) {
	var ps Problems
	c := &Config{}
	col := collector{file: path, ps: &ps}
	c.File = path
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(c)
	// A value of the wrong type stops the decoder at it: each is said on
	// its line, and the file is read again without that line, so that
	// every problem of the file is told in one run.
	src := b
	for tries := 0; err != nil && tries < 20; tries++ {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			col.errorf(pe.Position.Line, "%s", tomlWords(strings.TrimPrefix(pe.Message, "toml: ")))
			return nil, ps
		}
		m := typeErrRe.FindStringSubmatch(err.Error())
		if m == nil {
			col.errorf(0, "%v", err)
			return nil, ps
		}
		line, _ := strconv.Atoi(m[1])
		col.errorf(line, "%s: %s", m[2], typeWords(m[3]))
		lines := bytes.Split(src, []byte("\n"))
		if line < 1 || line > len(lines) || len(lines[line-1]) == 0 {
			return nil, ps
		}
		lines[line-1] = nil
		src = bytes.Join(lines, []byte("\n"))
		*c = Config{File: path}
		md, err = toml.NewDecoder(bytes.NewReader(src)).Decode(c)
	}
	if err != nil {
		return nil, ps
	}
	for _, k := range md.Undecoded() {
		if hint := closest(k[len(k)-1], knownSettings); hint != "" {
			col.errorf(tomlKeyLine(b, k), "unknown setting %q%s", k.String(), hint)
			continue
		}
		col.errorf(tomlKeyLine(b, k), "unknown setting %q; known settings: title, base_url, beacon_url, timezone, theme, holidays, [overdue] flag_days, alert_days, [replies] auto_accept, [brand] logo, accent, [engagement] human_active_seconds, fastest_click_ms, burst_opens, burst_seconds, visit_gap_minutes, [notify] from, smtp_host, smtp_port, smtp_username_env, smtp_password_env, slack_webhook_env, webhook_url, webhook_secret_env, unopened_days, digest, [history] buyer_edit_days, flat_days, slips, missed_reviews, late_add_days", k.String())
	}
	c.withDefaults()
	if loc, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		// "Local" is the machine's zone: the rooms and reports would
		// change with the machine that builds them.
		col.errorf(tomlKeyLine(b, toml.Key{"timezone"}), "unknown timezone %q: use an IANA name such as \"Europe/London\" or \"America/New_York\" (the site's, whatever machine builds it)", c.Timezone)
		c.Timezone, c.Location = "UTC", time.UTC
	} else {
		c.Location = loc
	}
	for _, h := range c.Holidays {
		d, err := deal.ParseDate(h)
		if err != nil {
			col.errorf(tomlKeyLine(b, toml.Key{"holidays"}), "holiday %q is not a date: write YYYY-MM-DD", h)
			continue
		}
		c.HolidayDays = append(c.HolidayDays, d)
	}
	if c.BeaconURL != "" {
		if u, err := url.Parse(c.BeaconURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			col.errorf(tomlKeyLine(b, toml.Key{"beacon_url"}), "beacon_url %q is not an absolute http(s) URL, e.g. \"https://beacon.example.com/note\"", c.BeaconURL)
		} else if why := plainURL(u); why != "" {
			col.errorf(tomlKeyLine(b, toml.Key{"beacon_url"}), "beacon_url has %s: every room sends to it and allows only its origin, so write the beacon's plain address, e.g. \"https://beacon.example.com/note\"", why)
		} else if !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/note") {
			// The beacon takes events at /note alone (and replies at
			// /reply beside it): any other path loses every view.
			col.errorf(tomlKeyLine(b, toml.Key{"beacon_url"}), "beacon_url %q does not end in /note, where the beacon takes the rooms' events (any other path answers 404, and every view is lost): write %q", c.BeaconURL, u.Scheme+"://"+u.Host+"/note")
		} else if base, err := url.Parse(c.BaseURL); err == nil && base.Scheme == "https" && u.Scheme == "http" && !loopbackHost(u.Hostname()) {
			// A page served over https may not send to http: browsers
			// block it as mixed content.
			col.errorf(tomlKeyLine(b, toml.Key{"beacon_url"}), "beacon_url %q is http while the rooms are https (base_url): browsers block what an https page sends to an http address, so no view or reply would arrive; serve the beacon over https (maproom beacon -domain, or Caddy or nginx in front)", c.BeaconURL)
		} else if strings.TrimRight(u.Path, "/") != "/note" {
			// The beacon serves /note and /reply at its root: the proxy
			// configurations maproom prints, and its own HTTPS, pass the
			// path as it is.
			col.warnf(tomlKeyLine(b, toml.Key{"beacon_url"}), "beacon_url %q has a path before /note: the beacon takes events at /note and replies at /reply of its own address, and maproom hostconfig's proxies and maproom beacon -domain pass the path unchanged, so every view and reply would answer 404; give the beacon an address of its own (%s://%s/note), or strip %s in your own proxy", c.BeaconURL, u.Scheme, u.Host, strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/note"))
		}
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			col.errorf(tomlKeyLine(b, toml.Key{"base_url"}), "base_url %q is not an absolute http(s) URL, e.g. \"https://rooms.example.com\"", c.BaseURL)
		} else if why := plainURL(u); why != "" {
			col.errorf(tomlKeyLine(b, toml.Key{"base_url"}), "base_url has %s: every link is made from it, so write the rooms' plain address, e.g. \"https://rooms.example.com\"", why)
		}
	}
	// A threshold written as 0 is no threshold: said, not read as left
	// out (the defaults fill what is left out).
	var raw map[string]any
	zeroOverdue := false
	if _, err := toml.Decode(string(src), &raw); err == nil {
		for _, k := range []toml.Key{{"overdue", "flag_days"}, {"overdue", "alert_days"}, {"history", "buyer_edit_days"}, {"history", "flat_days"},
			{"history", "slips"}, {"history", "missed_reviews"}, {"history", "late_add_days"}, {"notify", "unopened_days"}} {
			if t, ok := raw[k[0]].(map[string]any); ok && t[k[1]] == int64(0) {
				col.errorf(tomlKeyLine(b, k), "[%s] %s = 0: give a positive number, or leave it out for the default", k[0], k[1])
				zeroOverdue = zeroOverdue || k[0] == "overdue"
			}
		}
	}
	// (Against a 0 said above, the range would be of a default the file
	// does not hold.)
	if !zeroOverdue && (c.Overdue.FlagDays < 1 || c.Overdue.AlertDays < c.Overdue.FlagDays) {
		// On the line of the value out of place: flag_days below 1, else
		// alert_days below it.
		key := toml.Key{"overdue", "flag_days"}
		if c.Overdue.FlagDays >= 1 && md.IsDefined("overdue", "alert_days") || !md.IsDefined(key...) {
			key = toml.Key{"overdue", "alert_days"}
		}
		if !md.IsDefined(key...) {
			key = toml.Key{"overdue"}
		}
		col.errorf(tomlKeyLine(b, key), "overdue thresholds flag_days=%d alert_days=%d: need 1 <= flag_days <= alert_days", c.Overdue.FlagDays, c.Overdue.AlertDays)
		if c.Overdue.FlagDays >= 1 && md.IsDefined("overdue", "flag_days") && md.IsDefined("overdue", "alert_days") {
			// The two out of order: a reader going on leaves both out,
			// not one of them against the other's default.
			ps[len(ps)-1].also = tomlKeyLine(b, toml.Key{"overdue", "flag_days"})
		}
	}
	for _, e := range []struct {
		key string
		n   int
	}{{"human_active_seconds", c.Engagement.HumanActiveSeconds}, {"fastest_click_ms", c.Engagement.FastestClickMS},
		{"burst_opens", c.Engagement.BurstOpens}, {"burst_seconds", c.Engagement.BurstSeconds}, {"visit_gap_minutes", c.Engagement.VisitGapMinutes}} {
		if e.n < 0 {
			col.errorf(tomlKeyLine(b, toml.Key{"engagement", e.key}), "[engagement] %s = %d: give a positive number, or leave it out for the default", e.key, e.n)
		}
	}
	c.Notify.check(b, col)
	c.History.check(b, col)
	if c.Brand.Accent != "" {
		if a, err := checkAccent(c.Brand.Accent); err != nil {
			col.errorf(tomlKeyLine(b, toml.Key{"brand", "accent"}), "%v", err)
		} else {
			c.Brand.Accent = a
		}
	}
	if c.Brand.Logo != "" {
		if l, err := readLogo(filepath.Dir(path), c.Brand.Logo, "[brand] logo"); err != nil {
			col.errorf(tomlKeyLine(b, toml.Key{"brand", "logo"}), "%v", err)
		} else {
			c.Brand.LogoImage = *l
		}
	}
	for _, k := range c.Replies.AutoAccept {
		if !slices.Contains(autoAcceptKinds, k) {
			col.errorf(tomlKeyLine(b, toml.Key{"replies", "auto_accept"}), "[replies] auto_accept: %q is not a kind that can be accepted without review: use confirm, propose, done or blocked (a question needs an answer, a suggestion a milestone)", k)
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
}

func (c *Config) withDefaults() *Config {
	if c.Title == "" {
		c.Title = "Deal rooms"
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.Location == nil {
		c.Location, _ = time.LoadLocation(c.Timezone)
	}
	if c.Overdue.FlagDays == 0 {
		c.Overdue.FlagDays = 3
	}
	if c.Overdue.AlertDays == 0 {
		c.Overdue.AlertDays = 7
	}
	return c
}

// tomlKeyLine finds the line that sets key k, best effort: the TOML decoder
// does not report key positions. 0 when not found.
func tomlKeyLine(src []byte, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	table := strings.Join(k[:len(k)-1], ".")
	last := regexp.QuoteMeta(k[len(k)-1])
	keyRe := regexp.MustCompile(`^\s*"?` + last + `"?\s*=`)
	headRe := regexp.MustCompile(`^\s*\[+\s*([^\]]+?)\s*\]+`)
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := headRe.FindStringSubmatch(line); m != nil {
			cur = m[1]
			if len(k) == 1 && cur == k[0] {
				return n
			}
			continue
		}
		if cur == table && keyRe.MatchString(line) {
			return n
		}
	}
	return 0
}

// String describes the config for messages.
func (c *Config) String() string {
	return fmt.Sprintf("%s (%s)", c.Title, c.Timezone)
}

// Notify holds how maproom invite and notify reach people (see
// internal/notify). No secret is ever written here: each *_env setting
// names the environment variable that holds one. A channel is on when its
// setting is given: email with smtp_host, Slack with slack_webhook_env,
// webhooks with webhook_url.
type Notify struct {
	From             string `toml:"from"`               // the From of every email, "Name <address>"; required with smtp_host
	SMTPHost         string `toml:"smtp_host"`          // the mail server, reached with STARTTLS and a verified certificate
	SMTPPort         int    `toml:"smtp_port"`          // 587 when 0
	SMTPUsernameEnv  string `toml:"smtp_username_env"`  // the variable holding the SMTP user name: no login without it
	SMTPPasswordEnv  string `toml:"smtp_password_env"`  // the variable holding its password
	SlackWebhookEnv  string `toml:"slack_webhook_env"`  // the variable holding the Slack incoming webhook's URL
	WebhookURL       string `toml:"webhook_url"`        // where signed JSON notices are posted (https)
	WebhookSecretEnv string `toml:"webhook_secret_env"` // the variable holding the webhook signing secret; required with webhook_url
	UnopenedDays     int    `toml:"unopened_days"`      // a decider who never opened their room this many days after it was published is reported (by notify and the report): 7 when 0
	Digest           bool   `toml:"digest"`             // one message per person per day, holding all they need to know
}

// knownSettings are the names of maproom.toml's settings, for "did you
// mean" (the tables' names among them).
var knownSettings = []string{"title", "base_url", "beacon_url", "timezone", "theme", "holidays", "overdue", "flag_days", "alert_days",
	"replies", "auto_accept", "brand", "logo", "accent", "engagement", "human_active_seconds", "fastest_click_ms", "burst_opens",
	"burst_seconds", "visit_gap_minutes", "notify", "from", "smtp_host", "smtp_port", "smtp_username_env", "smtp_password_env",
	"slack_webhook_env", "webhook_url", "webhook_secret_env", "unopened_days", "digest", "history", "buyer_edit_days",
	"flat_days", "slips", "missed_reviews", "late_add_days"}

// typeErrRe is the TOML decoder's error for a value of the wrong type:
// its line, its key, what it says.
var typeErrRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// typeWords says a TOML type error as what to write.
func typeWords(msg string) string {
	m := regexp.MustCompile(`TOML value has type (\w+); destination has type (\w+)`).FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := map[string]string{"integer": "a whole number, e.g. 3", "string": "text in quotes", "bool": "true or false", "slice": "a list, e.g. [\"a\", \"b\"]", "float": "a number"}[m[2]]
	if want == "" {
		want = m[2]
	}
	got := map[string]string{"string": "text", "integer": "a number", "bool": "true/false", "array": "a list", "table": "a table", "float": "a number", "datetime": "a date"}[m[1]]
	if got == "" {
		got = m[1]
	}
	return fmt.Sprintf("write %s (it is %s)", want, got)
}

// envNameRe is what the name of an environment variable holding a secret
// looks like: upper case, as such names are written (a mixed-case word of
// letters and digits is more likely the secret itself).
var envNameRe = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// plainURL says what a URL that pages and links are made from must not
// have ("" when it has none of them): a user name or password (it would be
// published in every page), a query or a fragment (the paths maproom adds
// go after them), a wildcard host (the pages' security policy would allow
// every host it matches).
func plainURL(u *url.URL) string {
	switch {
	case u.User != nil:
		return "a user name or password in it (it would be in every page)"
	case u.RawQuery != "" || u.ForceQuery:
		return "a query (?...)"
	case u.Fragment != "":
		return "a fragment (#...)"
	case strings.Contains(u.Host, "*"):
		return "a wildcard host"
	}
	return ""
}

// secretParam reports whether a URL's query parameter name reads as a
// credential's.
func secretParam(name string) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	for _, w := range []string{"key", "token", "secret", "password", "passwd", "pwd", "auth", "signature", "sig", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// check reports every problem of the [notify] settings, with its line.
func (n *Notify) check(src []byte, col collector) {
	at := func(key string) int { return tomlKeyLine(src, toml.Key{"notify", key}) }
	for _, e := range []struct{ key, val, example string }{
		{"smtp_username_env", n.SMTPUsernameEnv, "MAPROOM_SMTP_USERNAME"}, {"smtp_password_env", n.SMTPPasswordEnv, "MAPROOM_SMTP_PASSWORD"},
		{"slack_webhook_env", n.SlackWebhookEnv, "MAPROOM_SLACK_WEBHOOK"}, {"webhook_secret_env", n.WebhookSecretEnv, "MAPROOM_WEBHOOK_SECRET"},
	} {
		if e.val != "" && !envNameRe.MatchString(e.val) {
			col.errorf(at(e.key), "[notify] %s names the environment variable that holds the secret, not the secret itself: write %s = %q and set %s in the environment (and if that was a real secret, revoke it: it was in a file)", e.key, e.key, e.example, e.example)
		}
	}
	if n.From != "" {
		if _, err := mail.ParseAddress(n.From); err != nil {
			col.errorf(at("from"), "[notify] from %q is not an email address: write \"Your Name <you@example.com>\"", n.From)
		}
	}
	if n.SMTPHost != "" && n.From == "" {
		col.errorf(at("smtp_host"), "[notify] smtp_host is set without from: add from = \"Your Name <you@example.com>\", the sender of every email")
	}
	if h := n.SMTPHost; h != "" && !bracketedIP(h) && (strings.ContainsAny(h, ":/@ \t") || strings.Contains(h, "://")) {
		// A port, a scheme or a login in the host name: the run would
		// fail at each email without naming the setting.
		col.errorf(at("smtp_host"), "[notify] smtp_host %q: give the mail server's host name alone, like smtp.example.com (a port goes in smtp_port, a login in smtp_username_env and smtp_password_env)", h)
	}
	if n.SMTPPort < 0 || n.SMTPPort > 65535 {
		col.errorf(at("smtp_port"), "[notify] smtp_port = %d is not a port: use 587 (STARTTLS), or leave it out", n.SMTPPort)
	}
	if n.SMTPPort == 465 {
		// Implicit TLS: the server waits for a TLS handshake that a
		// STARTTLS client never starts, and each send hangs until it
		// times out.
		col.warnf(at("smtp_port"), "[notify] smtp_port = 465 is implicit TLS (SMTPS), and maproom speaks STARTTLS: use the server's submission port, 587 (most providers offer it), or leave smtp_port out")
	}
	if (n.SMTPUsernameEnv == "") != (n.SMTPPasswordEnv == "") {
		col.errorf(at("smtp_username_env"), "[notify] give both smtp_username_env and smtp_password_env, or neither (a server that needs no login)")
	}
	if n.WebhookURL != "" {
		u, err := url.Parse(n.WebhookURL)
		loopback := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback)) {
			col.errorf(at("webhook_url"), "[notify] webhook_url %q is not an https URL, e.g. \"https://hooks.example.com/maproom\" (http only to this machine)", n.WebhookURL)
		} else {
			secret := u.User != nil
			for k := range u.Query() {
				secret = secret || secretParam(k)
			}
			if secret {
				// Not echoed: the setting holds a credential.
				col.errorf(at("webhook_url"), "[notify] webhook_url holds a credential (a user name or password, or a key or token in its query): no secret is written in maproom.toml; give the plain URL, let the receiver check the signature made with webhook_secret_env, and revoke that credential: it was in a file")
			}
		}
		if n.WebhookSecretEnv == "" {
			col.errorf(at("webhook_url"), "[notify] webhook_url is set without webhook_secret_env: add webhook_secret_env = \"MAPROOM_WEBHOOK_SECRET\" and put the signing secret in that variable")
		}
	}
	if n.UnopenedDays < 0 {
		col.errorf(at("unopened_days"), "[notify] unopened_days = %d: give a positive number of days, or leave it out for 7", n.UnopenedDays)
	}
}

// bracketedIP reports whether h is an IP address in brackets, as an IPv6
// literal is written with a port after it ("[2001:db8::25]").
func bracketedIP(h string) bool {
	if !strings.HasPrefix(h, "[") || !strings.HasSuffix(h, "]") {
		return false
	}
	_, err := netip.ParseAddr(h[1 : len(h)-1])
	return err == nil
}

// loopbackHost reports whether host is this machine (localhost or a
// loopback address), which browsers let an https page send to over http.
func loopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
