package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
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
	b, err := marshalReport(&out)
	if err != nil {
		return err
	}
	_, err = w.Write(indentJSON(make([]byte, 0, len(b)*7/4), b))
	return err
}

// marshalReport is json.Marshal(r), with the deals marshalled in parallel:
// the rest of the report is marshalled with no deals, which leaves
// `"deals":[]` at its end (the portfolio, the one field after it, is
// omitted when empty), and the deals are put in there.
func marshalReport(r *Report) ([]byte, error) {
	deals := r.Deals
	if len(deals) < 2 || r.Portfolio != nil {
		return json.Marshal(r)
	}
	rest := *r
	rest.Deals = []DealReport{}
	head, err := json.Marshal(&rest)
	const tail = `"deals":[]}`
	if err != nil || !bytes.HasSuffix(head, []byte(tail)) {
		return json.Marshal(r)
	}
	parts := make([][]byte, len(deals))
	errs := make([]error, len(deals))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(deals)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(deals); i = int(next.Add(1) - 1) {
				parts[i], errs[i] = json.Marshal(&deals[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n := len(head) + len(deals)
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	b = append(b, head[:len(head)-len(`[]}`)]...)
	b = append(b, '[')
	for i, p := range parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	return append(b, ']', '}'), nil
}

// indentJSON appends src, compact JSON as encoding/json writes it, indented
// by two spaces as json.Indent would, with a final newline. It is a single
// pass that copies runs of plain bytes whole, many times faster than
// json.Indent on a large report.
func indentJSON(dst, src []byte) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for n := 2 * depth; n > 0; n -= len(indentSpaces) {
			dst = append(dst, indentSpaces[:min(n, len(indentSpaces))]...)
		}
	}
	plain := 0 // src[plain:i] is still to copy
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// skip the string through its closing quote: one not escaped
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
			i = j
			continue
		case '{', '[', '}', ']', ',', ':':
		default:
			continue
		}
		dst = append(dst, src[plain:i]...)
		plain = i + 1
		switch c {
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				plain = i + 1
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
		}
	}
	dst = append(dst, src[plain:]...)
	return append(dst, '\n')
}

const indentSpaces = "                                                                "
