package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"time"

	"github.com/maproom/maproom/analytics/pgstore"
	"github.com/maproom/maproom/analytics/report"
	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
)

const reportAbout = `Reports on the deals for a day: per deal, progress by milestone, overdue tasks with
days late and severity, whose turn it is and whether the plan still fits before the
close date; per buyer stakeholder, first and last human-verified visit, visits, active
time, what they opened and never opened; the warning signals, each with its evidence.
With -portfolio: coverage, completion, win rate with and without a plan, and the deals
that need attention first.

Per deal, the replies buyers sent from their rooms that wait for you (as maproom replies
lists them), and a warning when a waiting proposed date would move the close: the task on
the critical path beyond its slack, or a date after the close date. The replies are read
from the same logs as the events (or the -store database), joined with the bundles' records.

The arguments are beacon logs: files, folders of events-*.jsonl, or - for standard
input (ssh host cat '/var/lib/maproom/events/*.jsonl' | maproom report -). Without
any, the report reads <root>/.maproom/events. With -from https://beacon.example.com
it pulls what the beacon recorded since the last pull (its read key in
$MAPROOM_READ_KEY) into <root>/.maproom/pulled/<host>/ and reads that.

A page-load is a person's with at least 5 s of active time; crawler and webdriver traffic, a link followed within a second of
the page showing, documents opened by the dozen within seconds, and views with nothing
after them are scanner-like. A visit is one person's page-loads, of the room and its
documents, less than 30 minutes apart; a document is read on its own page (or by
downloading a file), not by following its link. maproom.toml [engagement] changes the
thresholds.`

// reportFormats are the -format values.
var reportFormats = []string{"table", "markdown", "json", "csv", "html"}

