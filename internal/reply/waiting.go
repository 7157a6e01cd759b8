package reply

import (
	"slices"
	"strings"
	"time"
)

// Join puts the replies read from a reply source (the event log, the
// PostgreSQL store, a beacon) together with the bundles' records: every
// reply once, as a Record. A reply the records hold is their record, whose
// copy of the reply is what was decided on, whatever the source says; a
// reply only sent is a Record without decisions. When several records
// hold one id, the first in records wins; likewise in sent. The result is
// ordered oldest reply first, then by id; sent and records are not
// modified. A reply only sent that repeats an earlier one within
// RepeatWindow (the same person, target and words) is left out. Join does no I/O: read the records with ReadRecords.
func Join(sent []Reply, records []Record) []Record {
	seen := make(map[string]bool, len(sent)+len(records))
	out := make([]Record, 0, len(sent)+len(records))
	rotation := make(map[string]int, len(sent))
	for _, r := range sent {
		rotation[r.ID] = max(rotation[r.ID], r.Rotation)
	}
	for _, rec := range records {
		if !seen[rec.Reply.ID] {
			seen[rec.Reply.ID] = true
			// A record written before replies kept the link's rotation
			// takes it from the copy sent.
			rec.Reply.Rotation = max(rec.Reply.Rotation, rotation[rec.Reply.ID])
			out = append(out, rec)
		}
	}
	for _, r := range sent {
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, Record{Reply: r})
		}
	}
	slices.SortStableFunc(out, func(a, b Record) int {
		if c := a.Reply.Time.Compare(b.Reply.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Reply.ID, b.Reply.ID)
	})
	return dropRepeats(out)
}

// RepeatWindow is how soon after a reply the same reply again, from the
// same person, is taken for a repeat of the first (a form sent twice by a
// double click, a reload or a browser that retried) rather than a reply of
// its own.
const RepeatWindow = 10 * time.Minute

// dropRepeats drops, from records ordered oldest first, each reply only
// sent (no record decides it) that repeats an earlier one: the same deal,
// person, kind, target and words within RepeatWindow of it, while the
// earlier one was still undecided, and no other reply of theirs on that
// step came in between (A, then B, then A again is a change of mind back
// to A: their last word, which the seller must see as such). The seller sees and decides one reply;
// a repeat a record already decides is kept, as the decision is on
// record; and the same words sent again after the seller decided the
// first are a reply of their own (a buyer who insists after a decline),
// which the seller must see.
func dropRepeats(recs []Record) []Record {
	type content struct {
		deal, who, kind, target, date, reason, evidence, text, owner, seen string
	}
	key := func(r Reply) content {
		return content{r.Deal, r.Stakeholder, string(r.Kind), r.TargetKind + ":" + r.Target, r.Date, r.Reason, r.Evidence, r.Text, r.Owner, r.Seen}
	}
	type sent struct {
		at      time.Time // the latest of the run of repeats
		decided time.Time // when the first of the run was first decided; zero while waiting
	}
	type step struct{ deal, who, target string }
	last := make(map[content]sent, len(recs))
	latest := map[step]content{} // each person's last reply on each step
	out := recs[:0]
	for _, rec := range recs {
		k, at := key(rec.Reply), rec.Reply.Time
		st := step{k.deal, k.who, k.target}
		prev, ok := last[k]
		again := latest[st] == k
		latest[st] = k
		if ok && again && rec.State() == Waiting && at.Sub(prev.at) <= RepeatWindow && (prev.decided.IsZero() || prev.decided.After(at)) {
			last[k] = sent{at, prev.decided}
			continue
		}
		s := sent{at: at}
		if len(rec.Decisions) > 0 {
			s.decided = rec.Decisions[0].Time
		}
		last[k] = s
		out = append(out, rec)
	}
	return out
}

// WaitingReplies returns the replies that wait for the seller: those of Join(sent,
// records) whose State is Waiting, that is every reply sent or recorded
// that no record decides (accepts, declines or answers), oldest first, then
// by id. A reply recorded with a decision is not waiting even when the
// source still holds it, as it always will. It returns nil when none
// waits.
func WaitingReplies(sent []Reply, records []Record) []Reply {
	waiting, _ := Split(sent, records)
	return waiting
}

// Split is Join(sent, records) in two, in its order: the replies that wait
// for the seller (as WaitingReplies), and the records a decision decides.
func Split(sent []Reply, records []Record) (waiting []Reply, decided []Record) {
	for _, rec := range Join(sent, records) {
		if rec.State() == Waiting {
			waiting = append(waiting, rec.Reply)
		} else {
			decided = append(decided, rec)
		}
	}
	return waiting, decided
}

// LastBlocked returns the latest reply among recs, accepted, that marked
// task id blocked: its Reason is why the plan says the task is blocked.
// ok is false when no accepted reply did (the seller marked it so).
func LastBlocked(recs []Record, id string) (r Reply, ok bool) {
	for _, rec := range recs {
		if rec.Reply.Kind == Blocked && rec.Reply.Target == id && rec.Accepted() && (!ok || rec.Reply.Time.After(r.Time)) {
			r, ok = rec.Reply, true
		}
	}
	return r, ok
}

// Superseded maps each reply of rs (oldest first) that would change a
// step (not a question or a suggestion) to the latest reply the same
// person sent after it about the same step of the same deal: the one that
// stands. Replies with no later one are not in the map. A reply sent from
// the local preview (Preview, the seller's click) neither supersedes the
// person's own nor is superseded by one: the two are told apart.
func Superseded(rs []Reply) map[string]string {
	type about struct {
		deal, who, target string
		preview           bool
	}
	changes := func(r Reply) bool { return r.Target != "" && r.Kind != Question && r.Kind != Suggest }
	latest := map[about]string{}
	for i := len(rs) - 1; i >= 0; i-- {
		if r := rs[i]; changes(r) {
			k := about{r.Deal, r.Stakeholder, r.Target, r.Preview}
			if _, ok := latest[k]; !ok {
				latest[k] = r.ID
			}
		}
	}
	out := map[string]string{}
	for _, r := range rs {
		if id := latest[about{r.Deal, r.Stakeholder, r.Target, r.Preview}]; id != "" && id != r.ID && changes(r) {
			out[r.ID] = id
		}
	}
	return out
}
