package deal

import "testing"

// TestVagueEvidence: evidence that names no artifact (nothing, a dash, an
// ellipsis, a lone letter, a word like "done") is vague; an artifact
// named, in any script, is not.
func TestVagueEvidence(t *testing.T) {
	for _, c := range []struct {
		ev    string
		vague bool
	}{
		{"", true}, {"-", true}, {"...", true}, {"x", true}, {"\"x\"", true}, {"done", true}, {"OK.", true},
		{"signed", true}, {"Confirmed", true}, {"sign-off", true}, {"done ✔", true}, {"✅", true}, {"confirmed by all", true},
		{"Signed order form", false}, {"合同", false}, {"DPA v2", false}, {"SOC 2 report", false}, {"Order form signed", false},
		{"done (see email)", false}, {"Email from Cara", false},
	} {
		if got := VagueEvidence(c.ev) != ""; got != c.vague {
			t.Errorf("VagueEvidence(%q) vague %v, want %v", c.ev, got, c.vague)
		}
	}
}
