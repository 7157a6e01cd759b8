package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/frontmatter"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/schedule"
	"github.com/maproom/maproom/internal/token"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Site is a loaded site: its settings and every deal bundle, in id order.
type Site struct {
	Root    string // the site root (holds content/, public/, .maproom/)
	Config  *Config
	Bundles []*Bundle
}

// Bundle is one deal folder: the decoded deal, the folder, the files beside
// index.md, and the raw bytes it was read from (for fingerprints).
type Bundle struct {
	Deal   *deal.Deal
	Dir    string         // OS path of the folder
	Files  []string       // slash paths relative to Dir, index.md excluded, sorted
	Source []byte         // index.md as read
	Plan   *schedule.Plan // the computed schedule; nil when it has errors
}

// rawDeal is the frontmatter as written (schema v1). Dates and enums are
// strings here and validated when converted, so every mistake is reported
// with its line.
type rawDeal struct {
	Title        string           `yaml:"title"`
	Buyer        string           `yaml:"buyer"`
	Seller       string           `yaml:"seller"`
	Goal         string           `yaml:"goal"`
	Close        string           `yaml:"close"`
	GoLive       string           `yaml:"golive"`
	Outcome      string           `yaml:"outcome"`
	Withdraw     bool             `yaml:"withdraw"`
	Value        int64            `yaml:"value"`
	Template     string           `yaml:"template"`
	BuyerLogo    string           `yaml:"buyer_logo"`
	Review       *rawReview       `yaml:"review"`
	Stakeholders []rawStakeholder `yaml:"stakeholders"`
	Milestones   []rawMilestone   `yaml:"milestones"`
	Criteria     []string         `yaml:"criteria"`
	Collateral   []rawCollateral  `yaml:"collateral"`
}

type rawReview struct {
	Day    string `yaml:"day"`
	Time   string `yaml:"time"`
	Length string `yaml:"length"`
}

type rawStakeholder struct {
	ID        string `yaml:"id"`
	Name      string `yaml:"name"`
	Title     string `yaml:"title"`
	Side      string `yaml:"side"`
	Role      string `yaml:"role"`
	Influence string `yaml:"influence"`
	Email     string `yaml:"email"`
	Phone     string `yaml:"phone"`
	Booking   string `yaml:"booking"`
	Rotate    int    `yaml:"rotate"`
}

type rawMilestone struct {
	ID         string    `yaml:"id"`
	Title      string    `yaml:"title"`
	Due        string    `yaml:"due"`
	Lead       string    `yaml:"lead"`
	Evidence   string    `yaml:"evidence"`
	Onboarding bool      `yaml:"onboarding"`
	Tasks      []rawTask `yaml:"tasks"`
}

type rawTask struct {
	ID         string   `yaml:"id"`
	Title      string   `yaml:"title"`
	Owner      string   `yaml:"owner"`
	Due        string   `yaml:"due"`
	Status     string   `yaml:"status"`
	Done       string   `yaml:"done"`
	After      []string `yaml:"after"`
	Evidence   string   `yaml:"evidence"`
	Collateral []string `yaml:"collateral"`
	Duration   string   `yaml:"duration"`
}

type rawCollateral struct {
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	File     string   `yaml:"file"`
	Audience []string `yaml:"audience"`
}

// ContentDir is the folder under the site root that holds the deal bundles.
const ContentDir = "content"

// BundleIndex is the file that makes a folder a deal bundle.
const BundleIndex = "index.md"

// LoadOptions configures Load.
type LoadOptions struct {
	Root  string    // the site root
	Today deal.Date // "today" for date-relative checks
	// Secret is the site secret, when known: with it, an id given to
	// someone else since the last build is an error (rotationsKept).
	Secret []byte
}

