// Package generator turns a site of deal bundles into private rooms: it
// loads and checks the plans (Load), decides who sees what, renders one room
// per stakeholder with the theme, and publishes the result into public/
// without ever leaving a half-written site (Build).
//
// The generator never needs the beacon: it writes the private room
// manifest (.maproom/rooms.json) that the beacon and the reports read.
package generator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/themes"
)

// Version is maproom's version; it is part of every output fingerprint, so
// a new maproom rebuilds every page once.
const Version = "0.1.0"

// Options configures a build. Root is required; the zero value of every
// other field is its default.
type Options struct {
	Root     string    // site root: content/, maproom.toml
	Out      string    // output folder; default Root/public
	StateDir string    // private state; default Root/.maproom
	Secret   []byte    // the site secret tokens derive from; required
	Today    deal.Date // "today"; required
	Strict   bool      // warnings are errors
	// Beacon overrides maproom.toml's beacon_url when non-nil ("" turns the
	// beacon off; a path such as "/note" posts to the site's own origin).
	Beacon *string
	// Scripts are extra script paths added to every page (serve mode's live
	// reload); they are part of the fingerprint.
	Scripts []string
	Workers int // deals rendered in parallel; default GOMAXPROCS
	// Manifest is where the private room manifest is written; default
	// StateDir/rooms.json. Each room in it keeps the day it was first
	// published, from the manifest already there; a new room gets Today
	// (manifest.Publish).
	Manifest string
	// Site is the rooms' base URL the manifest records (the beacon sends a
	// person who replied back to their room there); "" takes maproom.toml's
	// base_url. The preview sets its own address.
	Site string
	// Replies are the waiting replies (from the beacon's log) the rooms
	// list with their sender's other replies; those the bundle already
	// records (content/<deal>/replies/) show as recorded there.
	Replies []reply.Reply
	// PreviewReplies shows in the rooms the replies sent from the local
	// preview (reply.Reply.Preview) that the seller has not accepted:
	// the preview's own build does, so a seller trying a room's form sees
	// the reply there; a build to publish leaves them out, as they are a
	// click on the seller's machine, not the person's word.
	PreviewReplies bool
	// History is the plans' git history (internal/history): each room
	// lists its deal's latest changes. nil: none.
	History *history.History
	Log     *slog.Logger
}

// ErrContent is returned when the site has errors (or warnings in strict
// mode); the problems are in the Result.
var ErrContent = errors.New("the site has errors")

// Result is what a build did.
type Result struct {
	Site     *Site
	Problems Problems
	Stats    Stats
	Manifest *manifest.Manifest
	// Reasons says per deal why it was rendered or skipped, in deal order.
	Reasons []string
}

