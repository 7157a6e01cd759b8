package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/hostconf"
)

const hostconfigAbout = `Prints the configuration that serves the published rooms (maproom build's public/)
with the same headers as public/_headers: an nginx server block or a Caddy site
block. The headers come from one table in maproom: the content security policy
names the beacon of maproom.toml's beacon_url, so print the configuration again
when beacon_url changes. The host name is base_url's; rooms are served from their
folders (r/<token>/), a path without its slash is redirected to it, and a token
that is not there answers 404 with public/404.html, as does a folder with no
index.html (r/, f/, assets/, f/<token>/): never a listing or the server's 403.

  maproom hostconfig nginx -docroot /var/www/maproom > /etc/nginx/sites-available/maproom
  maproom hostconfig caddy -docroot /var/www/maproom >> /etc/caddy/Caddyfile

Hosts that read public/_headers (Netlify, Cloudflare Pages) need nothing more.

beacon-nginx and beacon-caddy print the reverse proxy in front of the beacon
(for beacon_url's host name, to -upstream): it sets X-Forwarded-For to the
address it saw, which the beacon believes from -trusted-proxy 127.0.0.1 only.`

func cmdHostconfig(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("hostconfig", "nginx|caddy|beacon-nginx|beacon-caddy [flags]", hostconfigAbout)
	s := e.siteFlags(fs)
	docroot := fs.String("docroot", e.envOr("MAPROOM_DOCROOT", "/var/www/maproom"), "where public/ is uploaded on the host: an absolute path [MAPROOM_DOCROOT]")
	name := fs.String("server-name", "", "the host name served: the rooms' for nginx and caddy (default: base_url's host), the beacon's for beacon-nginx and beacon-caddy (default: beacon_url's host)")
	listen := fs.String("listen", "", "serve plain HTTP on this host:port, e.g. behind another proxy (default: nginx port 80, Caddy HTTPS for the host name)")
	upstream := fs.String("upstream", "127.0.0.1:8787", "beacon-nginx, beacon-caddy: the beacon's address")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) != 1 {
		pos = []string{""}
	}
	kind := pos[0]
	if kind != "nginx" && kind != "caddy" && kind != "beacon-nginx" && kind != "beacon-caddy" {
		return fmt.Errorf("%w: name the server: maproom hostconfig nginx, caddy, beacon-nginx or beacon-caddy", errUsage)
	}
	cfg, ps := generator.LoadConfig(generator.ConfigPath(s.root))
	if ps.Errors() > 0 {
		printProblems(e.stderr, ps)
		return errFailed
	}
	host := *name
	if host == "" && strings.HasPrefix(kind, "beacon-") {
		if u, err := url.Parse(cfg.BeaconURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			host = u.Hostname()
		}
		if host == "" && *listen == "" {
			return fmt.Errorf("%w: maproom.toml has no beacon_url with a host name: give the beacon's with -server-name beacon.example.com", errUsage)
		}
	} else if host == "" {
		if host, err = hostconf.SiteFromURL(cfg.BaseURL); err != nil {
			return fmt.Errorf("%w: %s: %v (or give -server-name)", errUsage, cfg.File, err)
		}
		if host == "" && *listen == "" {
			return fmt.Errorf("%w: maproom.toml has no base_url: give the rooms' host name with -server-name rooms.example.com", errUsage)
		}
	}
	if ip := net.ParseIP(host); *name == "" && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		// A public server for a name only this machine has: the settings
		// are the local preview's.
		fmt.Fprintf(e.stderr, "warning: %s is this machine's own address (from %s): a server in front of the beacon needs its public name: set beacon_url and base_url to the public addresses, or give -server-name\n", host, cfg.File)
	}
	site := hostconf.Site{Name: host, Root: *docroot, Listen: *listen}
	switch kind {
	case "beacon-nginx":
		err = hostconf.BeaconNginx(e.stdout, site, *upstream)
	case "beacon-caddy":
		err = hostconf.BeaconCaddy(e.stdout, site, *upstream)
	}
	if kind != "nginx" && kind != "caddy" {
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		return nil
	}
	rules := generator.HeaderRules(cfg.BeaconURL)
	write := hostconf.Nginx
	if kind == "caddy" {
		write = hostconf.Caddy
	}
	if err := write(e.stdout, site, rules); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