// ConfigPath returns where the site settings are read from: maproom.toml at
// the site root, else content/maproom.toml (the example keeps it there).
func ConfigPath(root string) string {
	p := filepath.Join(root, ConfigFile)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if q := filepath.Join(root, ContentDir, ConfigFile); fileExists(q) {
		return q
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Load reads maproom.toml and every deal bundle under root/content, and
// checks them. It returns every problem found in the site in one pass: the
// site is usable only when Problems.Errors() is 0.
func Load(opts LoadOptions) (*Site, Problems) {
	var ps Problems
	cfg, cps := LoadConfigKept(ConfigPath(opts.Root))
	ps = append(ps, cps...)
	if cfg != nil && cfg.Theme != "" {
		// The theme is a folder of the site: one that is not there would
		// leave the default theme in place without a word.
		if fi, err := os.Stat(filepath.Join(opts.Root, cfg.Theme)); err != nil || !fi.IsDir() {
			src, _ := os.ReadFile(cfg.File)
			ps = append(ps, Problem{File: cfg.File, Line: tomlKeyLine(src, toml.Key{"theme"}), Severity: Error,
				Msg: fmt.Sprintf("theme %q is no folder in %s: give the folder (relative to the site root) whose files override the default theme's, or leave theme out", cfg.Theme, opts.Root)})
		}
	}
	if cfg == nil {
		cfg = (&Config{}).withDefaults()
	}
	site := &Site{Root: opts.Root, Config: cfg}
	dir := filepath.Join(opts.Root, ContentDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		ps = append(ps, Problem{File: dir, Severity: Error, Msg: fmt.Sprintf("cannot read the content folder: %v (a site keeps one folder per deal under %s/)", err, ContentDir)})
		return site, ps
	}
	var dirs []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue // hidden and draft folders, by convention
		}
		p := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			ps = append(ps, linkedFolder(dir, p)...)
			continue
		}
		if !e.IsDir() {
			if strings.EqualFold(e.Name(), BundleIndex) || strings.EqualFold(filepath.Ext(e.Name()), ".md") && startsWithFrontmatter(p) {
				ps = append(ps, Problem{File: p, Severity: Warning, Msg: fmt.Sprintf("this file is in no deal folder, so nothing in it is published: a deal's plan is %s (one folder per deal), its documents beside it", filepath.Join(dir, "<deal>", BundleIndex))})
			}
			continue
		}
		if _, err := os.Lstat(filepath.Join(p, BundleIndex)); err != nil {
			ps = append(ps, Problem{File: p, Severity: Warning, Msg: fmt.Sprintf("this folder has no %s, so it is no deal and nothing in it is published: add the deal's plan as %s, or move the folder out of %s/", BundleIndex, filepath.Join(p, BundleIndex), ContentDir)})
			continue
		}
		dirs = append(dirs, p)
	}
	// Bundles load in parallel (parsing YAML is most of a large site's
	// load time); results keep the folder order. A folder without an
	// index.md is no bundle.
	bundles := make([]*Bundle, len(dirs))
	problems := make([]Problems, len(dirs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				bundles[i], problems[i] = LoadBundle(dirs[i], cfg, opts.Today)
			}
		}()
	}
	for i := range dirs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range dirs {
		ps = append(ps, problems[i]...)
		if bundles[i] != nil {
			site.Bundles = append(site.Bundles, bundles[i])
		}
	}
	if len(site.Bundles) == 0 && ps.Errors() == 0 {
		ps = append(ps, Problem{File: dir, Severity: Error, Msg: "no deals found: add a folder per deal with an index.md, e.g. " + filepath.Join(dir, "acme", BundleIndex)})
	}
	ps = append(ps, rotationsKept(site, filepath.Join(opts.Root, ".maproom", "rooms.json"), opts.Secret)...)
	ps.Sort()
	return site, ps
}

// pageMax is the size of a plan, or a Markdown collateral page, past which
// check warns: each is rendered into a page per room.
const pageMax = 1 << 20

// byteSize says n bytes as a reader would: "216 MB", "1.1 MB", "640 KB".
func byteSize(n int) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", (n+1<<19)>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// startsWithFrontmatter reports whether the file at p opens a frontmatter
// as a plan does, by the project's one splitter (a README beside the
// deals does not).
func startsWithFrontmatter(p string) bool {
	b, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	_, problem := frontmatter.Split(b)
	return problem != frontmatter.Missing
}

// rotationsKept reports each stakeholder whose rotate: is below the
// highest rotation the site's manifest (at path) records for them, in
// their rooms or, for someone taken off the plan or a deal withdrawn, in
// its record of rotations (manifest.Manifest.Rotation):
// the links rotated away since (a link that leaked, or went to the wrong
// person) would answer again, and their current one would stop. The
// counter only goes up. Without a manifest (no build yet), or with one
// that cannot be read (the build says so), there is nothing to hold to.
func rotationsKept(site *Site, path string, secret []byte) Problems {
	m, err := manifest.Read(path)
	if err != nil {
		return nil
	}
	var ps Problems
	high := m.HighestRotations()
	had := m.WhoHad() // who had each id at the last build
	keyedWith := SameSecret(m, secret)
	for _, b := range site.Bundles {
		for _, s := range b.Deal.Stakeholders {
			if f, ok := had[manifest.RotationKey(b.Deal.ID, s.ID)]; ok && keyedWith && !manifest.SamePerson(f.Who, manifest.Who(secret, s.Name, s.Email)) && s.Rotate <= f.Rotation {
				// The id was someone else's (another name and email): the
				// links they were sent would open this person's room.
				ps = append(ps, Problem{File: filepath.Join(b.Dir, BundleIndex), Line: s.Line, Severity: Error,
					Msg: fmt.Sprintf("%q was the id of someone else, with another name and email, when the rooms were last built (%s): the links sent to them, up to rotation %d, would open %s's room; set rotate: %d here to give %s links no one else holds", s.ID, path, f.Rotation, s.Name, f.Rotation+1, s.Name)})
				continue
			}
			if was, ok := high[manifest.RotationKey(b.Deal.ID, s.ID)]; ok && s.Rotate < was {
				ps = append(ps, Problem{File: filepath.Join(b.Dir, BundleIndex), Line: s.Line, Severity: Error,
					Msg: fmt.Sprintf("rotate %d for %q is below %d, the highest rotation a build gave them (%s): the links rotated away would answer again. The counter only goes up: set rotate: %d for the link they had last, or %d to give them a new one (the safe choice when the id is someone else's now)", s.Rotate, s.ID, was, path, was, was+1)})
			}
		}
	}
	return ps
}

