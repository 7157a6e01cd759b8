package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"image"
	_ "image/gif" // logos: image.DecodeConfig reads their size
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/token"
)

// Brand is how the rooms carry the seller's look: a logo beside the
// buyer's in every room's header, and an accent colour for links, buttons
// and the marks of the plan. Both are optional.
type Brand struct {
	// Logo is the seller's logo: a PNG, JPEG or GIF file, at most
	// MaxLogoBytes, relative to the folder of maproom.toml. It is copied
	// into the site under a fingerprinted name; never a remote URL (a room
	// loads nothing from other sites).
	Logo string `toml:"logo"`
	// Accent is a CSS hex colour (#rgb or #rrggbb) dark enough for links
	// and buttons on the white page: a contrast of at least 4.5:1.
	Accent string `toml:"accent"`

	// LogoImage is Logo as read and checked by LoadConfig (a value, so
	// that a site's fingerprint changes with the file's bytes); its Data is
	// nil without one.
	LogoImage Logo `toml:"-"`
}

// Logo is a checked logo file: its bytes, the extension its content
// says it is, and its size in pixels.
type Logo struct {
	Data []byte
	Ext  string // ".png", ".jpg" or ".gif"
	W, H int
}

// MaxLogoBytes caps a logo file: a room stays light on a phone.
const MaxLogoBytes = 8 << 10

// logoHeight is the height, in CSS pixels, a logo shows at in a room's
// header; its width follows its proportions.
const logoHeight = 32

// Attrs returns the logo's width and height attributes at logoHeight.
func (l Logo) Attrs() (w, h int) {
	if l.H == 0 {
		return 0, 0
	}
	return (l.W*logoHeight + l.H/2) / l.H, logoHeight
}

// readLogo reads and checks the logo file rel under dir: a regular file
// inside dir (read through an os.Root, so no link leads out of it), at
// most MaxLogoBytes, whose content is a PNG, JPEG or GIF image. what names
// the setting in messages.
func readLogo(dir, rel, what string) (*Logo, error) {
	if rel == "" {
		return nil, nil
	}
	if u, err := url.Parse(rel); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		return nil, fmt.Errorf("%s %q is a URL: a room loads nothing from other sites, so give a PNG, JPEG or GIF file beside the plan, e.g. \"logo.png\"", what, rel)
	}
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, fmt.Errorf("%s %q is outside %s: copy the file into that folder and name it relative to it", what, rel, dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", what, rel, err)
	}
	defer root.Close()
	fi, err := root.Lstat(filepath.FromSlash(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s %q does not exist in %s: add the file or fix the name", what, rel, dir)
	case err != nil:
		return nil, fmt.Errorf("%s %q cannot be read inside %s (%v): copy the file into that folder", what, rel, dir, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s %q is not a regular file (a symbolic link or a folder): copy the image itself into %s", what, rel, dir)
	case fi.Size() > MaxLogoBytes:
		return nil, fmt.Errorf("%s %q is %d KB; a logo may be at most %d KB (it shows %d px tall): export it smaller, e.g. a PNG %d px tall", what, rel, (fi.Size()+1023)/1024, MaxLogoBytes>>10, logoHeight, 2*logoHeight)
	}
	data, err := root.ReadFile(filepath.FromSlash(rel))
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", what, rel, err)
	}
	return checkLogo(data, rel, what)
}

// checkLogo checks a logo's content: its type comes from its bytes, not
// its name, and SVG is refused (a file that can run script must never be
// served from the rooms' origin).
func checkLogo(data []byte, rel, what string) (*Logo, error) {
	var ext string
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		ext = ".png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		ext = ".jpg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		ext = ".gif"
	case bytes.Contains(data[:min(len(data), 512)], []byte("<svg")):
		return nil, fmt.Errorf("%s %q is an SVG image, which can carry script: export it as a PNG (%d px tall reads sharp on every screen)", what, rel, 2*logoHeight)
	default:
		return nil, fmt.Errorf("%s %q is not a PNG, JPEG or GIF image: export the logo as a PNG", what, rel)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s %q is a damaged %s image (%v): export it again", what, rel, strings.ToUpper(ext[1:]), err)
	}
	switch {
	case cfg.Height < logoHeight:
		return nil, fmt.Errorf("%s %q is %d px tall; it shows %d px tall, so it would blur: export it %d px tall", what, rel, cfg.Height, logoHeight, 2*logoHeight)
	case cfg.Width > maxLogoRatio*cfg.Height:
		return nil, fmt.Errorf("%s %q is %dx%d px, more than %d times as wide as tall: at %d px tall it would crowd the header; crop it, or use the mark without the words", what, rel, cfg.Width, cfg.Height, maxLogoRatio, logoHeight)
	}
	return &Logo{Data: data, Ext: ext, W: cfg.Width, H: cfg.Height}, nil
}

// maxLogoRatio caps a logo's width to height: wider, it crowds a phone's
// header.
const maxLogoRatio = 8

var hexColorRe = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// minAccentContrast is WCAG's contrast for normal text (AA): links are
// text in the accent colour, on white.
const minAccentContrast = 4.5

// checkAccent checks an accent colour and returns it in lowercase #rrggbb.
func checkAccent(c string) (string, error) {
	if !hexColorRe.MatchString(c) {
		return "", fmt.Errorf("[brand] accent %q is not a CSS hex colour: write # and 6 hex digits (or 3), quoted, e.g. accent = \"#1a4fb5\"", c)
	}
	c = strings.ToLower(c)
	if len(c) == 4 {
		c = "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
	}
	if r := contrastOnWhite(c); r < minAccentContrast {
		return "", fmt.Errorf("[brand] accent %q has a contrast of %.1f:1 on the white page; links and buttons in it need at least %.1f:1 to be read: use a darker shade of it", c, math.Floor(r*10)/10, minAccentContrast)
	}
	return c, nil
}

