package blueprint

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

//go:embed builtin/*.md
var builtinFS embed.FS

// Dir is the folder, at the site root, that holds a site's own templates:
// one <name>.md file per template.
const Dir = "templates"

// Builtins returns the templates embedded in the binary, sorted by name,
// each parsed afresh (so the caller may keep or change them). An error
// means a built-in template is broken: a bug, which the package's tests
// catch.
func Builtins() ([]*Template, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.md")
	if err != nil {
		return nil, err
	}
	var ts []*Template
	var errs []error
	for _, n := range names {
		b, err := builtinFS.ReadFile(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := Parse(n, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.Builtin = true
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	return ts, errors.Join(errs...)
}

// Set is the templates a site can start a deal from: the built-ins, with
// the site's own templates added and overriding built-ins of the same name.
// A Set is not modified once Load returns it.
type Set struct {
	byName map[string]*Template
	broken map[string]error // a site template that does not parse, by name
}

// Load returns the templates of the site at root: the built-ins and every
// <root>/templates/*.md (files whose name starts with "." or "_", and editor
// temporary files, are skipped; a missing folder means none). The Set
// holds every template that parses; a site template that does not takes
// its name out of the Set, built-in or not. The error, when not nil, joins every
// problem of every site template that does not (as *Error values naming
// file:line) or of a folder that cannot be read; Lookup of a broken
// template's name returns its problems rather than a built-in of the same
// name.
func Load(root string) (*Set, error) {
	s := &Set{byName: map[string]*Template{}, broken: map[string]error{}}
	builtins, err := Builtins()
	if err != nil {
		return nil, fmt.Errorf("a built-in template is broken: %w", err)
	}
	for _, t := range builtins {
		s.byName[t.Name] = t
	}
	dir := filepath.Join(root, Dir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading the site's templates: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "#") {
			continue
		}
		file := filepath.Join(dir, name)
		b, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, &Error{File: file, Msg: err.Error()})
			s.broken[NameOf(name)] = err
			delete(s.byName, NameOf(name))
			continue
		}
		t, err := Parse(file, b)
		if err != nil {
			errs = append(errs, err)
			s.broken[NameOf(name)] = err
			delete(s.byName, NameOf(name))
			continue
		}
		_, t.Overrides = s.byName[t.Name]
		s.byName[t.Name] = t
	}
	return s, errors.Join(errs...)
}

// ErrUnknown is wrapped by Lookup's error for a name no template has.
var ErrUnknown = errors.New("unknown template")

// Lookup returns the template called name. For a name no template has, the
// error wraps ErrUnknown and lists the known names; for a site template
// that does not parse, it is that template's problems.
func (s *Set) Lookup(name string) (*Template, error) {
	if err := s.broken[name]; err != nil {
		return nil, err
	}
	if t := s.byName[name]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("%w %q: use one of %s (maproom new -list describes them), or add %s", ErrUnknown, name,
		strings.Join(s.Names(), ", "), filepath.Join(Dir, name+".md"))
}

// Names returns the names of the usable templates, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// All returns the usable templates, sorted by name.
func (s *Set) All() []*Template {
	var ts []*Template
	for _, n := range s.Names() {
		ts = append(ts, s.byName[n])
	}
	return ts
}
