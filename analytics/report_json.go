package analytics

import (
	"bytes"
	"encoding/json"
	"io"
)

// WriteJSON writes r's per-deal report as one indented JSON document
// (schema_version ReportSchemaVersion; testdata/report/schema.json is its
// JSON Schema), without the portfolio. Lists are written as [], never null.
func (r *Report) WriteJSON(w io.Writer) error { return r.writeJSON(w, false) }

// WritePortfolioJSON writes r's portfolio as JSON: the same document with
// the portfolio and an empty deals list.
func (r *Report) WritePortfolioJSON(w io.Writer) error { return r.writeJSON(w, true) }

func (r *Report) writeJSON(w io.Writer, portfolio bool) error {
	out := *r
	if portfolio {
		out.Deals = []DealReport{}
	} else {
		out.Portfolio = nil
	}
	b, err := json.Marshal(&out)
	if err != nil {
		return err
	}
	_, err = w.Write(indentJSON(make([]byte, 0, len(b)*7/4), b))
	return err
}

// indentJSON appends src, compact JSON as encoding/json writes it, indented
// by two spaces as json.Indent would, with a final newline. It is a single
// pass, many times faster than json.Indent on a large report.
func indentJSON(dst, src []byte) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// copy the string through its closing quote: one not escaped
			// by an odd run of backslashes
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 {
					j = len(src) - 1
					break
				}
				j += k
				n := 0
				for n < j-i-1 && src[j-1-n] == '\\' {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, c, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\n')
}
