package deal

import "testing"

// TestCanSeeAudience pins who sees a document for each kind of audience: an
// absent (nil) audience is every buyer, an empty one no buyer (it fails
// closed), sellers see everything.
func TestCanSeeAudience(t *testing.T) {
	ann := Stakeholder{ID: "ann", Side: Buyer, Role: "economic-buyer"}
	bob := Stakeholder{ID: "bob", Side: Buyer, Role: "technical-evaluator"}
	sam := Stakeholder{ID: "sam", Side: Seller, Role: "account-executive"}
	for _, tc := range []struct {
		name     string
		audience []string
		want     [3]bool // ann, bob, sam
	}{
		{"absent", nil, [3]bool{true, true, true}},
		{"empty", []string{}, [3]bool{false, false, true}},
		{"id", []string{"bob"}, [3]bool{false, true, true}},
		{"role", []string{"role:economic-buyer"}, [3]bool{true, false, true}},
		{"role nobody holds", []string{"role:legal"}, [3]bool{false, false, true}},
		{"unknown role", []string{"role:cfo"}, [3]bool{false, false, true}},
	} {
		c := Collateral{ID: "pricing", Audience: tc.audience}
		got := [3]bool{c.CanSee(ann), c.CanSee(bob), c.CanSee(sam)}
		if got != tc.want {
			t.Errorf("%s: ann, bob, sam see it: %v; want %v", tc.name, got, tc.want)
		}
	}
}
