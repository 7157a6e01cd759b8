package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/token"
)

// siteFlags are the flags every site command shares.
type siteFlags struct {
	root  string
	today string
}

// newFlags returns a FlagSet for a subcommand whose usage prints the
// command's synopsis and flags to stderr.
func (e *env) newFlags(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	out := e.stderr
	if e.helpOut != nil {
		out = e.helpOut // maproom help <command>: the help asked for, on stdout
	}
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: maproom %s %s\n\n%s\n\nFlags (one with a MAPROOM_* variable in brackets also reads it from the environment):\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

func (e *env) siteFlags(fs *flag.FlagSet) *siteFlags {
	s := &siteFlags{}
	fs.StringVar(&s.root, "root", e.envOr("MAPROOM_ROOT", "."), "site root: holds content/ and maproom.toml [MAPROOM_ROOT]")
	fs.StringVar(&s.today, "today", e.getenv("MAPROOM_TODAY"), "the day to act as of (today), YYYY-MM-DD (default: now in the site timezone) [MAPROOM_TODAY]")
	return s
}

// parse parses args; -h prints usage and returns errHelp-like nil-exit.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (flags go before arguments; see maproom help %s)", errUsage, fs.Arg(0), fs.Name())
	}
	return nil
}

// errHelp ends a command after it printed its usage on request.
var errHelp = errors.New("help shown")

func (e *env) envOr(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

// todayFor returns the --today date, or today in the site's timezone.
func (e *env) todayFor(s *siteFlags) (deal.Date, error) {
	if s.today != "" {
		d, err := deal.ParseDate(s.today)
		if err != nil {
			return deal.Date{}, fmt.Errorf("%w: -today %q: write YYYY-MM-DD", errUsage, s.today)
		}
		if !d.Plausible() {
			return deal.Date{}, fmt.Errorf("%w: -today %q: write a date between 1970 and 2199", errUsage, s.today)
		}
		return d, nil
	}
	cfg, _ := generator.LoadConfigKept(generator.ConfigPath(s.root)) // a setting in error does not move the day
	now := e.now()
	if cfg != nil && cfg.Location != nil {
		now = now.In(cfg.Location)
	}
	return deal.DateOf(now), nil
}

// loadSite loads the site for a command that checks it or hands out its
// links, with the site secret when there is one, so that an id given to
// someone else since the last build is an error there as in the build
// (generator.LoadOptions.Secret). Without the rooms' secret it is not
// compared (check says so; the commands that hand out links need that
// secret to make them, and stop without it).
func (e *env) loadSite(root string, today deal.Date) (*generator.Site, generator.Problems) {
	secret, err := e.builtSecret(root)
	if err != nil {
		secret = nil
	}
	return generator.Load(generator.LoadOptions{Root: root, Today: today, Secret: secret})
}

// secret returns the site secret: MAPROOM_SECRET, else the file
// .maproom/secret under the root, created (with a notice) when missing so a
// new user's first build works. The folder holds a .gitignore of its own, so
// the secret is never committed even where the repository ignores nothing.
func (e *env) secret(root string) ([]byte, error) {
	return e.siteSecret(root, true)
}

// builtSecret is the secret the rooms were built with, for the commands
// that hand out their links (invite, links, notify): as secret, but never
// made anew, since a new secret gives links to rooms that do not exist.
func (e *env) builtSecret(root string) ([]byte, error) {
	return e.siteSecret(root, false)
}

func (e *env) siteSecret(root string, create bool) ([]byte, error) {
	if v := e.getenv("MAPROOM_SECRET"); v != "" {
		if len(v) < 32 {
			return nil, errors.New("MAPROOM_SECRET is too short: use at least 32 characters, e.g. the output of `openssl rand -hex 32`")
		}
		if why := guessable(v); why != "" {
			return nil, fmt.Errorf("MAPROOM_SECRET %s: whoever guesses it can make every room link; use a random one, e.g. the output of `openssl rand -hex 32`", why)
		}
		return []byte(v), nil
	}
	dir := filepath.Join(root, ".maproom")
	path := filepath.Join(dir, "secret")
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("%s is too short: delete it to have a new one made (every link changes), or put at least 32 characters in it", path)
		}
		if why := guessable(s); why != "" {
			return nil, fmt.Errorf("the secret in %s %s: whoever guesses it can make every room link; delete it to have a random one made (every link changes)", path, why)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if !create {
		return nil, fmt.Errorf("no site secret: MAPROOM_SECRET is not set and %s does not exist, so the room links cannot be made; set MAPROOM_SECRET to the secret the rooms were built with (or run maproom build first, which makes one)", path)
	}
	if fi, err := os.Stat(filepath.Join(root, "content")); err != nil || !fi.IsDir() {
		// Not a site: no secret is made for it (nor .maproom/).
		return nil, fmt.Errorf("%s has no content/ folder, so it is not a maproom site: run maproom in the site's folder (or -root), or start one with maproom new <deal-id>", root)
	}
	if built := filepath.Join(root, filepath.FromSlash(manifest.DefaultPath)); fileExists(built) {
		// Rooms were built, with a secret this machine does not have: a
		// new one would change every link handed out.
		return nil, fmt.Errorf("no site secret: MAPROOM_SECRET is not set and %s does not exist, but the rooms were built before (%s): a new secret would change every link already sent. Set MAPROOM_SECRET to the secret they were built with; to give everyone new links on purpose, delete %s and build again", path, built, built)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("# maproom's private state: never commit it\n*\n"), 0o644); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(e.rand, raw); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "maproom: created a new site secret in %s (git-ignored).\n  Every room link derives from it: keep a copy somewhere safe, and set MAPROOM_SECRET to it\n  wherever else you build (CI, another laptop) so the links stay the same.\n", path)
	return []byte(s), nil
}

