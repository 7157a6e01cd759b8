package handoff

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/maproom/maproom/internal/deal"
)

// ReviewsDir is the folder of a deal bundle that holds its review notes,
// one Markdown file a review: reviews/YYYY-MM-DD.md.
const ReviewsDir = "reviews"

var reviewNoteRe = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.md$`)

// ReadReviews reads the review notes of the bundle dealDir, by day. Files
// not named YYYY-MM-DD.md (a real date) are not notes and are skipped; no
// folder is no notes.
func ReadReviews(dealDir string) ([]Review, error) {
	dir := filepath.Join(dealDir, ReviewsDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read review notes: %w", err)
	}
	var out []Review
	for _, ent := range ents {
		m := reviewNoteRe.FindStringSubmatch(ent.Name())
		if m == nil || !ent.Type().IsRegular() {
			continue
		}
		if _, err := deal.ParseDate(m[1]); err != nil {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			return nil, fmt.Errorf("read review notes: %w", err)
		}
		out = append(out, Review{Day: m[1], Text: string(text)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}