// SameSecret reports whether the manifest m was built with secret: its
// mark says so (manifest.KeyMark), or, in one written before the mark,
// one of its rooms' keys is the secret's. Its fingerprints compare with a
// person's only then.
func SameSecret(m *manifest.Manifest, secret []byte) bool {
	if len(secret) == 0 || m == nil {
		return false
	}
	if m.Keyed != "" {
		return m.Keyed == manifest.KeyMark(secret)
	}
	for _, r := range m.Rooms {
		if token.Key(token.Room(secret, r.Deal, r.Stakeholder, r.Rotation)) == r.Key {
			return true
		}
	}
	return false
}

// linkedFolder reports an entry of the content folder that is a symbolic
// link: a deal folder must be a real folder. A link out of the content
// folder is an error (it would publish files from anywhere on the machine);
// a link to a folder inside it is skipped with a warning (the deal would be
// published twice, under two ids and two sets of links); a link to a file
// is not a deal and is left alone, as files are.
func linkedFolder(content, p string) Problems {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return Problems{{File: p, Severity: Error, Msg: fmt.Sprintf("this deal folder is a symbolic link that leads nowhere (%v): make it a real folder under %s/, or remove it", err, ContentDir)}}
	}
	fi, err := os.Stat(target)
	if err != nil || !fi.IsDir() {
		return nil
	}
	real, err := filepath.EvalSymlinks(content)
	if err != nil {
		real = content
	}
	if rel, err := filepath.Rel(real, target); err != nil || !filepath.IsLocal(rel) {
		return Problems{{File: p, Severity: Error, Msg: fmt.Sprintf("this deal folder is a symbolic link to %s, outside the content folder %s, so it is not read: move or copy the deal's folder into %s/", target, content, ContentDir)}}
	}
	return Problems{{File: p, Severity: Warning, Msg: fmt.Sprintf("this folder is a symbolic link to %s in the content folder, so it is skipped (the deal would be published twice, under two sets of links): remove the link, or make it a real folder", target)}}
}

var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// LoadBundle reads and checks one deal folder, its plan as it stands on
// today (deal.Deal.AsOf: a step done on a later day is open). It returns
// nil and the problems when the bundle cannot be decoded; a decoded bundle
// may still carry errors in the problems.
func LoadBundle(dir string, cfg *Config, today deal.Date) (*Bundle, Problems) {
	var ps Problems
	file := filepath.Join(dir, BundleIndex)
	col := collector{file: file, ps: &ps}
	src, err := readPlan(dir)
	if err != nil {
		if fi, lerr := os.Lstat(file); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			col.errorf(0, "the plan is a symbolic link that leads out of the content folder %s or nowhere (%v): copy the plan into %s instead", filepath.Dir(dir), err, dir)
		} else if lerr == nil && fi.IsDir() {
			col.errorf(0, "%s is a folder, not the deal's plan: the plan is a file of that name (move what the folder holds elsewhere in %s)", BundleIndex, dir)
		} else {
			col.errorf(0, "%v", err)
		}
		return nil, ps
	}
	return loadBundle(dir, src, cfg, today)
}

// CheckPlan reads and checks src as if it were the plan of the deal folder
// dir (its other files as they are there), as LoadBundle does: what a
// change to the plan would make of it before it is written.
func CheckPlan(dir string, src []byte, cfg *Config, today deal.Date) (*Bundle, Problems) {
	return loadBundle(dir, src, cfg, today)
}