// guessable says why secret s could be guessed, "" when nothing shows it:
// it repeats a shorter string ("changeme-changeme-..."), or it holds
// fewer than 8 different characters. Room links are HMACs of readable ids
// under the secret, so a guessed secret gives away every link; a random
// hex or base64 secret passes.
func guessable(s string) string {
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	if len(distinct) < 8 {
		return "holds only " + count(len(distinct), "different character")
	}
	for p := 1; p <= len(s)/2; p++ {
		if s[p:] == s[:len(s)-p] {
			return fmt.Sprintf("repeats %q", s[:p])
		}
	}
	return ""
}

// sameSecret refuses a secret that the rooms of the last build (its
// manifest, .maproom/rooms.json) were not made with: building with it would
// take down every room and change every link already sent (a CI job with
// another MAPROOM_SECRET, a laptop without the secret file). A secret is
// the same when it gives one of the manifest's rooms its key; a site never
// built, or whose manifest cannot be read (the build says so), passes.
func sameSecret(root string, secret []byte) error {
	path := filepath.Join(root, filepath.FromSlash(manifest.DefaultPath))
	m, err := manifest.Read(path)
	if err != nil || len(m.Rooms) == 0 {
		return nil
	}
	for _, r := range m.Rooms {
		if token.Key(token.Room(secret, r.Deal, r.Stakeholder, r.Rotation)) == r.Key {
			return nil
		}
	}
	return fmt.Errorf("the rooms were built with another site secret (%s): building with this one would change every link already sent. Set MAPROOM_SECRET (or %s) to the secret of the last build; to give everyone new links on purpose, delete %s and build again",
		path, filepath.Join(root, ".maproom", "secret"), path)
}

// printProblems writes problems one per line, then a summary.
func printProblems(w io.Writer, ps generator.Problems) {
	for _, p := range ps {
		fmt.Fprintln(w, p.Error())
	}
	if len(ps) > 0 {
		fmt.Fprintf(w, "%s, %s\n", count(ps.Errors(), "error"), count(ps.Warnings(), "warning"))
	}
}

// noDeal is the usage error of a deal id the site does not have: it names
// the site's deals (the first dozen), to pick from.
func noDeal(site *generator.Site, id string) error {
	var ids []string
	for _, b := range site.Bundles {
		ids = append(ids, b.Deal.ID)
	}
	slices.Sort(ids)
	more := ""
	if len(ids) > 12 {
		more, ids = fmt.Sprintf(" and %d more", len(ids)-12), ids[:12]
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: no deal %q in this site, which has none", errUsage, id)
	}
	return fmt.Errorf("%w: no deal %q in this site; its deals: %s%s", errUsage, id, strings.Join(ids, ", "), more)
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if l := len(what); l > 1 && what[l-1] == 'y' && !strings.ContainsRune("aeiou", rune(what[l-2])) {
		return fmt.Sprintf("%d %sies", n, what[:l-1]) // reply, replies
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
