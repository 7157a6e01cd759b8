// Package themes holds maproom's default theme, embedded in the binary, and
// the overlay that lets a site override it file by file.
//
// A theme is an fs.FS with layouts/*.html (html/template files: room.html,
// page.html, index.html, 404.html and partials.html) and assets/ (style.css,
// room.js). Templates never see OS paths.
package themes

import (
	"embed"
	"errors"
	"io/fs"
)

//go:embed default
var embedded embed.FS

// Default returns the default theme.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "default")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// Overlay returns a theme in which every file present in site replaces the
// same path of base; other paths come from base. site may be nil.
func Overlay(site, base fs.FS) fs.FS {
	if site == nil {
		return base
	}
	return overlay{site, base}
}

type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}
