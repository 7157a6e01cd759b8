package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/maproom/maproom/internal/filelock"
)

// StoreFile is where the record of what was sent lives, under a site's
// .maproom/ folder (private, git-ignored).
const StoreFile = "notify/sent.json"

// Record is one notice sent on one channel.
type Record struct {
	Kind string    `json:"kind"`
	Deal string    `json:"deal,omitempty"`
	To   string    `json:"to"` // the stakeholder id
	Sent time.Time `json:"sent"`
	ID   string    `json:"id"` // the notice's idempotency key
	// Addr is the address an invitation went to: one recorded for
	// another address than the person's now was not sent to them (an
	// address corrected in the plan). Empty for other notices, and in
	// records written before it was kept.
	Addr string `json:"addr,omitempty"`
}

// Store is the record of what was sent: per notice Key, per channel, when.
// It is read whole and written whole, atomically (a temporary file
// renamed over the old one, synced), after each notice a channel accepts:
// a crash leaves the previous record or the new one, never a torn file.
// Between a channel accepting a notice and the record being written a
// crash sends that notice again on the next run (at least once); its
// idempotency key lets a receiver drop the repeat.
//
// A Store is not safe for concurrent use; Lock keeps two processes from
// using the same file at once.
type Store struct {
	path string
	data storeData
}

type storeData struct {
	Version int                          `json:"version"`
	Sent    map[string]map[string]Record `json:"sent"` // key -> channel -> record
}

// OpenStore reads the record at path; a missing file is an empty record.
// A file that is not a record is an error naming it: nothing is sent
// while what was sent is unknown.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path, data: storeData{Version: 1, Sent: map[string]map[string]Record{}}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &s.data); err != nil {
		return nil, fmt.Errorf("%s: not a record of sent notices (%v): move it aside to start again, knowing everything may be sent again", path, err)
	}
	if s.data.Version != 1 {
		return nil, fmt.Errorf("%s: record version %d, this maproom reads version 1", path, s.data.Version)
	}
	if s.data.Sent == nil {
		s.data.Sent = map[string]map[string]Record{}
	}
	return s, nil
}

// Path is the file the store reads and writes.
func (s *Store) Path() string { return s.path }

// Sent returns when key was sent on channel.
func (s *Store) Sent(key, channel string) (Record, bool) {
	r, ok := s.data.Sent[key][channel]
	return r, ok
}

// SentAny returns the latest record of key on any channel.
func (s *Store) SentAny(key string) (Record, bool) {
	var last Record
	found := false
	for _, r := range s.data.Sent[key] {
		if !found || r.Sent.After(last.Sent) {
			last, found = r, true
		}
	}
	return last, found
}

// Latest returns the latest record whose key starts with prefix, on any
// channel.
func (s *Store) Latest(prefix string) (string, Record, bool) {
	var key string
	var last Record
	found := false
	for k, chans := range s.data.Sent {
		if len(k) < len(prefix) || k[:len(prefix)] != prefix {
			continue
		}
		for _, r := range chans {
			if !found || r.Sent.After(last.Sent) {
				key, last, found = k, r, true
			}
		}
	}
	return key, last, found
}

// Deals lists the deals the record holds notices of, by their keys
// ("<kind>/<deal>/..."; a digest's, "digest/<audience>/...", is of none).
func (s *Store) Deals() map[string]bool {
	out := map[string]bool{}
	for k := range s.data.Sent {
		if kind, rest, ok := strings.Cut(k, "/"); ok && kind != "digest" {
			if d, _, ok := strings.Cut(rest, "/"); ok {
				out[d] = true
			}
		}
	}
	return out
}

// Renamed holds each notice sent about deal from as sent about deal to
// too (its folder renamed since): a notice already sent is not sent again
// because the deal's id changed, and an invitation sent under the old id
// is the one a new link replaces. In memory, written with the next Mark.
func (s *Store) Renamed(from, to string) {
	var add []string
	for k := range s.data.Sent {
		if kind, rest, ok := strings.Cut(k, "/"); ok && kind != "digest" {
			if d, tail, ok := strings.Cut(rest, "/"); ok && d == from {
				add = append(add, kind+"/"+to+"/"+tail)
			}
		}
	}
	for _, nk := range add {
		if _, ok := s.data.Sent[nk]; ok {
			continue
		}
		kind, rest, _ := strings.Cut(nk, "/")
		_, tail, _ := strings.Cut(rest, "/")
		m := map[string]Record{}
		for ch, r := range s.data.Sent[kind+"/"+from+"/"+tail] {
			r.Deal = to
			m[ch] = r
		}
		s.data.Sent[nk] = m
	}
}

// Mark records that n was sent on channel at t, for every key it settles
// (a digest's parts too), and writes the record to disk. An error means
// the record on disk does not hold it.
func (s *Store) Mark(n Notice, channel string, t time.Time) error {
	for _, k := range n.Keys() {
		m := s.data.Sent[k]
		if m == nil {
			m = map[string]Record{}
			s.data.Sent[k] = m
		}
		m[channel] = Record{Kind: string(n.Kind), Deal: n.Deal, To: n.To.ID, Sent: t.UTC(), ID: n.ID()}
		if n.Kind == KindInvite {
			m[channel] = Record{Kind: string(n.Kind), Deal: n.Deal, To: n.To.ID, Sent: t.UTC(), ID: n.ID(), Addr: n.To.Email}
		}
	}
	return s.save()
}

// save writes the whole record atomically.
func (s *Store) save() error {
	b, err := json.MarshalIndent(s.data, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path, append(b, '\n'))
}

// writeFileAtomic writes data to path through a synced temporary file in
// the same folder, renamed over path.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // the rename itself survives a power loss
		d.Close()
	}
	return nil
}

// Lock takes an exclusive lock beside the record, so that two runs (a cron
// job and a person, say) never send the same notice twice. It fails at
// once when another process holds it; the kernel releases it when the
// process ends, however it ends.
func Lock(storePath string) (io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(storePath), 0o700); err != nil {
		return nil, err
	}
	path := storePath + ".lock"
	c, err := filelock.TryLock(path, 0o600)
	if errors.Is(err, filelock.ErrLocked) {
		return nil, errors.New("another maproom notify or invite is running on this site (" + path + " is locked): wait for it to finish")
	}
	return c, err
}

// hashOf is a short, stable hash of s, for keys that must not hold s.
func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
