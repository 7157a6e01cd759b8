package generator

import (
	"strings"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/manifest"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/token"
)

// Link is one stakeholder's private room link.
type Link struct {
	Deal        string `json:"deal"`
	Stakeholder string `json:"stakeholder"`
	Name        string `json:"name"`
	Side        string `json:"side"`
	Role        string `json:"role"`
	Path        string `json:"path"` // r/<token>/, relative to the site
	URL         string `json:"url"`  // base_url joined with Path, or Path when no base_url
}

// Links lists every room link of the site, in deal then plan order; a
// withdrawn deal has none.
func Links(site *Site, secret []byte) []Link {
	var out []Link
	base := strings.TrimSuffix(site.Config.BaseURL, "/")
	for _, b := range site.Bundles {
		if b.Deal.Withdrawn {
			continue // no room: its links answer 404
		}
		for _, s := range b.Deal.Stakeholders {
			p := "r/" + token.Room(secret, b.Deal.ID, s.ID, s.Rotate) + "/"
			u := "/" + p
			if base != "" {
				u = base + "/" + p
			}
			out = append(out, Link{Deal: b.Deal.ID, Stakeholder: s.ID, Name: s.Name, Side: string(s.Side), Role: string(s.Role), Path: p, URL: u})
		}
	}
	return out
}

// RoomsOf lists a deal's manifest rooms: each stakeholder's current token
// and, marked retired, the tokens earlier rotations gave them; none for a
// withdrawn deal. A buyer's
// current room of an open deal carries what its person may reply to
// (reply.TargetsFor); a seller's preview room, a retired token and every
// room of a closed deal (won or lost) may reply to nothing (nil).
func RoomsOf(d *deal.Deal, secret []byte) []manifest.Room {
	if d.Withdrawn {
		return nil // taken down: the beacon refuses every token of the deal
	}
	var rooms []manifest.Room
	for _, s := range d.Stakeholders {
		ids := []string{manifest.PageRoom}
		for _, c := range d.Collateral {
			if c.CanSee(s) {
				ids = append(ids, c.ID)
			}
		}
		for rot := 0; rot <= s.Rotate; rot++ {
			r := manifest.Room{Key: token.Key(token.Room(secret, d.ID, s.ID, rot)), Deal: d.ID, Stakeholder: s.ID,
				Side: string(s.Side), Role: string(s.Role), Rotation: rot, Retired: rot < s.Rotate, Pages: ids, Who: manifest.Who(secret, s.Name, s.Email)}
			if !r.Retired && d.TakesReplies(&s) {
				t := reply.TargetsFor(d, s.ID)
				r.Replies = &t
			}
			rooms = append(rooms, r)
		}
	}
	return rooms
}
