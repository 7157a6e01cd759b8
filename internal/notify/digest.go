package notify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/maproom/maproom/internal/deal"
)

// Digest folds notices into one message per person per day: the notices
// to the same person (the same email address, or the same deal and
// stakeholder without one) and the same audience become one notice,
// keyed by the person and day, whose Parts are the notices it holds.
// A person with a single notice gets a digest of one, so that the day's
// key is taken: notices that arrive later the same day wait for the next
// day's digest (one message per person per day). Sent, a digest records
// its own key and every part's, so no part is told again.
//
// A buyer's notices are folded deal by deal: each deal's comes from its
// own seller (signed by them, answered to them), with that deal's room.
//
// Invitations are never folded: each is its own email with its own
// attachment.
func Digest(ns []Notice, day deal.Date) []Notice {
	type group struct {
		key   string
		parts []Notice
	}
	var order []string
	groups := map[string]*group{}
	var out []Notice
	for _, n := range ns {
		if n.Kind == KindInvite || n.Kind == KindDigest {
			out = append(out, n)
			continue
		}
		who := n.To.Deal + "/" + n.To.ID
		if n.To.Email != "" {
			who = strings.ToLower(n.To.Email)
		}
		k := string(n.Audience) + "/" + who
		if n.Audience == Buyer {
			k += "/" + n.Deal
		}
		g, ok := groups[k]
		if !ok {
			g = &group{key: k}
			groups[k] = g
			order = append(order, k)
		}
		g.parts = append(g.parts, n)
	}
	for _, k := range order {
		out = append(out, digestOf(groups[k].parts, day))
	}
	sortNotices(out)
	return out
}

// digestOf is the one message that holds parts, all to one person.
func digestOf(parts []Notice, day deal.Date) Notice {
	// The most urgent first: alerts, flags, then the rest in key order.
	rank := map[deal.Severity]int{deal.SeverityAlert: 0, deal.SeverityFlag: 1}
	sort.SliceStable(parts, func(i, j int) bool {
		ri, ok := rank[parts[i].Severity]
		if !ok {
			ri = 2
		}
		rj, ok := rank[parts[j].Severity]
		if !ok {
			rj = 2
		}
		return ri < rj
	})
	first := parts[0]
	// The person's identity for the key: hashed, so no address is stored.
	who := first.To.Deal + "/" + first.To.ID
	if first.To.Email != "" {
		who = "email/" + hashOf(strings.ToLower(first.To.Email))
	}
	if first.Audience == Buyer {
		who = first.Deal + "/" + who // one a deal (Digest)
	}
	d := Notice{
		Key:  fmt.Sprintf("digest/%s/%s/%s", first.Audience, who, day),
		Kind: KindDigest, Deal: first.Deal, DealTitle: first.DealTitle, To: first.To, Audience: first.Audience,
		Signature: first.Signature, ReplyTo: first.ReplyTo, Parts: parts,
	}
	deals := map[string]bool{}
	worst := deal.SeverityNone
	for _, p := range parts {
		deals[p.Deal] = true
		if p.Severity == deal.SeverityAlert || (p.Severity == deal.SeverityFlag && worst != deal.SeverityAlert) {
			worst = p.Severity
		}
	}
	d.Severity = worst
	if len(deals) > 1 {
		d.Deal, d.DealTitle = "", ""
	}
	if first.Audience == Buyer {
		d.Subject = fmt.Sprintf("%s: %s from our mutual plan", first.DealTitle, count(len(parts), "note"))
		if len(deals) > 1 {
			d.Subject = fmt.Sprintf("%s from our mutual plans", count(len(parts), "note"))
		}
		var dos []string
		for _, p := range parts {
			d.Body = append(d.Body, p.Body...)
			if p.Do != "" {
				dos = append(dos, p.Do)
			}
		}
		// The notes, then what to do (their room's link, once per deal).
		d.Body = dedupe(append(d.Body, dos...))
		return d
	}
	d.Subject = fmt.Sprintf("maproom digest for %s, %s: %s", first.To.Name, day, count(len(parts), "item"))
	for i, p := range parts {
		d.Body = append(d.Body, fmt.Sprintf("%d. %s\n   %s\n   What to do: %s", i+1, p.Subject, strings.Join(p.Body, "\n   "), p.Do))
	}
	return d
}

// dedupe drops repeated paragraphs, keeping the first of each.
func dedupe(ps []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
