package generator

import (
	"errors"
	"path/filepath"

	"github.com/maproom/maproom/internal/deal"
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