func (o *Options) defaults() error {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Out == "" {
		o.Out = filepath.Join(o.Root, "public")
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(o.Root, ".maproom")
	}
	if len(o.Secret) < 16 {
		return errors.New("no site secret: set MAPROOM_SECRET or keep one in .maproom/secret")
	}
	if o.Today.IsZero() {
		return errors.New("build: today is not set")
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Manifest == "" {
		o.Manifest = filepath.Join(o.StateDir, "rooms.json")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return o.checkOut()
}

// checkOut refuses an output folder that would hold the site's own files:
// the output is published, and a build removes from it what it did not
// make. So it must not be the site root or a parent of it, nor hold the
// content, the private state, the manifest or the secret, nor lie inside
// the content.
func (o *Options) checkOut() error {
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return err
	}
	content := filepath.Join(root, "content")
	private := []struct{ path, what string }{
		{root, "the site root"},
		{content, "the content folder"},
		{o.StateDir, "the private state folder"},
		{o.Manifest, "the private room manifest"},
		{filepath.Join(root, ".maproom"), "the site secret's folder"},
	}
	for _, p := range private {
		abs, err := filepath.Abs(p.path)
		if err != nil {
			return err
		}
		if within(abs, out) {
			return fmt.Errorf("output folder %s would hold %s (%s), which a build must not publish or remove: choose a folder of its own, such as %s",
				o.Out, p.what, p.path, filepath.Join(o.Root, "public"))
		}
	}
	if within(out, content) {
		return fmt.Errorf("output folder %s is inside the content folder %s: choose a folder outside it, such as %s",
			o.Out, content, filepath.Join(o.Root, "public"))
	}
	return nil
}

// within reports whether path is dir or inside it: by name (both are
// absolute and clean), or because dir is the very folder of path or of
// one of its parents under another name (os.SameFile: a bind mount, a
// case-insensitive disk).
func within(path, dir string) bool {
	if rel, err := filepath.Rel(dir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return true
	}
	di, err := os.Stat(dir)
	if err != nil {
		return false
	}
	for p := path; ; p = filepath.Dir(p) {
		if pi, err := os.Stat(p); err == nil && os.SameFile(pi, di) {
			return true
		}
		if filepath.Dir(p) == p {
			return false
		}
	}
}

// Theme returns the site's theme: the default one, overridden file by file
// by the folder that maproom.toml's theme names.
func Theme(root string, cfg *Config) fs.FS {
	if cfg.Theme == "" {
		return themes.Default()
	}
	return themes.Overlay(os.DirFS(filepath.Join(root, cfg.Theme)), themes.Default())
}

// Build checks the site and, when it has no errors, renders every room into
// the output folder. On any error the previous output is left untouched.
func Build(ctx context.Context, opts Options) (*Result, error) {
	b, err := NewBuilder(opts)
	if err != nil {
		return nil, err
	}
	return b.Full(ctx)
}

// buildDeal renders one deal, or reuses its previous output when none of its
// inputs changed. It reports why.
func buildDeal(r *renderer, out *output, b *Bundle, siteFP string, today deal.Date) ([]manifest.Room, string, bool, error) {
	d := b.Deal
	// Collateral is read through the deal folder as an os.Root: no path
	// or symbolic link in it reaches a file outside the folder.
	dir, err := os.OpenRoot(b.Dir)
	if err != nil {
		return nil, "", false, fmt.Errorf("%s: %w", d.File, err)
	}
	defer dir.Close()
	read := func(rel string) ([]byte, error) {
		data, err := dir.ReadFile(filepath.FromSlash(rel))
		if err != nil {
			return nil, fmt.Errorf("%s: collateral %s: %w", d.File, rel, err)
		}
		if strings.HasSuffix(rel, ".md") {
			data = bytes.TrimPrefix(data, utf8BOM) // a Markdown page may start with a byte-order mark
		}
		return data, nil
	}
	recs, repliesFP, err := r.dealReplies(b)
	if err != nil {
		return nil, "", false, err
	}
	// The content fingerprint covers index.md, every collateral file and
	// the replies.
	parts := []string{string(b.Source), repliesFP, historyFingerprint(b, r.history.Story(d.ID))}
	for _, c := range d.Collateral {
		data, err := read(c.File)
		if err != nil {
			return nil, "", false, err
		}
		parts = append(parts, c.File, hashBytes(data))
	}
	g := &groupState{Content: fingerprint(parts...), Site: siteFP, Today: today.String()}
	prev := out.prev.Groups[d.ID]
	if out.reuse(d.ID, g) {
		return RoomsOf(d, r.secret), d.ID + ": unchanged, kept", false, nil
	}
	why := "new"
	switch {
	case prev == nil:
	case prev.Content != g.Content:
		why = "plan or collateral changed"
	case prev.Site != g.Site:
		why = "settings, theme or maproom changed"
	case prev.Today != g.Today:
		why = "the date changed (days to close, overdue)"
	default:
		why = "previous output missing or modified"
	}
	out.group(d.ID, g)
	rooms, err := r.renderDeal(b, recs, read, func(rel string, data []byte) error { return out.put(d.ID, rel, data) })
	return rooms, d.ID + ": rendered (" + why + ")", true, err
}

func hashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// themeHash fingerprints every file of a theme.
func themeHash(theme fs.FS) string {
	var names []string
	fs.WalkDir(theme, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(theme, n)
		fmt.Fprintf(h, "%s:%d:%x;", n, len(b), sha256.Sum256(b))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