func cmdReport(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("report", "[flags] [log file, folder or - ...]", reportAbout)
	s := e.siteFlags(fs)
	format := fs.String("format", e.envOr("MAPROOM_FORMAT", "table"), "output format: table, markdown, json, csv or html [MAPROOM_FORMAT]")
	dealID := fs.String("deal", "", "only this deal")
	since := fs.String("since", "", "count only events from this day on, YYYY-MM-DD (default: every event); a deal is then called quiet only for the days read")
	portfolio := fs.Bool("portfolio", false, "report across deals: coverage, completion, win rate by plan use, deals needing attention first")
	outPath := fs.String("o", "", "write the report to this file instead of standard output")
	store := fs.String("store", e.envOr("MAPROOM_STORE", ""), "read the events from this PostgreSQL store (postgres://user@host/db) instead of logs [MAPROOM_STORE]")
	pullFrom := fs.String("from", e.getenv("MAPROOM_REPORT_FROM"), "pull the events from this beacon over HTTPS (https://beacon.example.com), only what is new since the last pull, into <root>/.maproom/pulled/, with the key in the variable -key-env names [MAPROOM_REPORT_FROM]")
	keyEnv := fs.String("key-env", e.envOr("MAPROOM_KEY_ENV", "MAPROOM_READ_KEY"), "the environment variable that holds the beacon's read key (a key never goes on the command line) [MAPROOM_KEY_ENV]")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if *pullFrom != "" {
		if *store != "" || len(paths) > 0 {
			return fmt.Errorf("%w: give one of -from, -store or log files", errUsage)
		}
		key := e.getenv(*keyEnv)
		if key == "" {
			return fmt.Errorf("%w: -from %s needs the beacon's read key in $%s (the key the beacon runs with in its MAPROOM_READ_KEY)", errUsage, *pullFrom, *keyEnv)
		}
		dir, err := pullEvents(ctx, e, s.root, *pullFrom, key)
		if err != nil {
			return err
		}
		paths = []string{dir}
	}
	if !validFormat(*format) {
		return fmt.Errorf("%w: -format %q: use table, markdown, json, csv or html", errUsage, *format)
	}
	today, err := e.todayFor(s)
	if err != nil {
		return err
	}
	var from deal.Date
	if *since != "" {
		if from, err = deal.ParseDate(*since); err != nil {
			return fmt.Errorf("%w: -since %q: write YYYY-MM-DD", errUsage, *since)
		}
		if from.After(today) {
			return fmt.Errorf("%w: -since %s is after the report's day %s", errUsage, from, today)
		}
	}

	// What the report keeps (the plans, the manifest, two days of
	// page-loads) is far smaller than what reading it allocates:
	// collecting less often saves about a fifth of the run on a 1,000-deal
	// site. 200 rather than build's 400: every page the heap grows by is a
	// page fault, which costs as much as the collections saved beyond it.
	// The heap stays bounded by deals and stakeholders, not events.
	debug.SetGCPercent(200)
	// The manifest and the replies sent are read while the plans load.
	mc := make(chan manifestRead, 1)
	go func() { mc <- readManifest(s.root) }()
	rc := make(chan repliesRead, 1)
	go func() { rc <- readSentReplies(ctx, e, s.root, *store, paths, false) }()
	site, ps := generator.Load(generator.LoadOptions{Root: s.root, Today: today})
	mr, rr := <-mc, <-rc
	if site.Config == nil || len(site.Bundles) == 0 && !anyUnreadable(ps) {
		printProblems(e.stderr, ps)
		return errFailed
	}
	// A site whose every plan fails to load is still reported: each deal
	// listed by its folder's name as a plan that fails check.
	deals := reportDeals(e, site, ps)
	if *dealID != "" && !hasDeal(deals, *dealID) {
		return noDeal(site, *dealID)
	}
	m, err := mr.use(e)
	if err != nil {
		return err
	}
	// The history is read once: the replies sent from a folder renamed
	// since are told by it, and so are the deals' stories.
	h := readHistory(ctx, e, s.root, plansOf(deals), true)
	rr.sent = e.rehomed(ctx, s.root, rr.sent, h)
	rr.addWaiting(e, site, deals)
	historyNote, deals := reportHistory(e, s.root, site, deals, h, today)
	agg := report.NewAggregator(deals, report.ReportOptions{
		Title: site.Config.Title, Today: today, Since: from, Location: site.Config.Location,
		FlagDays: site.Config.Overdue.FlagDays, AlertDays: site.Config.Overdue.AlertDays,
		Deal: *dealID, Manifest: m, Calendar: schedule.NewCalendar(site.Config.HolidayDays...),
		Engagement: engagement(site.Config.Engagement), UnopenedDays: site.Config.Notify.UnopenedDays,
		History: site.Config.History.Thresholds(), HistoryNote: historyNote, HistoryRead: historyNote == "",
		SettingsErrors: settingsErrors(ps), Purged: readPurged(e, s.root),
	})
	if err := feedEvents(ctx, e, agg, s.root, *store, paths); err != nil {
		return err
	}
	rep := agg.Report()
	warnInput(e.stderr, rep.Input)
	return writeReport(e, rep, *format, *portfolio, *outPath)
}

func validFormat(f string) bool {
	for _, v := range reportFormats {
		if f == v {
			return true
		}
	}
	return false
}