func loadBundle(dir string, src []byte, cfg *Config, today deal.Date) (*Bundle, Problems) {
	var ps Problems
	file := filepath.Join(dir, BundleIndex)
	col := collector{file: file, ps: &ps}
	var err error
	if line, ok := invalidUTF8Line(src); !ok {
		col.errorf(line, "the plan is not UTF-8 text (the first bad byte is on this line): save %s as UTF-8", BundleIndex)
		return nil, ps
	}
	id := filepath.Base(dir)
	// Three steps, each explicit and in this order: decode (the frontmatter,
	// strictly, into a deal), check (the plan's rules, with their lines),
	// schedule (dates from durations and dependencies, the critical path).
	d, li, body := decodeDeal(src, col)
	if d == nil {
		return nil, ps
	}
	// body is the tail of src: its first line is the one after the lines
	// before it. (Not in decodeDeal: the history decodes every version of a
	// plan with it, and wants no warnings.)
	rawHTMLLines(body, col, bytes.Count(src[:len(src)-len(body)], []byte("\n")), "the welcome note")
	if len(src) > pageMax {
		col.warnf(0, "the plan is %s: its welcome note goes into the room of each of its people, every time it is built; keep %s under %s, and put long documents in collateral (a PDF)", byteSize(len(src)), BundleIndex, byteSize(pageMax))
	}
	if !idRe.MatchString(id) {
		col.errorf(0, "the folder name %q is the deal id: use lowercase letters, digits and hyphens, %s", id, SlugExample(id, "acme-renewal"))
	}
	b := &Bundle{Dir: dir, Source: src}
	b.Files, err = bundleFiles(dir)
	if err != nil {
		col.errorf(0, "listing the bundle: %v", err)
	}
	dl := convert(d, id, file, body, li, col)
	b.Deal = dl
	checkDeal(b, li, cfg, today, col)
	// A step marked done on a day after today (check questions the date)
	// is open today, in the rooms as in the report and notify.
	b.Deal = b.Deal.AsOf(today)
	schedulePlan(b, cfg, today, col)
	return b, withoutMisspeltMissing(withoutShadowed(ps, li.typeErrs))
}

// missingRe and didYouMeanRe read, of the problems of one plan, "X is
// missing: add `key: ...`" and "unknown key ...; did you mean "key"?".
var (
	missingRe    = regexp.MustCompile("is missing: add `([a-z_]+):")
	didYouMeanRe = regexp.MustCompile(`^unknown key .* in the deal; did you mean "([a-z_]+)"\?`)
)

// withoutMisspeltMissing drops a required top-level key's "is missing"
// error when an unknown top-level key of the same plan is that key
// misspelt ("clsoe:", did you mean "close"?): the one error at the
// misspelt line says what to change; the other pointed at line 1 with the
// wrong fix. A key misspelt in a milestone or a stakeholder leaves the
// plan's own errors alone.
func withoutMisspeltMissing(ps Problems) Problems {
	meant := map[string]bool{}
	for _, p := range ps {
		if m := didYouMeanRe.FindStringSubmatch(p.Msg); m != nil {
			meant[p.File+"\x00"+m[1]] = true
		}
	}
	if len(meant) == 0 {
		return ps
	}
	return slices.DeleteFunc(slices.Clone(ps), func(p Problem) bool {
		m := missingRe.FindStringSubmatch(p.Msg)
		return p.Severity == Error && m != nil && meant[p.File+"\x00"+m[1]]
	})
}

// withoutShadowed drops the YAML type errors (their places in ps) on a
// line another error names too: that one says what to change there
// ("name exactly one stakeholder id"), the library's words only repeat it.
func withoutShadowed(ps Problems, typeErrs []int) Problems {
	if len(typeErrs) == 0 {
		return ps
	}
	drop := map[int]bool{}
	for _, i := range typeErrs {
		for j, q := range ps {
			if j != i && !slices.Contains(typeErrs, j) && q.Severity == Error && q.File == ps[i].File && q.Line == ps[i].Line {
				drop[i] = true
			}
		}
	}
	out := ps[:0:0]
	for i, p := range ps {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out
}

// readPlan reads dir's index.md through the content folder (dir's parent)
// as an os.Root, as collateral is read through the deal folder: a plan that
// is a symbolic link may lead to another file of the content folder, never
// out of it.
func readPlan(dir string) ([]byte, error) {
	content, err := os.OpenRoot(filepath.Dir(dir))
	if err != nil {
		return nil, err
	}
	defer content.Close()
	name := filepath.Join(filepath.Base(dir), BundleIndex)
	// Only a regular file (through a link, as the link leads): a pipe or
	// a device would block the read, or never end.
	if fi, err := content.Stat(name); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		what := "not a regular file"
		switch m := fi.Mode(); {
		case m&fs.ModeNamedPipe != 0:
			what = "a named pipe, not a file"
		case m&fs.ModeSocket != 0:
			what = "a socket, not a file"
		case m&fs.ModeDevice != 0:
			what = "a device, not a file"
		}
		return nil, fmt.Errorf("the plan is %s: write it as a Markdown file, %s", what, BundleIndex)
	}
	return content.ReadFile(name)
}

