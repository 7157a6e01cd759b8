// Package manifest reads and writes the private room manifest,
// .maproom/rooms.json: the one file the generator writes for the beacon and
// the reports. It maps SHA-256(token) to deal, stakeholder and page ids and
// never holds a token itself, so a leaked manifest gives no room away.
//
// The manifest lives outside public/ and must never be published.
package manifest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/reply"
)

// Version is the manifest schema version written by this build.
const Version = 1

// DefaultPath is the manifest's path relative to the site root.
const DefaultPath = ".maproom/rooms.json"

// Manifest lists every room key the beacon should accept.
//
// Site is the rooms' base URL (maproom.toml's base_url, or the preview's
// address): the beacon sends a person who posted a reply back to their room
// there. Empty when the site has none; the beacon then answers a reply with
// a page of its own.
type Manifest struct {
	Version int    `json:"version"`
	Site    string `json:"site,omitempty"`
	Rooms   []Room `json:"rooms"`
	// Rotations is the highest rotation ever published for each person
	// who had a link rotated away (1 or more), by RotationKey, kept by
	// Publish when their rooms leave the manifest
	// (the person taken off the plan, the deal withdrawn or removed): a
	// rotate: counter set below it would bring a retired link back, even
	// for someone added again.
	Rotations map[string]int `json:"rotations,omitempty"`
	// Former records, by RotationKey, who each person taken off the plan
	// was (Room.Who) and the highest rotation their links had, kept by
	// Publish when their rooms leave the manifest (the person taken off,
	// the deal withdrawn or removed): an id given to someone else later
	// would open the links those rotations gave them.
	Former map[string]FormerPerson `json:"former,omitempty"`
	// Keyed marks the secret the fingerprints were made with (KeyMark):
	// compared with another secret's, they tell nothing.
	Keyed string `json:"keyed,omitempty"`
}

// KeyMark is a mark of secret (8 hex digits of an HMAC, which gives the
// secret away no more than a room link does): a manifest's fingerprints
// (Who) compare with a person's only under the secret of the same mark.
func KeyMark(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("maproom manifest fingerprints"))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// FormerPerson is a person whose rooms left the manifest: who they were
// (Room.Who) and the highest rotation their links had.
type FormerPerson struct {
	Who      string `json:"who"`
	Rotation int    `json:"rotation"`
}

// Who is a person's fingerprint in the manifest (Room.Who): "k", 8 hex digits
// of an HMAC-SHA256 of their name, then 8 of their email's (each trimmed
// and lower-cased, "-" for an email left out), keyed with the site secret:
// a leaked manifest cannot be matched against guessed names and emails. It
// tells one person from another who took their id (SamePerson).
func Who(secret []byte, name, email string) string {
	part := func(kind, s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			return "--------"
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(kind + "\x00" + s))
		return hex.EncodeToString(m.Sum(nil)[:4])
	}
	return "k" + part("name", name) + part("email", email)
}

// WhoHad returns, by RotationKey, who had each id when m was written, at
// the highest rotation their links had: in its rooms, or, for someone
// taken off the plan before, in Former. Fingerprints an older build wrote
// unkeyed are left out.
func (m *Manifest) WhoHad() map[string]FormerPerson {
	had := map[string]FormerPerson{}
	for k, f := range m.Former {
		if keyed(f.Who) {
			had[k] = f
		}
	}
	rooms := map[string]FormerPerson{} // a record older than the rooms gives way
	for _, r := range m.Rooms {
		k := RotationKey(r.Deal, r.Stakeholder)
		if f, ok := rooms[k]; keyed(r.Who) && (!ok || r.Rotation > f.Rotation) {
			rooms[k] = FormerPerson{Who: r.Who, Rotation: r.Rotation}
		}
	}
	for k, f := range rooms {
		had[k] = f
	}
	return had
}

// keyed reports whether who is a fingerprint Who makes: one of an older
// build (unkeyed) is dropped, not kept.
func keyed(who string) bool { return len(who) == 17 && who[0] == 'k' }

// SamePerson reports whether two fingerprints (Who) may be one person's:
// the same name, or the same email (a typo fixed in the other), or one
// of them unknown (empty, as in a manifest written before Who).
func SamePerson(a, b string) bool {
	if !keyed(a) || !keyed(b) {
		return true
	}
	return a[1:9] == b[1:9] || a[9:] == b[9:] && a[9:] != "--------"
}

// RotationKey is a person's key in Manifest.Rotations.
func RotationKey(deal, stakeholder string) string { return deal + "/" + stakeholder }

// HighestRotations returns the highest rotation the manifest records for
// each person, by RotationKey: in their rooms, or in Rotations.
func (m *Manifest) HighestRotations() map[string]int {
	out := make(map[string]int, len(m.Rooms)+len(m.Rotations))
	for k, rot := range m.Rotations {
		out[k] = rot
	}
	for _, r := range m.Rooms {
		if k := RotationKey(r.Deal, r.Stakeholder); r.Rotation > out[k] {
			out[k] = r.Rotation
		} else if _, ok := out[k]; !ok {
			out[k] = r.Rotation
		}
	}
	return out
}

