package generator

import (
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// TestNameInID: an id that carries a company's or a person's name as a
// word of its own is caught (an error of a collateral id); one glued to
// another word is caught apart (a warning: it may be an ordinary word's
// start, "white" in "whitepaper"); ordinary words that hold a short name
// ("annual", "parking", "purchase") are neither.
func TestNameInID(t *testing.T) {
	d := &deal.Deal{Buyer: "Zeta Corp", Seller: "Northwind Analytics", Value: 380000, Stakeholders: []deal.Stakeholder{
		{ID: "ann", Name: "Ann Ames"}, {ID: "bob", Name: "Bob Burns"}, {ID: "jordan", Name: "Jordan Park"}, {ID: "sam", Name: "Sam Lee"}, {ID: "kim", Name: "Kim Chase"}}}
	names := dealNames(d)
	for id, want := range map[string][2]string{
		"zeta-pricing":     {"zeta", ""},
		"notes-jordanpark": {"jordanpark", ""},
		"deck-380k":        {"380k", ""},
		"zetapricing":      {"", "zeta"},
		"pricingzeta":      {"", "zeta"},
		"northwindpricing": {"", "northwind"},
		"burnsnotes":       {"", "burns"},
		"jordannotes":      {"", "jordan"},
		"chasenotes":       {"", "chase"},
		"annual-report":    {"", ""},
		"parking-plan":     {"", ""},
		"security-pack":    {"", ""},
		"samples":          {"", ""},
		"leeway":           {"", ""},
		"purchase-order":   {"", ""},
	} {
		if got := nameInID(id, names); got != want[0] {
			t.Errorf("nameInID(%q) = %q, want %q", id, got, want[0])
		}
		if want[0] != "" {
			continue
		}
		if got := gluedNameInID(id, names); got != want[1] {
			t.Errorf("gluedNameInID(%q) = %q, want %q", id, got, want[1])
		}
	}
}