// decodeDeal splits the frontmatter from the body and decodes it strictly.
// li maps key paths to file lines.
// A UTF-8 byte-order mark that some editors put first is dropped.
func decodeDeal(src []byte, col collector) (*rawDeal, *lineIndex, []byte) {
	doc, problem := frontmatter.Split(src)
	switch problem {
	case frontmatter.Unclosed:
		col.errorf(1, "the frontmatter opened with --- is never closed: end it with a line holding only ---")
		return nil, nil, nil
	case frontmatter.Missing:
		if bytes.IndexByte(src, '\r') >= 0 && bytes.IndexByte(src, '\n') < 0 {
			// Lines ended by CR alone (classic Mac OS): one long line.
			col.errorf(1, "the file's lines end with a carriage return alone (an old Mac format), so it reads as one line: save it with LF (or CRLF) line endings")
			return nil, nil, nil
		}
		col.errorf(1, "no frontmatter: start the file with a line ---, the plan in YAML, then a line --- before the welcome note")
		return nil, nil, nil
	}
	fm, body := doc.Front, doc.Body
	// A key path per key, about: sized once rather than grown.
	li := &lineIndex{offset: doc.Offset, lines: make(map[string]int, bytes.Count(fm, []byte(":")))}
	parsed, perr := frontmatter.Parse(doc)
	if perr != nil {
		msg := perr.Msg
		if perr.NotMapping {
			msg = "the frontmatter must be a mapping of keys (title:, buyer:, close:, ...)"
		}
		col.errorf(perr.Line, "%s", msg)
		return nil, nil, nil
	}
	root := *parsed
	n := len(*col.ps)
	walkStrict(&root, reflect.TypeFor[rawDeal](), "", li, col, "the deal")
	// body is the tail of src: it starts on the line after the closing ---.
	checkPlaceholders(&root, li, body, doc.BodyLine, col)
	var d rawDeal
	if len(root.Content) != 1 || !decodeFast(root.Content[0], reflect.ValueOf(&d).Elem()) {
		d = rawDeal{} // decodeFast may have set part of it
		if err := root.Decode(&d); err != nil {
			li.written = map[string]bool{}
			writtenIDs(&root, li.written)
			var te *yaml.TypeError
			if errors.As(err, &te) {
				for _, m := range te.Errors {
					li.typeErrs = append(li.typeErrs, len(*col.ps))
					line := frontmatter.ErrLine(errors.New(m), li.offset)
					col.errorf(line, "%s", yamlTypeWords(frontmatter.FileMsg(errors.New(m), li.offset)))
					if li.typeErrLines == nil {
						li.typeErrLines = map[int]bool{}
					}
					li.typeErrLines[line] = true
				}
			} else {
				col.errorf(li.offset+1, "%s", frontmatter.ErrMsg(err))
			}
		}
	}
	if len(*col.ps) > n && !hasUsable(&d) {
		return nil, nil, nil
	}
	return &d, li, body
}

// yamlTypeRe is the YAML library's message for a value of the wrong type.
var yamlTypeRe = regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// yamlTypeWords says a YAML type error as what was written and what is
// wanted: "a list where one value is wanted: write one value". Other
// messages are the library's.
func yamlTypeWords(msg string) string {
	m := yamlTypeRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := map[string]string{"seq": "a list", "map": "keys and values", "str": "text", "int": "a number", "float": "a number", "bool": "true or false", "timestamp": "a date and time"}[m[1]]
	if got == "" {
		got = "a value of another kind"
	}
	if m[2] != "" {
		got += fmt.Sprintf(" (%s)", m[2])
	}
	want, fix := "one value", "write one value, or put text in double quotes"
	switch into := m[3]; {
	case strings.HasPrefix(into, "[]"):
		want, fix = "a list", "write [a, b], or one item per line under the key, each starting with \"- \""
	case into == "int" || into == "int64":
		want, fix = "a whole number", "write digits only"
	case into == "bool":
		want, fix = "true or false", "write true or false"
	case strings.HasPrefix(into, "map[") || strings.Contains(into, "generator."):
		want, fix = "keys under it", "write them one per line, indented under the key"
	}
	return strings.Replace(msg, m[0], got+" where "+want+" is wanted: "+fix, 1)
}

