package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// reportSchema compiles testdata/schema.json, the JSON Schema of the
// report's JSON document.
func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join("testdata", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReportJSONSchema validates both JSON documents of the scenarios, and a
// report with no events, against the schema; and checks that the schema
// does reject what it should.
func TestReportJSONSchema(t *testing.T) {
	schema := reportSchema(t)
	r := scenarioReport(t, ReportOptions{})
	deals, _ := scenarioSite(t)
	empty := NewAggregator(deals, ReportOptions{Today: scenarioToday}).Report()
	for name, write := range map[string]func(*bytes.Buffer) error{
		"deals":     func(b *bytes.Buffer) error { return r.WriteJSON(b) },
		"portfolio": func(b *bytes.Buffer) error { return r.WritePortfolioJSON(b) },
		"no events": func(b *bytes.Buffer) error { return empty.WriteJSON(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(decodeJSON(t, b.Bytes())); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !json.Valid(b.Bytes()) {
			t.Errorf("%s: not valid JSON", name)
		}
	}

	var b bytes.Buffer
	r.WriteJSON(&b)
	for _, bad := range []struct{ from, to string }{
		{`"schema_version": 1`, `"schema_version": 2`},
		{`"severity": "alert"`, `"severity": "urgent"`},
		{`"plan": "ok"`, `"plan": "fine"`},
		{`"today": "2026-11-22"`, `"today": "22/11/2026"`},
		{`"visits": 3`, `"visits": -3`},
		{`"days_late": 14,`, `"days_late": 14, "surprise": true,`},
	} {
		doc := strings.Replace(b.String(), bad.from, bad.to, 1)
		if doc == b.String() {
			t.Fatalf("%q is not in the document", bad.from)
		}
		if err := schema.Validate(decodeJSON(t, []byte(doc))); err == nil {
			t.Errorf("the schema accepts %s", bad.to)
		}
	}
}

// TestIndentJSON checks the fast indenter against encoding/json's.
func TestIndentJSON(t *testing.T) {
	r := scenarioReport(t, ReportOptions{})
	compact, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	compact = []byte(`[` + string(compact) + `,{"a":"x\\\"]{,:","b":[],"c":{},"d":[{"e":"\\\\"}],"f":"é\u2028"},` + strings.Repeat(`[{"deep":`, 40) + `1` + strings.Repeat(`}]`, 40) + `]`)
	var want bytes.Buffer
	if err := json.Indent(&want, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	want.WriteByte('\n')
	if got := indentJSON(nil, compact); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("indentJSON differs from json.Indent:\n%s", got)
	}
}
