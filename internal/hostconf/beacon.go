package hostconf

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// BeaconNginx writes an nginx server block that proxies s to the beacon at
// upstream (host:port, plain HTTP on this machine). It sets
// X-Forwarded-For to the address nginx saw, replacing whatever the client
// sent, so that a beacon trusting this proxy (--trusted-proxy) records the
// real client and nothing the client made up.
func BeaconNginx(w io.Writer, s Site, upstream string) error {
	if err := errors.Join(s.checkName(), checkUpstream(upstream)); err != nil {
		return err
	}
	name := s.Name
	if name == "" {
		name = "_"
	}
	var b strings.Builder
	b.WriteString("# maproom beacon behind nginx. Written by `maproom hostconfig beacon-nginx`.\n")
	b.WriteString("# Run the beacon with --trusted-proxy 127.0.0.1 (MAPROOM_TRUSTED_PROXY).\n")
	b.WriteString("server {\n")
	if s.Listen == "" {
		b.WriteString("    listen 80;\n    listen [::]:80;\n")
		b.WriteString("    # HTTPS: `certbot --nginx -d " + name + "` adds the certificate and the redirect.\n")
	} else {
		fmt.Fprintf(&b, "    listen %s;\n", s.Listen)
	}
	fmt.Fprintf(&b, "    server_name %s;\n", name)
	b.WriteString("    server_tokens off;\n")
	b.WriteString("    # the beacon stores no full address; nor does a log here\n")
	b.WriteString("    access_log off;\n")
	b.WriteString("    client_max_body_size 64k;\n")
	b.WriteString("    location / {\n")
	fmt.Fprintf(&b, "        proxy_pass http://%s;\n", upstream)
	b.WriteString("        proxy_http_version 1.1;\n")
	b.WriteString("        proxy_set_header Connection \"\";\n")
	b.WriteString("        proxy_set_header Host $host;\n")
	b.WriteString("        # set, not appended: the address nginx saw, never what the client sent\n")
	b.WriteString("        proxy_set_header X-Forwarded-For $remote_addr;\n")
	b.WriteString("        proxy_set_header X-Forwarded-Proto $scheme;\n")
	b.WriteString("        proxy_set_header Forwarded \"\";\n")
	b.WriteString("    }\n")
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// BeaconCaddy writes a Caddyfile site block that proxies s to the beacon
// at upstream. Caddy gets the certificate of s.Name by itself, and sets
// X-Forwarded-For to the address it saw (it trusts no client's header
// unless told to), so the beacon trusting this proxy records the real
// client.
func BeaconCaddy(w io.Writer, s Site, upstream string) error {
	if err := errors.Join(s.checkName(), checkUpstream(upstream)); err != nil {
		return err
	}
	addr, bind, err := s.caddyAddress()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# maproom beacon behind Caddy. Written by `maproom hostconfig beacon-caddy`.\n")
	b.WriteString("# Run the beacon with --trusted-proxy 127.0.0.1 (MAPROOM_TRUSTED_PROXY).\n")
	fmt.Fprintf(&b, "%s {\n", addr)
	if bind != "" {
		fmt.Fprintf(&b, "\tbind %s\n", bind)
	}
	b.WriteString("\trequest_body {\n\t\tmax_size 64KB\n\t}\n")
	fmt.Fprintf(&b, "\treverse_proxy %s {\n", upstream)
	b.WriteString("\t\t# the body read whole before it goes on (64KB at most, above): a client sending\n")
	b.WriteString("\t\t# it slowly holds a Caddy connection, not one of the beacon's\n")
	b.WriteString("\t\tbuffer_requests\n")
	b.WriteString("\t\theader_up -Forwarded\n")
	b.WriteString("\t}\n")
	b.WriteString("}\n")
	_, err = io.WriteString(w, b.String())
	return err
}

func checkUpstream(u string) error {
	host, port, err := net.SplitHostPort(u)
	if err != nil || host == "" || port == "" || strings.ContainsAny(u, "\"\\${};\r\n\t /") {
		return fmt.Errorf("beacon address %q: write host:port, like 127.0.0.1:8787", u)
	}
	return nil
}