// dateShape is a date written as YYYY-MM-DD, whether or not the day
// exists.
var dateShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// monthDays says how many days the month of s (YYYY-MM-DD) has, or that
// it has no such month.
func monthDays(s string) string {
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:7])
	if m < 1 || m > 12 {
		return fmt.Sprintf("there is no month %02d", m)
	}
	first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("%s %d has %d days", first.Month(), y, first.AddDate(0, 1, -1).Day())
}

// hasUsable reports whether a partly decoded deal is worth checking further.
func hasUsable(d *rawDeal) bool { return d.Title != "" || len(d.Stakeholders) > 0 }

// utf8BOM is the byte-order mark some editors write at the start of UTF-8
// files. Plans and Markdown collateral may start with it; it is dropped.
var utf8BOM = []byte("\xef\xbb\xbf")

// invalidUTF8Line reports whether text is valid UTF-8 and, when it is not,
// the line (from 1) of its first invalid byte.
func invalidUTF8Line(text []byte) (line int, ok bool) {
	if utf8.Valid(text) {
		return 0, true
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && n <= 1 {
			return 1 + bytes.Count(text[:i], []byte("\n")), false
		}
		i += n
	}
	return 1, false // not reached: utf8.Valid said there is a bad byte
}

// reviewsDir is a bundle's folder of review notes: like its replies
// folder (reply.Dir), maproom's records, not collateral.
const reviewsDir = "reviews"

