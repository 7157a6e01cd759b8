package generator

import (
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// TestNameInID: an id that carries a company's or a person's name, as a
// word or glued to another one, is caught; ordinary words that hold a
// short name ("annual", "parking") are not.
func TestNameInID(t *testing.T) {
	d := &deal.Deal{Buyer: "Zeta Corp", Seller: "Northwind Analytics", Value: 380000, Stakeholders: []deal.Stakeholder{
		{ID: "ann", Name: "Ann Ames"}, {ID: "bob", Name: "Bob Burns"}, {ID: "jordan", Name: "Jordan Park"}, {ID: "sam", Name: "Sam Lee"}, {ID: "kim", Name: "Kim Chase"}}}
	names := dealNames(d)
	for id, want := range map[string]string{
		"zeta-pricing":     "zeta",
		"zetapricing":      "zeta",
		"pricingzeta":      "zeta",
		"northwindpricing": "northwind",
		"burnsnotes":       "burns",
		"notes-jordanpark": "jordanpark",
		"jordannotes":      "jordan",
		"deck-380k":        "380k",
		"annual-report":    "",
		"parking-plan":     "",
		"security-pack":    "",
		"samples":          "",
		"leeway":           "",
		"purchase-order":   "",
		"chasenotes":       "chase",
	} {
		if got := nameInID(id, names); got != want {
			t.Errorf("nameInID(%q) = %q, want %q", id, got, want)
		}
	}
}