// Room is one stakeholder's room at one rotation. Key is the hex SHA-256 of
// the token. Retired is true for a rotated-away token: the beacon keeps its
// events marked as such. Pages lists the page ids of the room: "room" for the
// room itself and the collateral ids this person may see. Published is the
// day (YYYY-MM-DD, the build's injected today) a build first wrote this key;
// empty in a manifest written before maproom recorded it (see Publish).
// Replies is what the person may reply to from this room (nil: nothing, as
// for a retired token or a manifest written before replies existed).
type Room struct {
	Key         string         `json:"key"`
	Deal        string         `json:"deal"`
	Stakeholder string         `json:"stakeholder"`
	Side        string         `json:"side"`
	Role        string         `json:"role"`
	Rotation    int            `json:"rotation"`
	Retired     bool           `json:"retired,omitempty"`
	Pages       []string       `json:"pages"`
	Published   string         `json:"published,omitempty"`
	Replies     *reply.Targets `json:"replies,omitempty"`
	// Who is the person the room is for (Who); empty in a manifest
	// written before maproom recorded it.
	Who string `json:"who,omitempty"`
}

// PageRoom is the page id of a room's own page.
const PageRoom = "room"

// Index returns the rooms by key.
func (m *Manifest) Index() map[string]*Room {
	idx := make(map[string]*Room, len(m.Rooms))
	for i := range m.Rooms {
		idx[m.Rooms[i].Key] = &m.Rooms[i]
	}
	return idx
}

// Read loads a manifest file.
func Read(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w (run maproom build first)", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: not a room manifest: %w", path, err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("%s: manifest version %d, this maproom reads %d: rebuild the site", path, m.Version, Version)
	}
	return &m, nil
}

// FirstPublished returns, per deal, the day its first buyer-side room was
// published: the earliest Published of its buyer rooms, at any rotation. A
// deal is left out when one of its buyer rooms has no day (it was published
// before maproom recorded the day, so its first publication is unknown) or
// when it has no buyer room.
func (m *Manifest) FirstPublished() map[string]string {
	first := map[string]string{}
	unknown := map[string]bool{}
	for i := range m.Rooms {
		r := &m.Rooms[i]
		switch {
		case r.Side != SideBuyer:
		case r.Published == "":
			unknown[r.Deal] = true
		case first[r.Deal] == "" || r.Published < first[r.Deal]:
			first[r.Deal] = r.Published
		}
	}
	for d := range unknown {
		delete(first, d)
	}
	return first
}

// SideBuyer is the Side of a buyer stakeholder's room.
const SideBuyer = "buyer"

// Publish writes m at path as Write does, after setting m.Rotations to the
// highest rotation of each person whose rooms left the manifest (above 0:
// see Rotations), m.Former to who they were (see Former), keeping in each
// room the Who of the person its key was first published for, and recording in each room the day it was first
// published: the day the manifest already at path (the
// previous build's) gives its key, else today (YYYY-MM-DD, the build's
// injected day, so a build stays reproducible) for a key it does not list.
// A key the previous manifest lists without a day (written before maproom
// recorded it) keeps none: when it was first published is unknown, and the
// report does not guess it. A missing or unreadable previous manifest lists
// no key, so a build that starts without it (a fresh CI checkout, say)
// records its own day for every room: keep the manifest between builds for
// the day to mean the first publication.
func Publish(path string, m *Manifest, today string) error {
	prev := map[string]string{}
	prevWho := map[string]string{}
	high := map[string]int{}
	former := map[string]FormerPerson{}
	raise := func(k string, rot int) {
		if was, ok := high[k]; !ok || rot > was {
			high[k] = rot
		}
	}
	if old, err := Read(path); err == nil {
		// Fingerprints made under another secret tell nothing (and its
		// links are all gone with it).
		// One written before the mark: the build told its secret by its
		// rooms' keys; without a room, it is not known, and nothing of
		// it is kept.
		same := old.Keyed == m.Keyed || old.Keyed == "" && len(old.Rooms) > 0
		for _, r := range old.Rooms {
			prev[r.Key] = r.Published
			if same {
				prevWho[r.Key] = r.Who
			}
			raise(RotationKey(r.Deal, r.Stakeholder), r.Rotation)
		}
		for k, rot := range old.Rotations {
			raise(k, rot)
		}
		if same {
			former = old.WhoHad()
		}
	}
	for _, r := range m.Rooms {
		raise(RotationKey(r.Deal, r.Stakeholder), r.Rotation)
	}
	// Only the people whose rooms are gone need the record (the rooms
	// hold the rest), and of them only those who had a link rotated away:
	// no counter goes below 0.
	for _, r := range m.Rooms {
		delete(high, RotationKey(r.Deal, r.Stakeholder))
		delete(former, RotationKey(r.Deal, r.Stakeholder))
	}
	m.Former = nil
	if len(former) > 0 {
		m.Former = former
	}
	for k, rot := range high {
		if rot == 0 {
			delete(high, k)
		}
	}
	m.Rotations = nil
	if len(high) > 0 {
		m.Rotations = high
	}
	for i := range m.Rooms {
		r := &m.Rooms[i]
		if who := prevWho[r.Key]; keyed(who) {
			// Who the link was first published for: a name or an email
			// changed since is held to it (SamePerson), not to the last.
			r.Who = who
		}
		if day, ok := prev[r.Key]; ok {
			r.Published = day
		} else {
			r.Published = today
		}
	}
	return Write(path, m)
}

// Marshal encodes m deterministically (rooms sorted by deal, stakeholder,
// rotation).
func Marshal(m *Manifest) ([]byte, error) {
	sort.Slice(m.Rooms, func(i, j int) bool {
		a, b := m.Rooms[i], m.Rooms[j]
		if a.Deal != b.Deal {
			return a.Deal < b.Deal
		}
		if a.Stakeholder != b.Stakeholder {
			return a.Stakeholder < b.Stakeholder
		}
		return a.Rotation < b.Rotation
	})
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write stores m at path atomically (write aside, then rename) with mode
// 0600. A file that already holds the same manifest is left alone.
func Write(path string, m *Manifest) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rooms-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
