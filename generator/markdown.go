package generator

import (
	"bytes"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmrender "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders the deals' Markdown: GFM (tables, task lists,
// strikethrough, autolinks), footnotes and heading ids. Raw HTML is never
// rendered (goldmark's default; unsafe mode is never enabled) and dangerous
// URLs are dropped. One instance is built per build and shared by every
// worker: goldmark.Markdown is safe for concurrent Convert calls.
type markdown struct{ md goldmark.Markdown }

func newMarkdown() *markdown {
	return &markdown{md: goldmark.New(
		goldmark.WithExtensions(
			// GFM, with table alignment as an attribute: a style attribute
			// would break the pages' CSP (style-src 'self').
			extension.Linkify, extension.Strikethrough, extension.TaskList,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Footnote,
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(scopeLinks{}, 100), util.Prioritized(shiftHeadings{}, 110)),
		),
		goldmark.WithRendererOptions(gmrender.WithNodeRenderers(util.Prioritized(taskBoxes{}, 100))),
	)}
}

// shiftHeadings moves every heading so the document's highest one sits
// right below the page's h1 (the welcome note's below its h2): one h1 per
// page, headings in order. A first "# Title" saying the page's own title
// is dropped, and the "##" headings under it then take its place (they
// were shifted past it, to h3 under the h1).
type shiftHeadings struct{}

func (shiftHeadings) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	scope, _ := pc.Get(scopeKey).(*linkScope)
	if scope == nil || scope.topLevel < 2 {
		return
	}
	if h, ok := doc.FirstChild().(*ast.Heading); ok && scope.title != "" && h.Level == 1 &&
		strings.EqualFold(strings.TrimSpace(string(h.Lines().Value(reader.Source()))), strings.TrimSpace(scope.title)) {
		doc.RemoveChild(doc, h) // the page's h1 already says it
	}
	high := 7
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			high = min(high, h.Level)
		}
		return ast.WalkContinue, nil
	})
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(6, h.Level+scope.topLevel-high)
		}
		return ast.WalkContinue, nil
	})
}

// taskBoxes renders task-list checkboxes with an accessible name ("done" or
// "not done"): a bare disabled checkbox is an unlabelled form control.
type taskBoxes struct{}

func (taskBoxes) RegisterFuncs(reg gmrender.NodeRendererFuncRegisterer) {
	reg.Register(extast.KindTaskCheckBox, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.(*extast.TaskCheckBox).IsChecked {
			w.WriteString(`<input checked disabled type="checkbox" aria-label="done"> `)
		} else {
			w.WriteString(`<input disabled type="checkbox" aria-label="not done"> `)
		}
		return ast.WalkContinue, nil
	})
}

// linkScope is the per-call data of scopeLinks: which bundle files this room
// may link to, and where they are published relative to the page.
type linkScope struct {
	visible  map[string]string // bundle-relative file -> href from the page
	topLevel int               // the level a "# heading" is given (1 keeps it)
	title    string            // the page's own title: a first heading saying only that is dropped
}

var scopeKey = parser.NewContextKey()

// render converts src for a page whose reachable files are in scope.
func (m *markdown) render(src []byte, scope *linkScope) ([]byte, error) {
	pc := parser.NewContext()
	pc.Set(scopeKey, scope)
	var b bytes.Buffer
	if err := m.md.Convert(src, &b, parser.WithContext(pc)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// scopeLinks rewrites links and images so a page links only what its reader
// may see and loads nothing from other sites:
//   - a relative link to a bundle file this person may see points to where
//     it is published; to any other relative target it becomes plain text
//     (the file is not published, or not for this person);
//   - links to http(s) and mailto stay; any other scheme becomes text;
//   - images load only from files this person may see; any other image,
//     remote ones included, is replaced by its alt text.
type scopeLinks struct{}

func (scopeLinks) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	scope, _ := pc.Get(scopeKey).(*linkScope)
	src := reader.Source()
	var unlink, drop []ast.Node
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			href, ok := resolveLink(string(n.Destination), scope, false)
			if !ok {
				unlink = append(unlink, n)
			} else {
				n.Destination = []byte(href)
			}
		case *ast.Image:
			href, ok := resolveLink(string(n.Destination), scope, true)
			if !ok {
				drop = append(drop, n)
			} else {
				n.Destination = []byte(href)
			}
		case *ast.AutoLink:
			if href, ok := resolveLink(string(n.URL(src)), scope, false); !ok || href != string(n.URL(src)) {
				unlink = append(unlink, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unlink {
		parent := n.Parent()
		if al, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(al.Label(src)))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
	for _, n := range drop {
		var alt bytes.Buffer
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				alt.Write(t.Segment.Value(src))
			}
		}
		s := ast.NewString(alt.Bytes())
		n.Parent().ReplaceChild(n.Parent(), n, s)
	}
}

// resolveLink returns the href to use for dest and whether to keep it.
func resolveLink(dest string, scope *linkScope, image bool) (string, bool) {
	if dest == "" || strings.HasPrefix(dest, "#") {
		return dest, !image
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			return dest, !image // remote images would be third-party requests
		case "mailto":
			return dest, !image
		}
		return "", false
	}
	if scope == nil || strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	p := path.Clean(u.Path)
	href, ok := scope.visible[p]
	if !ok {
		return "", false
	}
	if u.Fragment != "" && !image {
		href += "#" + u.Fragment
	}
	return href, true
}