// reportDeals pairs each loaded deal with its plan and its check errors. A
// deal whose plan has errors is still reported (progress, engagement) but
// counts as not covered; a bundle too broken to read is named on stderr.
func reportDeals(e *env, site *generator.Site, ps generator.Problems) []report.ReportDeal {
	errs, msgs := map[string]int{}, map[string][]string{}
	for _, p := range ps {
		if p.Severity == generator.Error {
			errs[p.File]++
			msgs[p.File] = append(msgs[p.File], p.Under(site.Root).Error())
		}
	}
	var deals []report.ReportDeal
	loaded := map[string]bool{}
	for _, b := range site.Bundles {
		file := filepath.Join(b.Dir, generator.BundleIndex)
		loaded[file] = true
		rd := report.ReportDeal{Deal: b.Deal, Plan: b.Plan, CheckErrors: errs[file], CheckMessages: msgs[file]}
		if u, ok := generator.UsualOf(site.Root, b.Deal); ok && u.Known {
			rd.Template, rd.UsualMissing = u.Template, u.Missing
		}
		deals = append(deals, rd)
	}
	var unread []string
	for file := range errs {
		if !loaded[file] && filepath.Base(file) == generator.BundleIndex {
			unread = append(unread, file)
		}
	}
	sort.Strings(unread)
	for _, file := range unread {
		// Listed by its folder's name, as a plan that fails check: a deal
		// does not drop out of the figures for a typo in its YAML.
		id := filepath.Base(filepath.Dir(file))
		deals = append(deals, report.ReportDeal{Deal: &deal.Deal{ID: id, Title: id, Outcome: deal.Open}, CheckErrors: errs[file], CheckMessages: msgs[file], Unreadable: true})
		fmt.Fprintf(e.stderr, "maproom: %s cannot be read: the report lists %s as a plan that fails check (run maproom check)\n", file, id)
	}
	settings := len(settingsErrors(ps)) // the errors of maproom.toml, the rest the content's
	for _, msg := range settingsErrors(ps) {
		fmt.Fprintf(e.stderr, "maproom: %s\n", msg)
	}
	switch {
	case settings > 0 && (site.Config == nil || site.Config.File == ""):
		// Nothing of the file could be kept: the defaults stand in.
		fmt.Fprintf(e.stderr, "maproom: %s has %s: the report uses the default settings, which may not be yours (run maproom check)\n", generator.ConfigFile, count(settings, "error"))
	case settings > 0:
		fmt.Fprintf(e.stderr, "maproom: %s has %s: the report leaves those settings out and uses their defaults, and keeps the rest (run maproom check)\n", generator.ConfigFile, count(settings, "error"))
	}
	if n := ps.Errors() - settings; n > 0 {
		fmt.Fprintf(e.stderr, "maproom: the content has %s: deals with errors are reported without a schedule, and their plans cannot be trusted until fixed (run maproom check)\n", count(n, "error"))
	}
	return deals
}

// anyUnreadable reports whether ps names a deal's plan that could not be
// read (an error in a content/<deal>/index.md), which the report lists.
func anyUnreadable(ps generator.Problems) bool {
	for _, p := range ps {
		if p.Severity == generator.Error && filepath.Base(p.File) == generator.BundleIndex {
			return true
		}
	}
	return false
}

// settingsErrors are the errors of maproom.toml among ps, as check prints
// them.
func settingsErrors(ps generator.Problems) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == generator.Error && filepath.Base(p.File) == generator.ConfigFile {
			out = append(out, p.Error())
		}
	}
	return out
}

func hasDeal(deals []report.ReportDeal, id string) bool {
	for _, d := range deals {
		if d.Deal.ID == id {
			return true
		}
	}
	return false
}

// manifestRead is the private manifest as read, or why it is not there.
type manifestRead struct {
	path    string
	m       *manifest.Manifest
	missing bool // nothing built yet
	err     error
}

// readManifest reads the private manifest at root; it prints nothing, so it
// can run while the plans load.
func readManifest(root string) manifestRead {
	path := filepath.Join(root, manifest.DefaultPath)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return manifestRead{path: path, missing: true}
	}
	m, err := manifest.Read(path)
	return manifestRead{path: path, m: m, err: err}
}

// use returns the manifest; without one (nothing built yet) the report
// takes the rooms' scope from the content, and says so.
func (mr manifestRead) use(e *env) (*manifest.Manifest, error) {
	if mr.missing {
		fmt.Fprintf(e.stderr, "maproom: no room manifest at %s: no room was built yet (maproom serve's preview is no build to publish), so each room's documents are taken from the content (run maproom build)\n", mr.path)
	}
	return mr.m, mr.err
}

