module github.com/maproom/maproom

go 1.26.8

require github.com/monperrus/crawler-user-agents v1.1.0 // analytics: the maintained crawler user-agent list that classifies beacon requests

require github.com/santhosh-tekuri/jsonschema/v6 v6.0.2 // analytics tests: validates the report's JSON against its published JSON Schema (testdata/report/schema.json)

require (
	github.com/chromedp/cdproto v0.159.0 // e2e: the DevTools protocol types the end-to-end tests send to chromium
	github.com/chromedp/chromedp v0.23.0 // e2e: drives Debian's chromium in the end-to-end tests (internal/e2e)
)

require (
	github.com/BurntSushi/toml v1.6.0 // strict TOML for maproom.toml (undecoded keys are reported)
	github.com/adrg/frontmatter v0.2.0 // required: splits the YAML frontmatter from the Markdown body
	github.com/fsnotify/fsnotify v1.10.1 // required: watches the site for maproom serve
	github.com/rogpeppe/go-internal v1.16.0 // testscript: the txtar CLI tests run the real binary
	github.com/tdewolff/minify/v2 v2.24.25 // required: minifies every HTML, CSS and JS output
	github.com/yuin/goldmark v1.8.7 // required: Markdown rendering, raw HTML off
	gopkg.in/yaml.v3 v3.0.1 // YAML nodes with line numbers, for file:line errors on the frontmatter
)

require github.com/jackc/pgx/v5 v5.12.0 // analytics/pgstore: the PostgreSQL driver and pool for the shared event store (issue 8)

require github.com/emersion/go-ical v0.0.0-20250329121855-f41e73efc392 // ics and generator tests: every .ics a build writes must parse with a maintained iCalendar parser (no tagged release; the latest commit)

require golang.org/x/crypto v0.59.0 // beacon: acme/autocert gets and renews the beacon's own certificate (-domain); v0.59 finalizes orders without a Location header (pebble, Buypass)

require github.com/letsencrypt/pebble/v2 v2.10.3 // indirect; tool: the ACME test server the beacon's HTTPS test gets its certificate from (go tool pebble)

require golang.org/x/text v0.44.0 // check: folds accents out of names (NFD, marks removed) so that "José Núñez" is caught as "jose-nunez" in collateral ids; report: East Asian wide characters take two cells in the terminal table (width); already required by pgx

require github.com/go-git/go-git/v5 v5.19.3 // gitrec: accept/decline/answer commit buyer replies with the buyer as author; no git binary needed

require github.com/wneessen/go-mail v0.8.1 // notify, invite: email over SMTP with STARTTLS (verified certificates), MIME with the .ics attached

require github.com/emersion/go-smtp v0.26.0 // notify tests: an in-process SMTP server (STARTTLS with a test certificate) that captures every message sent

require github.com/go-git/go-billy/v5 v5.9.2 // history: go-git's file system, through which the pack files are opened and mapped

require github.com/klauspost/compress v1.20.5 // history: its zlib inflates the half million small objects of a 100,000-commit history a fifth faster than compress/zlib

require (
	dario.cat/mergo v1.0.0 // indirect
	github.com/Microsoft/go-winio v0.6.2 // indirect
	github.com/ProtonMail/go-crypto v1.1.6 // indirect
	github.com/cloudflare/circl v1.6.3 // indirect
	github.com/cyphar/filepath-securejoin v0.6.1 // indirect
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6 // indirect
	github.com/emirpasic/gods v1.18.1 // indirect
	github.com/go-git/gcfg v1.5.1-0.20230307220236-3a3c6141e376 // indirect
	github.com/go-jose/go-jose/v4 v4.1.8 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/golang/groupcache v0.0.0-20241129210726-2c02b8208cf8 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/jbenet/go-context v0.0.0-20150711004518-d14ea06fba99 // indirect
	github.com/kevinburke/ssh_config v1.2.0 // indirect
	github.com/letsencrypt/challtestsrv v1.4.2 // indirect
	github.com/miekg/dns v1.1.62 // indirect
	github.com/pjbgf/sha1cd v0.7.0 // indirect
	github.com/sergi/go-diff v1.3.2-0.20230802210424-5b0b94c5c0d3 // indirect
	github.com/skeema/knownhosts v1.3.1 // indirect
	github.com/tdewolff/parse/v2 v2.8.20 // indirect
	github.com/teambition/rrule-go v1.8.2 // indirect
	github.com/xanzy/ssh-agent v0.3.3 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
	gopkg.in/warnings.v0 v0.1.2 // indirect
	gopkg.in/yaml.v2 v2.4.0 // indirect
)

tool github.com/letsencrypt/pebble/v2/cmd/pebble
