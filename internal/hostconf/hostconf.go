// Package hostconf writes what a static host needs to serve a published
// maproom site: its response headers and the rooms' index pages. It owns
// the three renderings of one header table: the _headers file (Netlify,
// Cloudflare Pages), an nginx server block and a Caddy site block. The
// table itself belongs to the generator (generator.HeaderRules), which
// knows the site's content security policy; this package knows hosts.
//
// A site is served at the root of its host name. Rooms are folders
// (r/<token>/index.html): a host serves index.html for a folder, and
// redirects a folder's path without its slash to the path with it, so the
// rooms' relative links resolve. Anything else, a folder without
// index.html included, answers 404 with the site's 404.html.
package hostconf

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
)

// Header is an HTTP response header.
type Header struct{ Name, Value string }

// Rule asks for Headers on every path Path matches. Path is "/*" (every
// path) or "/<dir>/*" (every path under /<dir>/). Every rule whose path
// matches applies; two rules that both match a path never name the same
// header (Check enforces it), so a host that merges the matching rules
// (Cloudflare Pages joins a header named twice with a comma) and a host
// that keeps the most specific (Netlify) serve the same headers.
type Rule struct {
	Path    string
	Headers []Header
}

// prefix is the path prefix the rule matches: "/" or "/dir/".
func (r Rule) prefix() string { return strings.TrimSuffix(r.Path, "*") }

func (r Rule) matches(path string) bool { return strings.HasPrefix(path, r.prefix()) }

// For returns the headers rules give the URL path p, in table order.
func For(rules []Rule, p string) []Header {
	var out []Header
	for _, r := range rules {
		if r.matches(p) {
			out = append(out, r.Headers...)
		}
	}
	return out
}

