package history

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
)

// cacheVersion changes whenever what a commitRec holds, or how a version is
// read, or how a commit's folders are told renamed or restored (similar,
// sameBuyer, sameDeal), changes: a cache of another version is rebuilt.
const cacheVersion = 21 // 2: owner changes and plan edits; 3: renamed ids; 4: outcomes, done dates ahead of their commit; 5: an edit with a rename; 6: titles changed; 7: reverts; 8: merges that took a branch's version; 9: folders swapped, restored; 10: commit times; 11: shallow clones; 12: co-authors; 13: index.md a link; 14: the readable version a broken one stands on; 15: a rename or a restore keeps its buyer; 16: the review day of each version, and whether it names a buyer; 17: buyer names compared by their words; 18: a typo in one needs the buyer's people in both; 19: by id and name without emails; 20: a reply sent from the local preview (Maproom-Preview); 21: a step renamed with its title respaced

// cacheMagic starts every cache file; the SHA-256 of the rest follows it,
// then the gob-encoded cache.
const cacheMagic = "maproom history cache\n"

// cache is the history cache: what each commit did, keyed by commit, for
// the content folder at Path. Recs holds the commits reachable from Head
// when it was saved.
type cache struct {
	Version int
	Path    string
	Head    plumbing.Hash
	Recs    map[plumbing.Hash]*commitRec

	state string // "none", "used", "rebuilt: <why>"
}

// loadCache reads the cache file; a missing, unreadable, corrupt or
// foreign one gives an empty cache (and a log line saying why).
func loadCache(file, path string, log *slog.Logger) *cache {
	empty := &cache{Version: cacheVersion, Path: path, Recs: map[plumbing.Hash]*commitRec{}, state: "none"}
	if file == "" {
		return empty
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return empty
	}
	rebuild := func(why string) *cache {
		log.Warn("history: rebuilding the cache", "file", file, "why", why)
		empty.state = "rebuilt: " + why
		return empty
	}
	if err != nil {
		return rebuild(err.Error())
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return rebuild(err.Error())
	}
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok || len(rest) < sha256.Size {
		return rebuild("not a history cache")
	}
	if sum := sha256.Sum256(rest[sha256.Size:]); !bytes.Equal(sum[:], rest[:sha256.Size]) {
		return rebuild("corrupt: its checksum does not match")
	}
	var c cache
	if err := gob.NewDecoder(bytes.NewReader(rest[sha256.Size:])).Decode(&c); err != nil {
		return rebuild(fmt.Sprintf("corrupt: %v", err))
	}
	if c.Version != cacheVersion || c.Path != path {
		return rebuild("written for another version or content folder")
	}
	if c.Recs == nil {
		c.Recs = map[plumbing.Hash]*commitRec{}
	}
	// A cache is consistent only if every commit it holds has its parents
	// in it too: the walk stops at cached commits.
	for _, rec := range c.Recs {
		if rec == nil {
			return rebuild("corrupt: an empty record")
		}
		for _, p := range rec.Parents {
			if c.Recs[p] == nil {
				return rebuild("corrupt: a commit without its parent")
			}
		}
	}
	c.state = "used"
	return &c
}

// save writes the cache atomically: a temporary file beside it, renamed.
func (c *cache) save(file string) error {
	if file == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".history-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(c); err != nil {
		tmp.Close()
		return err
	}
	sum := sha256.Sum256(body.Bytes())
	w := bufio.NewWriterSize(tmp, 1<<16)
	w.WriteString(cacheMagic)
	w.Write(sum[:])
	w.Write(body.Bytes())
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