// contrastOnWhite is the WCAG 2 contrast ratio of #rrggbb against white.
func contrastOnWhite(c string) float64 {
	lin := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(c[1:3]) + 0.7152*lin(c[3:5]) + 0.0722*lin(c[5:7])
	return 1.05 / (l + 0.05)
}

// accentCSS is the stylesheet's addition for an accent colour: the theme's
// colour variables take it (the stylesheet's own --accent is replaced).
func accentCSS(accent string) string {
	if accent == "" {
		return ""
	}
	return "\n:root{--accent:" + accent + "}\n"
}

var (
	emailRe = regexp.MustCompile(`^[^@\s<>"',;]+@[^@\s<>"',;]+\.[^@\s<>"',;.]+$`)
	phoneRe = regexp.MustCompile(`^\+?[0-9(][0-9 ().-]{3,28}[0-9]$`)
)

// checkContact checks a stakeholder's contact details, which a seller's
// contact card shows: an email address, a phone number and a booking link.
// Each bad value is an error on its own line. A placeholder left by a
// template is reported as one already, not twice.
func checkContact(col collector, li *lineIndex, p string, s rawStakeholder) {
	if s.Email != "" && !strings.Contains(s.Email, "[[") && !emailRe.MatchString(s.Email) {
		col.errorf(li.at(p+".email"), "email %q of %q is not an email address: write it as name@company.com", s.Email, s.ID)
	}
	if ph := strings.TrimSpace(s.Phone); ph != "" && !strings.Contains(ph, "[[") {
		digits := 0
		for _, r := range ph {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phoneRe.MatchString(ph) || digits < 5 || digits > 15 {
			col.errorf(li.at(p+".phone"), "phone %q of %q: write the number with its country code, in digits, spaces and + ( ) - . only, e.g. \"+44 20 7946 0958\"", s.Phone, s.ID)
		}
	}
	if s.Booking != "" && !strings.Contains(s.Booking, "[[") {
		if u, err := url.Parse(s.Booking); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			col.errorf(li.at(p+".booking"), "booking %q of %q is not an https link: give the full address of the booking page, e.g. \"https://cal.example.com/sam-lee\"", s.Booking, s.ID)
		}
	}
}

// checkBuyerLogo checks the deal's buyer_logo: a file of the bundle, read
// and checked as the seller's logo is.
func checkBuyerLogo(b *Bundle, li *lineIndex, col collector) {
	d := b.Deal
	if d.BuyerLogo == "" {
		return
	}
	if _, err := readLogo(b.Dir, d.BuyerLogo, "buyer_logo"); err != nil {
		col.errorf(li.at("buyer_logo"), "%v", err)
	}
}

// contactOf picks the seller's person a room's contact card shows: while
// a deal is won, its first customer-success person (who carries the plan
// on); else its first account executive; else its first seller
// stakeholder. nil when the deal has no seller stakeholder.
func contactOf(d *deal.Deal) *deal.Stakeholder {
	var first, ae, cs *deal.Stakeholder
	for i := range d.Stakeholders {
		s := &d.Stakeholders[i]
		if s.Side != deal.Seller {
			continue
		}
		if first == nil {
			first = s
		}
		if ae == nil && s.Role == "account-executive" {
			ae = s
		}
		if cs == nil && s.Role == "customer-success" {
			cs = s
		}
	}
	switch {
	case d.Outcome == deal.Won && cs != nil:
		return cs
	case ae != nil:
		return ae
	}
	return first
}

// brand gives the header's logos for a deal's pages: the site's seller
// logo (a shared asset, the same for every deal), and the deal's buyer
// logo, published with the deal's files as f/<token>/logo.<ext>, where the
// token is keyed by the site secret over the deal and the logo's bytes
// (token.Logo). A buyer's logo is public: under a name anyone could
// compute from it and a guessed deal id, the rooms' host would answer
// whether the seller has a deal with that company. Like a collateral
// file, the logo is never cached (HeaderRules: f/ is no-store), the same
// secret and logo keep its path from build to build, and another secret,
// deal or logo moves it.
func (r *renderer) brand(b *Bundle, read func(string) ([]byte, error), out emit) (brandView, error) {
	var v brandView
	if l := r.cfg.Brand.LogoImage; l.Data != nil {
		v.Seller = r.sellerLogo
		v.SellerW, v.SellerH = l.Attrs()
	}
	d := b.Deal
	if d.BuyerLogo == "" {
		return v, nil
	}
	data, err := read(d.BuyerLogo)
	if err != nil {
		return v, err
	}
	l, err := checkLogo(data, d.BuyerLogo, "buyer_logo")
	if err != nil {
		return v, fmt.Errorf("%s: %w", d.File, err)
	}
	sum := sha256.Sum256(data)
	v.Buyer = "f/" + token.Logo(r.secret, d.ID, hex.EncodeToString(sum[:])) + "/logo" + l.Ext
	v.BuyerW, v.BuyerH = l.Attrs()
	return v, out(v.Buyer, data)
}

// newContactView is the contact card of the deal's seller contact
// (contactOf); nil when the deal has none.
func newContactView(d *deal.Deal) *contactView {
	s := contactOf(d)
	if s == nil {
		return nil
	}
	c := &contactView{Name: s.Name, Title: s.Title, Org: d.Seller, Phone: s.Phone, Booking: s.Booking}
	if s.Email != "" {
		c.Email = s.Email
		c.Mailto = template.URL("mailto:" + url.PathEscape(s.Email))
	}
	return c
}
