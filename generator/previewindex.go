package generator

import (
	"bytes"
	"html/template"
)

// previewIndexTpl is the preview's index of every room (/_maproom/ in
// `maproom serve`): the rooms' own stylesheet and header, one card per
// person, grouped by deal, with the site's errors on top.
var previewIndexTpl = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow,noarchive">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>maproom preview: every room</title>
{{if .CSS}}<link rel="stylesheet" href="/{{.CSS}}">{{end}}
</head>
<body>
<header class="top"><p class="brand">{{if .Logo}}<img src="/{{.Logo}}" width="{{.LogoW}}" height="{{.LogoH}}" alt="{{.Title}}">{{else}}{{.Title}}{{end}}</p><p class="who">Preview: this page exists only in <code>maproom serve</code></p></header>
<main id="main">
<h1>Every room</h1>
<p>Each link is one person's private room. A seller's room previews what buyers see, with who sees each document.</p>
{{if .Problems}}<section aria-labelledby="err-h" class="errors" role="alert"><h2 id="err-h">The plan has errors</h2><p>The rooms below are the last good build.</p><pre>{{.Problems}}</pre></section>{{end}}
{{range .Deals}}<section aria-labelledby="d-{{.ID}}">
<h2 id="d-{{.ID}}">{{.Title}}</h2>
<ul class="cards">{{range .People}}<li><a href="/{{.Path}}"><strong>{{.Name}}</strong></a><br><span class="side side-{{.Side}}">{{.Side}}</span> · {{.Role}}</li>{{end}}</ul>
</section>
{{else}}<p>No rooms yet.</p>{{end}}
</main>
</body>
</html>
`))

// IndexPage renders the preview's index of every room, with problems (the
// site's errors, as text) on top. The page uses the rooms' stylesheet, at
// the root of the preview.
func (p *Preview) IndexPage(problems string) ([]byte, error) {
	site := p.Site()
	type dealRooms struct {
		ID, Title string
		People    []Link
	}
	var data struct {
		Title, CSS, Logo string
		LogoW, LogoH     int
		Problems         string
		Deals            []dealRooms
	}
	data.Title, data.Problems = "maproom preview", problems
	p.mu.Lock()
	if p.b.r != nil {
		data.CSS = p.b.r.assets.CSS
		data.Logo = p.b.r.sellerLogo
	}
	p.mu.Unlock()
	if site.Config != nil {
		data.Title = site.Config.Title
		data.LogoW, data.LogoH = site.Config.Brand.LogoImage.Attrs()
	}
	byDeal := map[string]int{}
	for _, b := range site.Bundles {
		byDeal[b.Deal.ID] = len(data.Deals)
		data.Deals = append(data.Deals, dealRooms{ID: b.Deal.ID, Title: b.Deal.Title})
	}
	if site.Config != nil {
		for _, l := range Links(site, p.b.opts.Secret) {
			i := byDeal[l.Deal]
			data.Deals[i].People = append(data.Deals[i].People, l)
		}
	}
	var b bytes.Buffer
	if err := previewIndexTpl.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