// repliesRead is what readSentReplies found: the replies sent, or why the
// report goes without them.
type repliesRead struct {
	sent  []reply.Reply
	notes string // lines for stderr
}

// readSentReplies reads the replies sent from the rooms, from the source
// maproom replies would read (replySource): the -store database when
// store is set, else the log files and folders the report reads (paths,
// "-" for standard input left out) or, with none named, the site's log
// folder. It does not write to stderr (it keeps what to say in notes), so
// it can run while the plans load. A source it cannot read leaves the
// report without replies, and a note saying why; so does standard input,
// whose lines the report reads once, for the events. With rehome, the
// replies sent from a deal folder renamed since are under the deal's
// current id (rehomed), the history read for it; without, the caller
// rehomes them with the history it reads anyway.
func readSentReplies(ctx context.Context, e *env, root, store string, paths []string, rehome bool) repliesRead {
	var logs []string
	stdin := false
	for _, p := range paths {
		if p == "-" {
			stdin = true
			continue
		}
		logs = append(logs, p)
	}
	var notes bytes.Buffer // what the source says, for stderr once the plans are loaded
	switch {
	case store != "" && len(paths) > 0:
		return repliesRead{} // the report refuses both
	case store != "":
	case stdin:
		notes.WriteString("maproom: the replies sent in standard input are not read: the report lists those of the log files named and the waiting replies the bundles record (name the log files or folders instead of -)\n")
		if len(logs) == 0 {
			return repliesRead{notes: notes.String()}
		}
	case len(logs) == 0:
		if _, err := os.Stat(filepath.Join(root, ".maproom", "events")); errors.Is(err, os.ErrNotExist) {
			return repliesRead{} // no log: readEvents says so
		}
	}
	quiet := *e
	quiet.stderr = &notes
	src, err := quiet.source(&sourceFlags{store: store}, root, logs)
	var sent []reply.Reply
	if err == nil {
		sent, err = src.Replies(ctx)
		if rehome {
			sent = e.rehomed(ctx, root, sent, nil)
		}
	}
	if err != nil {
		fmt.Fprintf(&notes, "maproom: the replies waiting are left out of the report: %v\n", err)
	}
	return repliesRead{sent: sent, notes: notes.String()}
}

// addWaiting gives each deal the replies that wait for the seller: those
// sent that no record in the deal's bundle decides (reply.WaitingReplies),
// and those decided, for the activity list; and says on stderr what could
// not be read.
func (rr repliesRead) addWaiting(e *env, site *generator.Site, deals []report.ReportDeal) {
	io.WriteString(e.stderr, rr.notes)
	var recs []reply.Record
	for _, b := range site.Bundles {
		rs, err := reply.ReadRecords(b.Dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "maproom: %v\n", err)
		}
		recs = append(recs, rs...)
	}
	ws, ds := reply.Split(rr.sent, recs)
	waiting, decided := map[string][]reply.Reply{}, map[string][]reply.Record{}
	for _, r := range ws {
		waiting[r.Deal] = append(waiting[r.Deal], r)
	}
	for _, rec := range ds {
		decided[rec.Reply.Deal] = append(decided[rec.Reply.Deal], rec)
	}
	for i := range deals {
		id := deals[i].Deal.ID
		deals[i].Waiting, deals[i].Decided = waiting[id], decided[id]
	}
}

