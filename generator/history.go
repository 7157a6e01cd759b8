package generator

import (
	"errors"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/history"
)

// DecodePlan decodes one version of a deal's index.md, as read from git,
// with the loader's own decoder (the strict frontmatter decoding and the
// conversion to a deal; no file is read and nothing date-relative is
// checked). id is the deal's folder name. It fails when the version has an
// error the loader would report, naming the first one.
func DecodePlan(id string, src []byte) (*deal.Deal, error) {
	var ps Problems
	file := filepath.Join(ContentDir, id, BundleIndex)
	col := collector{file: file, ps: &ps}
	r, li, body := decodeDeal(src, col)
	if r == nil {
		return nil, firstError(ps)
	}
	d := convert(r, id, file, body, li, col)
	if err := firstError(ps); err != nil {
		return nil, err
	}
	return d, nil
}

func firstError(ps Problems) error {
	for _, p := range ps {
		if p.Severity == Error {
			return errors.New(p.Error())
		}
	}
	return nil
}

// History holds the thresholds of the signals the plans' git history
// tells (maproom.toml [history]); 0 takes the default in each comment.
type History struct {
	BuyerEditDays int `toml:"buyer_edit_days"` // a plan this many days old with no buyer-side edit is signalled: 14
	FlatDays      int `toml:"flat_days"`       // completion unchanged this many days is: 21
	Slips         int `toml:"slips"`           // a milestone moved later this many times is: 2
	MissedReviews int `toml:"missed_reviews"`  // this many weekly reviews in a row without a note are: 3
}

// Thresholds returns the settings as the history's signals take them.
func (h History) Thresholds() history.Thresholds {
	return history.Thresholds{BuyerEditDays: h.BuyerEditDays, FlatDays: h.FlatDays, Slips: h.Slips, MissedReviews: h.MissedReviews}.WithDefaults()
}

func (h History) check(src []byte, col collector) {
	for _, e := range []struct {
		key string
		n   int
	}{{"buyer_edit_days", h.BuyerEditDays}, {"flat_days", h.FlatDays}, {"slips", h.Slips}, {"missed_reviews", h.MissedReviews}} {
		if e.n < 0 {
			col.errorf(tomlKeyLine(src, toml.Key{"history", e.key}), "[history] %s = %d: give a positive number, or leave it out for the default", e.key, e.n)
		}
	}
}