// bundleFiles lists the regular files of a bundle, index.md excluded, and
// not those of its replies/ and reviews/ folders.
func bundleFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if p != dir && (strings.HasPrefix(name, ".") || isEditorTemp(name)) {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() && filepath.Dir(p) == dir && (name == reply.Dir || name == reviewsDir) {
			return fs.SkipDir // maproom's own records, never collateral
		}
		if e.IsDir() || p == filepath.Join(dir, BundleIndex) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// isEditorTemp reports names editors write beside a file while saving.
func isEditorTemp(name string) bool {
	return strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") ||
		strings.HasPrefix(name, ".#") || (strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#")) ||
		name == "4913" || strings.HasSuffix(name, ".tmp")
}

// Slug turns a name into an id: lowercase letters, digits and single
// hyphens (the form deal, stakeholder and task ids take).
func Slug(s string) string {
	if folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), s); err == nil {
		s = folded // accents dropped: "Núñez" is "nunez"
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// SlugExample suggests an id for s: its Slug, or when that keeps too
// little of it (fewer than two letters or digits), other, a made-up one.
func SlugExample(s, other string) string {
	if sl := Slug(s); len(sl) >= 2 {
		return fmt.Sprintf("e.g. %q", sl)
	}
	return fmt.Sprintf("as in %q", other)
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var hhmmRe = regexp.MustCompile(`^([01]?\d|2[0-3]):[0-5]\d$`)

// convert turns the raw frontmatter into a deal, reporting bad values.
func convert(r *rawDeal, id, file string, body []byte, li *lineIndex, col collector) *deal.Deal {
	d := &deal.Deal{
		ID: id, File: file, Title: strings.TrimSpace(r.Title), Buyer: r.Buyer, Seller: r.Seller, Goal: r.Goal,
		Value: r.Value, Template: strings.TrimSpace(r.Template), BuyerLogo: r.BuyerLogo, Criteria: r.Criteria, Body: body,
	}
	// undecoded reports whether the value at path was written but did not
	// decode (a list where one value is wanted): its type error says so,
	// and it is not missing.
	undecoded := func(path string) bool {
		_, written := li.lines[path]
		return written && li.typeErrLines[li.at(path)]
	}
	date := func(path, s, what string, required bool) deal.Date {
		if s == "" {
			if required && !undecoded(path) {
				col.errorf(li.at(path), "%s is missing: add `%s: YYYY-MM-DD`", what, lastKey(path))
			}
			return deal.Date{}
		}
		v, err := deal.ParseDate(s)
		switch {
		case err == nil && !v.Plausible():
			col.errorf(li.at(path), "%s %q is out of range: write a date between 1970 and 2199", what, s)
			return deal.Date{}
		case err == nil:
		case dateShape.MatchString(s):
			col.errorf(li.at(path), "%s %q is no day of the calendar (%s): write a real date", what, s, monthDays(s))
		default:
			col.errorf(li.at(path), "%s %q is not a date: write YYYY-MM-DD, e.g. 2026-06-30", what, s)
		}
		return v
	}
	for _, req := range []struct{ key, val, hint string }{
		{"title", r.Title, "a neutral title: link previews show it"},
		{"buyer", r.Buyer, "the buying company"},
		{"seller", r.Seller, "your company"},
		{"goal", r.Goal, "the buyer's dated business reason, e.g. \"Signed by 30 June so the July launch ships\""},
	} {
		if strings.TrimSpace(req.val) == "" && !undecoded(req.key) {
			col.errorf(li.at(req.key), "%s is missing: add `%s:` with %s", req.key, req.key, req.hint)
		}
	}
	d.Close = date("close", r.Close, "the close date", true)
	d.GoLive = date("golive", r.GoLive, "the go-live date", false)
	switch deal.Outcome(r.Outcome) {
	case "":
		d.Outcome = deal.Open
	case deal.Open, deal.Won, deal.Lost:
		d.Outcome = deal.Outcome(r.Outcome)
	default:
		col.errorf(li.at("outcome"), "outcome %q: use open, won or lost", r.Outcome)
	}
	d.Withdrawn = r.Withdraw
	if r.Withdraw && d.Outcome != deal.Lost {
		col.errorf(li.at("withdraw"), "withdraw: true takes down the rooms of a lost deal, and this one is %s: set `outcome: lost` too, or remove `withdraw:`", d.Outcome)
	}
	if r.Value < 0 {
		col.errorf(li.at("value"), "value %d is negative", r.Value)
	}
	if r.Review != nil {
		rv := r.Review
		if wd, ok := weekdays[strings.ToLower(rv.Day)]; ok {
			d.Review.Day, d.Review.HasDay = wd, true
		} else {
			col.errorf(li.at("review.day"), "review day %q: use a weekday name such as tuesday%s", rv.Day, closest(strings.ToLower(rv.Day), slices.Sorted(maps.Keys(weekdays))))
		}
		if !hhmmRe.MatchString(rv.Time) {
			col.errorf(li.at("review.time"), "review time %q: write HH:MM in the site timezone, quoted, e.g. \"15:00\"", rv.Time)
		}
		d.Review.Time = rv.Time
		d.Review.Length = 15 * time.Minute
		if rv.Length != "" {
			l, err := time.ParseDuration(rv.Length)
			if err != nil || l < 5*time.Minute || l > 4*time.Hour {
				col.errorf(li.at("review.length"), "review length %q: write a duration between 5m and 4h, e.g. 15m", rv.Length)
			} else {
				d.Review.Length = l
			}
		}
	}
	if n := len(r.Stakeholders); n > 0 {
		d.Stakeholders = make([]deal.Stakeholder, 0, n)
	}
	emails := map[string]string{} // a stakeholder's email, folded, to their id
	for i, s := range r.Stakeholders {
		p := "stakeholders." + strconv.Itoa(i)
		st := deal.Stakeholder{ID: s.ID, Name: s.Name, Title: s.Title, Side: deal.Side(s.Side), Role: deal.Role(s.Role),
			Influence: s.Influence, Email: s.Email, Phone: strings.TrimSpace(s.Phone), Booking: s.Booking, Rotate: s.Rotate, Line: li.at(p)}
		checkContact(col, li, p, s)
		if e := strings.ToLower(strings.TrimSpace(s.Email)); e != "" && !strings.Contains(e, "[[") {
			if other, ok := emails[e]; ok {
				col.warnf(li.at(p+".email"), "stakeholders %q and %q share the email %s: the history credits a commit or an accepted reply by its email, so their edits cannot be told apart, and one person holds two places in the plan; give each their own address, or keep one entry", other, s.ID, s.Email)
			} else {
				emails[e] = s.ID
			}
		}
		checkID(col, li.at(p+".id"), "stakeholder", s.ID)
		if strings.TrimSpace(s.Name) == "" {
			col.errorf(li.at(p), "stakeholder %q has no name: add `name:`", s.ID)
		}
		switch st.Side {
		case deal.Buyer:
			if st.Role != deal.RoleOther && !slices.Contains(deal.BuyerRoles, st.Role) {
				col.errorf(li.at(p+".role"), "role %q is not a buyer role: use one of %s, or other%s", s.Role, roleList(deal.BuyerRoles), closest(string(s.Role), roleNames(deal.BuyerRoles)))
			}
		case deal.Seller:
			if st.Role != deal.RoleOther && !slices.Contains(deal.SellerRoles, st.Role) {
				col.errorf(li.at(p+".role"), "role %q is not a seller role: use one of %s, or other%s", s.Role, roleList(deal.SellerRoles), closest(string(s.Role), roleNames(deal.SellerRoles)))
			}
		default:
			col.errorf(li.at(p+".side"), "side %q for %q: use buyer or seller", s.Side, s.ID)
		}
		switch s.Influence {
		case "", "high", "medium", "low":
		default:
			col.errorf(li.at(p+".influence"), "influence %q: use high, medium or low", s.Influence)
		}
		if s.Rotate < 0 {
			col.errorf(li.at(p+".rotate"), "rotate %d: the rotation counter starts at 0 and only goes up", s.Rotate)
		}
		d.Stakeholders = append(d.Stakeholders, st)
	}
	if n := len(r.Milestones); n > 0 {
		d.Milestones = make([]deal.Milestone, 0, n)
	}
	for i, m := range r.Milestones {
		p := "milestones." + strconv.Itoa(i)
		ms := deal.Milestone{ID: m.ID, Title: m.Title, Lead: m.Lead, Evidence: strings.TrimSpace(m.Evidence), Onboarding: m.Onboarding, Line: li.at(p)}
		checkID(col, li.at(p+".id"), "milestone", m.ID)
		if strings.TrimSpace(m.Title) == "" {
			col.errorf(li.at(p), "milestone %q has no title: add `title:`", m.ID)
		}
		ms.Due = date(p+".due", m.Due, "the milestone's due date", false)
		if n := len(m.Tasks); n > 0 {
			ms.Tasks = make([]deal.Task, 0, n)
		}
		for j, t := range m.Tasks {
			tp := p + ".tasks." + strconv.Itoa(j)
			tk := deal.Task{ID: t.ID, Title: t.Title, Owner: t.Owner, Status: deal.Status(t.Status), After: t.After,
				Evidence: strings.TrimSpace(t.Evidence), Collateral: t.Collateral, Milestone: m.ID, Line: li.at(tp)}
			checkID(col, li.at(tp+".id"), "task", t.ID)
			if strings.TrimSpace(t.Title) == "" {
				col.errorf(li.at(tp), "task %q has no title: add `title:`", t.ID)
			}
			if t.Status == "" {
				tk.Status = deal.Todo
			} else if !slices.Contains(deal.Statuses, tk.Status) {
				col.errorf(li.at(tp+".status"), "status %q of task %q: use todo, in-progress, done or blocked%s", t.Status, t.ID, closest(string(t.Status), []string{"todo", "in-progress", "done", "blocked"}))
			}
			tk.Due = date(tp+".due", t.Due, "the task's due date", false)
			tk.Done = date(tp+".done", t.Done, "the done date", false)
			if t.Duration != "" {
				n, ok := businessDays(t.Duration)
				if !ok {
					col.errorf(li.at(tp+".duration"), "duration %q of task %q: write a whole number of business days, e.g. 10 or 10d", t.Duration, t.ID)
				}
				tk.Duration = n
			}
			if t.Due == "" && t.Duration == "" && !undecoded(tp+".due") && !undecoded(tp+".duration") {
				col.errorf(li.at(tp), "task %q has neither a due date nor a duration: add `due: YYYY-MM-DD`, or `duration:` in business days with `after:`", t.ID)
			}
			ms.Tasks = append(ms.Tasks, tk)
		}
		d.Milestones = append(d.Milestones, ms)
	}
	if n := len(r.Collateral); n > 0 {
		d.Collateral = make([]deal.Collateral, 0, n)
	}
	for i, c := range r.Collateral {
		p := "collateral." + strconv.Itoa(i)
		checkID(col, li.at(p+".id"), "collateral", c.ID)
		if strings.TrimSpace(c.Title) == "" {
			col.errorf(li.at(p), "collateral %q has no title: add `title:`", c.ID)
		}
		aud := c.Audience
		if _, written := li.lines[p+".audience"]; written && len(aud) == 0 && !li.typeErrLines[li.at(p+".audience")] {
			// Empty is not absent: an audience emptied by mistake must not
			// widen to every buyer. The domain reads non-nil empty as nobody.
			col.errorf(li.at(p+".audience"), "collateral %q has an empty audience: remove the `audience:` key to show it to every buyer stakeholder, or name who may see it, e.g. `audience: [jordan, \"role:economic-buyer\"]`", c.ID)
			aud = []string{}
		}
		d.Collateral = append(d.Collateral, deal.Collateral{ID: c.ID, Title: c.Title, File: c.File, Audience: aud, Line: li.at(p)})
	}
	return d
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

var durationRe = regexp.MustCompile(`^(\d{1,4})\s*(d|days?|bd)?$`)

// businessDays parses a task duration: a whole number of business days,
// optionally suffixed d, day(s) or bd.
func businessDays(s string) (int, bool) {
	m := durationRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n, true
}

func checkID(col collector, line int, what, id string) {
	switch {
	case id == "":
		col.errorf(line, "a %s has no id: add `id:` (lowercase letters, digits, hyphens)", what)
	case !idRe.MatchString(id):
		col.errorf(line, "%s id %q: use lowercase letters, digits and hyphens, %s", what, id, SlugExample(id, "security-pack"))
	}
}

func roleList(rs []deal.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}