// eventSource is where the report and notify read events from, chosen in
// this one place: the PostgreSQL store with -store, else the logs named on
// the command line ("-" for standard input), else the site's own log
// folder. Both are a report.Source; close releases what it holds. With
// neither a store nor a log, it says so and returns nil: the plans alone.
func eventSource(ctx context.Context, e *env, root, store string, paths []string) (src report.Source, close func(), err error) {
	if store != "" {
		if len(paths) > 0 {
			return nil, nil, fmt.Errorf("%w: give -store or log files, not both", errUsage)
		}
		s, err := pgstore.Open(ctx, store, pgstore.Options{Logger: e.log})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	if len(paths) == 0 {
		dir := filepath.Join(root, ".maproom", "events")
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(e.stderr, "maproom: no event log at %s: reading the plans only, without who visited (name the beacon's log files or folders, or - for standard input)\n", dir)
			return nil, func() {}, nil
		}
		paths = []string{dir}
	}
	return report.LogSource{Paths: paths, Stdin: e.stdin}, func() {}, nil
}

// feedEvents reads the events of the source the flags choose (eventSource)
// into agg.
func feedEvents(ctx context.Context, e *env, agg *report.Aggregator, root, store string, paths []string) error {
	src, done, err := eventSource(ctx, e, root, store, paths)
	if err != nil || src == nil {
		return err
	}
	defer done()
	return src.Feed(ctx, agg)
}

// warnInput tells on stderr what in the logs could not be used.
func warnInput(w io.Writer, in report.InputStats) {
	if in.Corrupt > 0 {
		fmt.Fprintf(w, "maproom: %s in the event logs skipped:\n", count(in.Corrupt, "corrupt line"))
		for i, at := range in.CorruptAt {
			if i == 5 {
				fmt.Fprintf(w, "  ... and %d more\n", in.Corrupt-5)
				break
			}
			fmt.Fprintf(w, "  %s\n", at)
		}
	}
	if in.Unknown > 0 {
		fmt.Fprintf(w, "maproom: %s of a deal or stakeholder the content no longer has skipped\n", count(in.Unknown, "event"))
	}
	if in.LocalPreview > 0 {
		fmt.Fprintf(w, "maproom: %s of the local preview (maproom serve) left out: the seller looking is no buyer's visit\n", count(in.LocalPreview, "event"))
	}
	if in.OutOfOrder > 0 {
		fmt.Fprintf(w, "maproom: %s came over two days out of order: copies of them may count twice; pass the log folders rather than concatenated files\n", count(in.OutOfOrder, "event"))
	}
}

// writeReport writes the report in the format asked, to -o or stdout.
func writeReport(e *env, rep *report.Report, format string, portfolio bool, outPath string) (err error) {
	w := e.stdout
	color := false
	if outPath == "" {
		color = format == "table" && isTerminal(e.stdout) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
	} else {
		f, err := os.Create(outPath)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		defer func() {
			if ferr := bw.Flush(); err == nil {
				err = ferr
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(outPath)
			}
		}()
		w = bw
	}
	switch format {
	case "table":
		if portfolio {
			return rep.WritePortfolioTable(w, color)
		}
		return rep.WriteTable(w, color)
	case "markdown":
		if portfolio {
			return rep.WritePortfolioMarkdown(w)
		}
		return rep.WriteMarkdown(w)
	case "json":
		if portfolio {
			return rep.WritePortfolioJSON(w)
		}
		return rep.WriteJSON(w)
	case "csv":
		if portfolio {
			return rep.WritePortfolioCSV(w)
		}
		return rep.WriteCSV(w)
	}
	if portfolio {
		return rep.WritePortfolioHTML(w)
	}
	return rep.WriteHTML(w)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// engagement turns maproom.toml [engagement] into the report's thresholds;
// a setting left out (0) takes the report's default.
func engagement(c generator.Engagement) report.Engagement {
	return report.Engagement{
		HumanActive:  time.Duration(c.HumanActiveSeconds) * time.Second,
		FastestClick: time.Duration(c.FastestClickMS) * time.Millisecond,
		BurstOpens:   c.BurstOpens,
		BurstSpan:    time.Duration(c.BurstSeconds) * time.Second,
		VisitGap:     time.Duration(c.VisitGapMinutes) * time.Minute,
	}
}