// Check reports every mistake in rules: a path that is not "/*" or
// "/<dir>/*", a header name or value no host can carry as written (nginx
// reads $ as a variable and Caddy { } as a placeholder), and a header two
// rules give the same path.
func Check(rules []Rule) error {
	var errs []error
	for i, r := range rules {
		if !validPath(r.Path) {
			errs = append(errs, fmt.Errorf("rule %d: path %q: write /* or /<folder>/*", i+1, r.Path))
		}
		for _, h := range r.Headers {
			if !validName(h.Name) {
				errs = append(errs, fmt.Errorf("rule %d (%s): header name %q: use letters, digits and -", i+1, r.Path, h.Name))
			}
			if strings.ContainsAny(h.Value, "\"\\${}\r\n") || h.Value == "" {
				errs = append(errs, fmt.Errorf("rule %d (%s): header %s: value %q is empty or holds one of \" \\ $ { } or a line break, which nginx or Caddy would read as syntax", i+1, r.Path, h.Name, h.Value))
			}
		}
		for j := 0; j < i; j++ {
			o := rules[j]
			if !(r.matches(o.prefix()) || o.matches(r.prefix())) {
				continue
			}
			for _, h := range r.Headers {
				for _, oh := range o.Headers {
					if strings.EqualFold(h.Name, oh.Name) {
						errs = append(errs, fmt.Errorf("rule %d (%s) and rule %d (%s) both set %s on the same paths: hosts merge such rules differently; give it in one rule only", j+1, o.Path, i+1, r.Path, h.Name))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

func validPath(p string) bool {
	if p == "/*" {
		return true
	}
	dir, ok := strings.CutSuffix(p, "/*")
	if !ok || !strings.HasPrefix(dir, "/") || len(dir) < 2 {
		return false
	}
	for _, c := range dir[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return false
		}
	}
	return !strings.Contains(dir, "//") && !strings.Contains(dir, "..")
}

func validName(n string) bool {
	if n == "" {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// HeadersFile returns rules as a _headers file, for the hosts that read
// one (Netlify, Cloudflare Pages). The rules must pass Check.
func HeadersFile(rules []Rule) string {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString(r.Path + "\n")
		for _, h := range r.Headers {
			fmt.Fprintf(&b, "  %s: %s\n", h.Name, h.Value)
		}
	}
	return b.String()
}

// Site is where and how a host serves a published site.
type Site struct {
	// Name is the host name the rooms are served at (base_url's host), or
	// "" for any (nginx "_", Caddy ":80").
	Name string
	// Root is the absolute path of the published folder on the host.
	Root string
	// Listen is the address to serve plain HTTP on, host:port (behind
	// another proxy, or in a test). Empty, nginx listens on port 80 (certbot
	// adds HTTPS) and Caddy serves Name over HTTPS, which it gets by itself.
	Listen string
}

// SiteFromURL returns the host name of base, a site's base_url, which must
// be the root of its host: the configurations serve the site at "/".
func SiteFromURL(base string) (string, error) {
	if base == "" {
		return "", nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("base_url %q: write it like https://rooms.example.com", base)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return "", fmt.Errorf("base_url %q is under the path /%s/: these configurations serve the site at the root of its host name; give the rooms a host name of their own (rooms.example.com)", base, p)
	}
	return u.Hostname(), nil
}

func (s Site) check() error {
	if !strings.HasPrefix(s.Root, "/") {
		return fmt.Errorf("root %q: give the absolute path of the published folder on the host, like /var/www/maproom", s.Root)
	}
	if strings.ContainsAny(s.Root, "\"\\${};\r\n\t ") {
		return fmt.Errorf("root %q: a path without spaces, quotes, $, { } or ;", s.Root)
	}
	return s.checkName()
}

// checkName checks the host name and listen address.
func (s Site) checkName() error {
	if strings.ContainsAny(s.Name, "\"\\${};\r\n\t /") || strings.ContainsAny(s.Listen, "\"\\${};\r\n\t/") {
		return fmt.Errorf("host name %q or listen address %q: a plain host name and address", s.Name, s.Listen)
	}
	return nil
}

// caddyAddress is the site address of a Caddy block for s, and the
// address to bind when s.Listen gives one.
func (s Site) caddyAddress() (addr, bind string, err error) {
	switch {
	case s.Listen != "":
		host, port, err := net.SplitHostPort(s.Listen)
		if err != nil {
			return "", "", fmt.Errorf("listen address %q: write host:port, like 127.0.0.1:8080", s.Listen)
		}
		// Any host name on the port, unless Name gives one.
		return "http://" + s.Name + ":" + port, host, nil
	case s.Name == "":
		return ":80", "", nil
	}
	return s.Name, "", nil
}

// Nginx writes an nginx server block (for /etc/nginx/sites-available)
// serving s with rules. nginx's add_header in a location replaces those of
// the server, so each location carries every header its paths get; with
// "always", 404 answers carry them too. nginx's 403 (a folder without
// index.html, autoindex being off; a file it may not read) answers as a
// missing path does, 404 with 404.html: a folder (r/, f/, assets/, a
// file's f/<token>/) looks like a token that is not there.
func Nginx(w io.Writer, s Site, rules []Rule) error {
	if err := errors.Join(Check(rules), s.check()); err != nil {
		return err
	}
	name, listen := s.Name, s.Listen
	if name == "" {
		name = "_"
	}
	var b strings.Builder
	b.WriteString("# maproom rooms: the headers of public/_headers, rooms served from their folders.\n")
	b.WriteString("# Written by `maproom hostconfig nginx`; write it again when beacon_url changes.\n")
	b.WriteString("server {\n")
	if listen == "" {
		b.WriteString("    listen 80;\n    listen [::]:80;\n")
		b.WriteString("    # HTTPS: `certbot --nginx -d " + name + "` adds the certificate and the redirect.\n")
	} else {
		fmt.Fprintf(&b, "    listen %s;\n", listen)
	}
	fmt.Fprintf(&b, "    server_name %s;\n", name)
	fmt.Fprintf(&b, "    root %s;\n", s.Root)
	b.WriteString("    index index.html;\n")
	b.WriteString("    autoindex off;\n")
	b.WriteString("    server_tokens off;\n")
	b.WriteString("    # a room's path is its private link: no log keeps them (nor readers' addresses),\n")
	b.WriteString("    # and a link that is not there is not written to the error log either\n")
	b.WriteString("    access_log off;\n")
	b.WriteString("    log_not_found off;\n")
	b.WriteString("    charset utf-8;\n")
	b.WriteString("    # a room's path without its slash is redirected to it, relative to the host asked\n")
	b.WriteString("    absolute_redirect off;\n")
	b.WriteString("    # what is not there answers 404 with 404.html, and the headers of the path asked;\n")
	b.WriteString("    # so does a folder without index.html (r/, f/, assets/, f/<token>/), which nginx\n")
	b.WriteString("    # would refuse with its own 403, telling a folder that is there from one that is not\n")
	for _, loc := range locations(rules) {
		notFound := "@notfound" + strings.ReplaceAll(strings.TrimSuffix(loc, "/"), "/", "_")
		if loc == "/" {
			b.WriteString("\n    location / {\n")
		} else {
			fmt.Fprintf(&b, "\n    location ^~ %s {\n", loc)
		}
		fmt.Fprintf(&b, "        error_page 403 404 =404 %s;\n", notFound)
		addHeaders(&b, For(rules, loc))
		b.WriteString("    }\n")
		fmt.Fprintf(&b, "    location %s {\n", notFound)
		b.WriteString("        try_files /404.html =404;\n")
		addHeaders(&b, notFoundHeaders(For(rules, loc)))
		b.WriteString("    }\n")
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// notFoundHeaders are the headers of a 404 answer on a path that gets hs:
// the same, but that it is never cached (a path under /assets/ is cached
// for a year when it is there; a 404 kept as long would stay when the file
// comes, and a link not published yet would stay missing once it is).
func notFoundHeaders(hs []Header) []Header {
	var out []Header
	for _, h := range hs {
		if !strings.EqualFold(h.Name, "Cache-Control") {
			out = append(out, h)
		}
	}
	return append(out, Header{Name: "Cache-Control", Value: "no-store"})
}

func addHeaders(b *strings.Builder, hs []Header) {
	for _, h := range hs {
		fmt.Fprintf(b, "        add_header %s \"%s\" always;\n", h.Name, h.Value)
	}
}

// locations are the path prefixes of rules, "/" first: one nginx location
// each.
func locations(rules []Rule) []string {
	out := []string{"/"}
	seen := map[string]bool{"/": true}
	for _, r := range rules {
		if p := r.prefix(); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Caddy writes a Caddyfile site block serving s with rules. Caddy gets and
// renews the certificate of s.Name by itself; with no name the block
// serves plain HTTP on port 80.
func Caddy(w io.Writer, s Site, rules []Rule) error {
	if err := errors.Join(Check(rules), s.check()); err != nil {
		return err
	}
	addr, bind, err := s.caddyAddress()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# maproom rooms: the headers of public/_headers, rooms served from their folders.\n")
	b.WriteString("# Written by `maproom hostconfig caddy`; write it again when beacon_url changes.\n")
	fmt.Fprintf(&b, "%s {\n", addr)
	if bind != "" {
		fmt.Fprintf(&b, "\tbind %s\n", bind)
	}
	fmt.Fprintf(&b, "\troot * %s\n", s.Root)
	caddyRoutes(&b, "\t", rules)
	b.WriteString("}\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// caddyRoutes writes the directives of a Caddy site block, each line
// starting with indent: the headers (in written order, inside a route),
// the file server, and 404.html for what is not there.
func caddyRoutes(b *strings.Builder, indent string, rules []Rule) {
	fmt.Fprintf(b, "%sroute {\n", indent)
	for _, r := range rules {
		match := ""
		if r.Path != "/*" {
			match = " " + r.Path
		}
		fmt.Fprintf(b, "%s\theader%s {\n", indent, match)
		for _, h := range r.Headers {
			fmt.Fprintf(b, "%s\t\t%s \"%s\"\n", indent, h.Name, h.Value)
		}
		fmt.Fprintf(b, "%s\t}\n", indent)
	}
	fmt.Fprintf(b, "%s\tfile_server\n", indent)
	fmt.Fprintf(b, "%s}\n", indent)
	fmt.Fprintf(b, "%shandle_errors {\n", indent)
	fmt.Fprintf(b, "%s\t# a 404 is never cached: not for a year under /assets/, not for a link published later\n", indent)
	fmt.Fprintf(b, "%s\theader Cache-Control \"no-store\"\n", indent)
	fmt.Fprintf(b, "%s\trewrite * /404.html\n", indent)
	fmt.Fprintf(b, "%s\tfile_server\n", indent)
	fmt.Fprintf(b, "%s}\n", indent)
}
