package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/filelock"
	"github.com/maproom/maproom/internal/gitrec"
	"github.com/maproom/maproom/internal/history"
	"github.com/maproom/maproom/internal/reply"
)

const acceptAbout = `Accepts replies by id (see maproom replies): applies each to content/<deal>/index.md as a
minimal edit (only the intended fields change), records the reply and the decision in
content/<deal>/replies/<id>.json, checks the plan again, and commits both files in one commit
authored by the person who replied (their name and email in the plan) and committed by you
(MAPROOM_COMMITTER_NAME and MAPROOM_COMMITTER_EMAIL, else git config user.name and user.email),
with the trailer Maproom-Reply: <id>.

Uncommitted changes under content/<deal>/ are refused. A reply about a task or milestone that
changed since the room showed it is a conflict: it is shown and nothing is written, unless
-force. So is a reply the same person followed with another on the same step: the later one
stands (accept that one), unless -force. A reply that leaves nothing to apply (a step done
since, a date the plan gives already) is refused even with -force: answer or decline it. A
suggested step needs -milestone; one whose title a step of the plan has already (case and
spacing aside) is refused, naming that step: answer it, or accept it with -task-id to add
another step of that title, or -force. A reply sent from a link rotated since (rotate:) may
not be the person's: confirm with them, then -force. A lost deal's plan takes no reply, nor a
won deal's sale steps: answer or decline those. Accepting a reply twice changes nothing.`

const declineAbout = `Declines replies by id with a reason each person reads in their room after the next build:
records each decision in content/<deal>/replies/<id>.json and commits it (you as author and
committer, with the trailer Maproom-Reply: <id>), one commit per reply. The plan does not
change. Several ids share the reason: a flood of replies from a leaked link is closed at once.`

const answerAbout = `Answers a reply by id; the person reads the answer in their room after the next build.
A question takes its answer. Any other reply may be answered too: your words close it
without changing the plan (a suggestion you took up by hand, a done on a task renamed
since, a date you settled in the meeting), where decline would tell the buyer no.
Records the answer in content/<deal>/replies/<id>.json and commits it (you as author and
committer, with the trailer Maproom-Reply: <id>). The plan does not change. An answer that
still holds a template placeholder ([[...]]) is refused: no placeholder is ever published.`

func cmdAccept(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("accept", "[flags] ID...", acceptAbout)
	s := e.siteFlags(fs)
	sf := e.sourceFlags(fs)
	force := fs.Bool("force", false, "apply a reply over a conflict, once you have read it (or add a suggested step whose title the plan has already)")
	milestone := fs.String("milestone", "", "the milestone a suggested step joins (its id)")
	taskID := fs.String("task-id", "", "the id of a suggested step (default: made from its title); given, it adds a step whose title the plan has already")
	owner := fs.String("owner", "", "the stakeholder id who owns a suggested step (default: the person the reply names, else its sender)")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: name the replies to accept by id (see maproom replies)", errUsage)
	}
	dk, err := e.newDesk(ctx, s, sf, ids, true)
	if err != nil {
		return err
	}
	defer dk.close()
	failed := 0
	for _, id := range ids {
		msg, err := dk.accept(dk.items[id], reply.ApplyOptions{Force: *force, Milestone: *milestone, TaskID: *taskID, Owner: *owner})
		if err != nil {
			fmt.Fprintln(e.stderr, "maproom:", err)
			failed++
			continue
		}
		fmt.Fprintln(e.stdout, msg)
		if dk.items[id].Reply.Preview {
			fmt.Fprintf(e.stderr, "maproom: note: %s was %s\n", id, previewNote)
		}
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

func cmdDecline(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("decline", "[flags] ID... -why \"...\"", declineAbout)
	s := e.siteFlags(fs)
	sf := e.sourceFlags(fs)
	why := fs.String("why", "", "why, in words for the person who replied (required)")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("%w: name the replies to decline by id (see maproom replies)", errUsage)
	}
	if strings.TrimSpace(*why) == "" {
		return fmt.Errorf("%w: say why with -why \"...\": the person reads it in their room", errUsage)
	}
	if ps := deal.Placeholders(*why); len(ps) > 0 {
		return fmt.Errorf("%w: -why still holds the placeholder %s: write what it asks for, or remove it; the person reads it in their room (nothing in [[...]] is ever published)", errUsage, strings.Join(ps, ", "))
	}
	if bad := reply.BadChar(strings.TrimSpace(*why), true); bad != "" {
		return fmt.Errorf("%w: -why %s; the person reads it in their room", errUsage, bad)
	}
	dk, err := e.newDesk(ctx, s, sf, ids, false)
	if err != nil {
		return err
	}
	defer dk.close()
	if len(ids) == 1 {
		msg, err := dk.note(dk.items[ids[0]], reply.Declined, strings.TrimSpace(*why))
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg)
		return nil
	}
	failed := 0
	for _, id := range ids {
		msg, err := dk.note(dk.items[id], reply.Declined, strings.TrimSpace(*why))
		if err != nil {
			fmt.Fprintln(e.stderr, "maproom:", err)
			failed++
			continue
		}
		fmt.Fprintln(e.stdout, msg)
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

func cmdAnswer(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("answer", "[flags] ID \"the answer\"", answerAbout)
	s := e.siteFlags(fs)
	sf := e.sourceFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) != 2 || strings.TrimSpace(pos[1]) == "" {
		return fmt.Errorf("%w: give the question's id and the answer: maproom answer ID \"the answer\"", errUsage)
	}
	if ps := deal.Placeholders(pos[1]); len(ps) > 0 {
		return fmt.Errorf("%w: the answer still holds the placeholder %s: write what it asks for, or remove it; the person reads the answer in their room (nothing in [[...]] is ever published)", errUsage, strings.Join(ps, ", "))
	}
	if bad := reply.BadChar(strings.TrimSpace(pos[1]), true); bad != "" {
		return fmt.Errorf("%w: the answer %s; the person reads it in their room", errUsage, bad)
	}
	dk, err := e.newDesk(ctx, s, sf, pos[:1], false)
	if err != nil {
		return err
	}
	defer dk.close()
	msg, err := dk.note(dk.items[pos[0]], reply.Answered, strings.TrimSpace(pos[1]))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}

// desk is what deciding replies needs: the site's settings, its git
// repository, the seller who commits, the decision's time and the replies
// asked for.
type desk struct {
	e      *env
	lock   io.Closer // the repository's decisions lock (decideLock), held until close
	root   string
	cfg    *generator.Config
	today  deal.Date
	when   time.Time
	repo   *gitrec.Repo
	seller gitrec.Signature
	items  map[string]*replyItem
	// sent is every reply the source holds, when read (see laterOf).
	sent []reply.Reply
}

// replyItem is one reply as the seller sees it: what was sent and, when the
// bundle holds one, its record of decisions.
type replyItem struct {
	// renamedFrom is the step id the reply was sent about, when the
	// listing follows a rename to the id Reply now names.
	renamedFrom string
	Reply       reply.Reply
	Record      *reply.Record // nil: nothing recorded yet
}

func (it *replyItem) record() reply.Record {
	if it.Record != nil {
		return *it.Record
	}
	return reply.Record{Reply: it.Reply}
}

// newDesk opens the site's repository and finds the replies ids name: in
// the bundles' records first, else in the source. With all, it reads the
// source even when the records hold every id, for the later replies
// accept looks for (desk.laterOf); the source failing then is only said.
func (e *env) newDesk(ctx context.Context, s *siteFlags, sf *sourceFlags, ids []string, all bool) (*desk, error) {
	for _, id := range ids {
		if !reply.ValidID(id) {
			return nil, fmt.Errorf("%w: %q is not a reply id: ids are %d lowercase letters and digits, as maproom replies lists them", errUsage, id, reply.IDLen)
		}
	}
	dk, err := e.openDesk(s)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			dk.close()
		}
	}()
	// A source flag given wrong (-from without the read key) stops, even
	// when the replies named are recorded already and need no source.
	if sf.from != "" || sf.store != "" {
		if _, err := e.deskSource(sf, dk.root, nil); errors.Is(err, errUsage) {
			return nil, err
		}
	}
	dk.items = map[string]*replyItem{}
	var missing []string
	for _, id := range ids {
		m, _ := filepath.Glob(filepath.Join(dk.root, generator.ContentDir, "*", reply.Dir, id+".json"))
		if len(m) == 0 {
			missing = append(missing, id)
			continue
		}
		recs, err := reply.ReadRecords(filepath.Dir(filepath.Dir(m[0])))
		if err != nil {
			return nil, err
		}
		for i := range recs {
			if recs[i].Reply.ID == id {
				dk.items[id] = &replyItem{Reply: recs[i].Reply, Record: &recs[i]}
			}
		}
	}
	if len(missing) > 0 || all {
		src, err := e.deskSource(sf, dk.root, nil)
		var rs []reply.Reply
		if err == nil {
			rs, err = src.Replies(ctx)
			rs = e.rehomed(ctx, dk.root, rs, nil)
		}
		if err != nil && (len(missing) > 0 || errors.Is(err, errUsage)) {
			return nil, err // a flag given wrong stops, whether the ids need the source or not
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "maproom: %v: a later reply from the same person on the same step is looked for in the bundles' records only\n", err)
		}
		dk.sent = rs
		for _, r := range rs {
			for _, id := range missing {
				if r.ID == id {
					dk.items[id] = &replyItem{Reply: r}
				}
			}
		}
	}
	for _, id := range ids {
		if dk.items[id] == nil {
			return nil, fmt.Errorf("no reply %s: neither a bundle's %s/ nor the replies read hold it (see maproom replies; -log-dir, -store or -from say where to read)", id, reply.Dir)
		}
	}
	ok = true
	return dk, nil
}

// openDesk opens the site's settings and repository and finds the seller.
func (e *env) openDesk(s *siteFlags) (*desk, error) {
	today, err := e.todayFor(s)
	if err != nil {
		return nil, err
	}
	cfg, ps := generator.LoadConfig(generator.ConfigPath(s.root))
	if cfg == nil {
		printProblems(e.stderr, ps)
		return nil, errFailed
	}
	repo, err := gitrec.Open(s.root)
	if err != nil {
		return nil, err
	}
	seller, err := gitrec.Committer(repo, e.getenv)
	if err != nil {
		return nil, err
	}
	// One decision at a time per repository: two accepts at once would
	// put one buyer's change into the other's commit. The next waits its
	// turn. The lock lives in the git folder, as git's own do.
	lockDir := repo.GitDir()
	if lockDir == "" {
		lockDir = filepath.Join(s.root, ".maproom")
	}
	lockPath := filepath.Join(lockDir, decideLock)
	ctx, cancel := context.WithTimeout(context.Background(), decideWait)
	defer cancel()
	lock, err := filelock.Lock(ctx, lockPath, 0o600, 100*time.Millisecond, func() {
		fmt.Fprintf(e.stderr, "maproom: another accept, decline or answer is running on this site: waiting for it to finish\n")
	})
	if err != nil {
		return nil, fmt.Errorf("another accept, decline or answer has held %s for %v: %w", lockPath, decideWait, err)
	}
	// The decision's time: the clock, or with -today another day than the
	// clock's noon of that day in the site's timezone, so that a run for a
	// given day is reproducible. On the clock's own day it is the clock: a
	// commit stamped later than the seller's next commits would put the
	// plan's story out of order.
	when := e.now().In(cfg.Location)
	if s.today != "" && today != deal.DateOf(when) {
		t := today.Time()
		when = time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, cfg.Location)
	}
	seller.When = when
	return &desk{e: e, lock: lock, root: s.root, cfg: cfg, today: today, when: when, repo: repo, seller: seller}, nil
}

// decideLock is the file in the git folder whose lock a decision holds,
// and decideWait how long the next one waits for it.
const (
	decideLock = "maproom-decide.lock"
	decideWait = 2 * time.Minute
)

// close lets the next decision in.
func (dk *desk) close() {
	if dk != nil && dk.lock != nil {
		dk.lock.Close()
		dk.lock = nil
	}
}

// current gives it the record its bundle holds now: under the lock, a
// decision made by another run since it was read is seen.
func (dk *desk) current(it *replyItem) {
	dir, err := dk.dealDir(it.Reply)
	if err != nil {
		return
	}
	recs, err := reply.ReadRecords(filepath.Join(dk.root, dir))
	if err != nil {
		return
	}
	for i := range recs {
		if recs[i].Reply.ID == it.Reply.ID {
			it.Record = &recs[i]
		}
	}
}

// dealDir is the bundle of a deal, relative to the site root as gitrec
// takes it; an error when the site has no such deal.
func (dk *desk) dealDir(r reply.Reply) (string, error) {
	rel := filepath.Join(generator.ContentDir, r.Deal)
	if r.Deal == "" || strings.ContainsAny(r.Deal, `/\`) || r.Deal == "." || r.Deal == ".." {
		return "", fmt.Errorf("reply %s names no deal of this site (%q)", r.ID, r.Deal)
	}
	if _, err := os.Stat(filepath.Join(dk.root, rel, generator.BundleIndex)); err != nil {
		return "", fmt.Errorf("reply %s is about deal %q, which this site does not have (no %s): decline it where that deal lives", r.ID, r.Deal, filepath.Join(rel, generator.BundleIndex))
	}
	return rel, nil
}

// load loads and checks the deal's plan, returning it with its check
// warnings; a plan with errors is refused, since an edit could not be
// checked against it.
func (dk *desk) load(dir string) (*generator.Bundle, []generator.Problem, error) {
	b, ps := generator.LoadBundle(filepath.Join(dk.root, dir), dk.cfg, dk.today)
	if b == nil || ps.Errors() > 0 {
		var lines []string
		for _, p := range ps {
			if p.Severity == generator.Error {
				lines = append(lines, "  "+p.Error())
			}
		}
		return nil, nil, fmt.Errorf("the plan %s has errors: fix them first (maproom check):\n%s", filepath.Join(dir, generator.BundleIndex), strings.Join(lines, "\n"))
	}
	var warnings []generator.Problem
	for _, p := range ps {
		if p.Severity == generator.Warning {
			warnings = append(warnings, p)
		}
	}
	return b, warnings, nil
}

// accept applies one reply, records it and commits both; see acceptAbout.
// It returns what it did, in a line for the seller.
func (dk *desk) accept(it *replyItem, opts reply.ApplyOptions) (string, error) {
	dk.current(it)
	r := it.Reply
	rec := it.record()
	if rec.Accepted() {
		return fmt.Sprintf("reply %s already accepted: nothing changed", r.ID), nil
	}
	dir, err := dk.dealDir(r)
	if err != nil {
		return "", err
	}
	if err := dk.repo.Clean(dir); err != nil {
		return "", fmt.Errorf("reply %s not accepted: %w", r.ID, err)
	}
	b, before, err := dk.load(dir)
	if err != nil {
		return "", fmt.Errorf("reply %s not accepted: %w", r.ID, err)
	}
	d := b.Deal
	planFile := filepath.Join(dir, generator.BundleIndex)
	who, ok := d.Stakeholder(r.Stakeholder)
	if !ok {
		return "", fmt.Errorf("reply %s: %q is not a stakeholder of %s: decline the reply, or add them back to %s", r.ID, r.Stakeholder, d.ID, planFile)
	}
	if strings.TrimSpace(who.Email) == "" {
		return "", fmt.Errorf("reply %s not accepted: %s:%d: %s (%s) has no email, and the commit names them as its author: add email: to their entry, commit, and accept again", r.ID, planFile, who.Line, who.Name, who.ID)
	}
	// A reply about a task or a milestone whose id changed since it was
	// sent, its title the same, is about the new id: the plan's history
	// says which.
	renamed := ""
	if r.Target != "" && !hasItem(d, r.Target) {
		h := readHistory(context.Background(), dk.e, dk.root, []*deal.Deal{d}, false)
		if now, ok := h.Deals[d.ID].Renamed(r.Target, r.TargetKind == reply.TargetMilestone); ok && hasItem(d, now) {
			what := "step"
			if r.TargetKind == reply.TargetMilestone {
				what = "milestone"
			}
			renamed = fmt.Sprintf("the %s's id changed from %s to %s after the reply was sent", what, r.Target, now)
			r.Target = now
		}
	}
	if r.TargetKind == "" && r.Target != "" {
		r.TargetKind = reply.TargetsFor(d, r.Stakeholder).Resolve(r.Target)
	}
	if why := closedTo(d, r); why != "" {
		return "", fmt.Errorf("reply %s not accepted: %s", r.ID, why)
	}
	if !reply.TargetsFor(d, r.Stakeholder).AllowsReply(r) {
		return "", fmt.Errorf("reply %s not accepted: %s", r.ID, notAllowed(d, who, r))
	}
	// A reply sent from a link rotated away since (rotated because it
	// leaked, most often) may not be the person's: it goes into git under
	// their name only once the seller says so.
	rotated := who.Rotate > r.Rotation
	if rec.State() == reply.Declined {
		// Said first: -force would not apply it either.
		return "", fmt.Errorf("reply %s was declined: it is not applied (a new reply from the room can be)", r.ID)
	}
	if rotated && !opts.Force {
		return "", fmt.Errorf("reply %s not accepted: %s", r.ID, rotatedNote(who, r))
	}
	rec.Reply = r // applied and recorded as resolved
	// The person's later reply on the same step stands: this one is
	// refused like a conflict, unless forced.
	opts.Later, opts.LaterState = dk.laterOf(dir, it.Reply)
	var forced, sameStep string
	if opts.Force {
		_, err := reply.Apply(b.Source, d, rec, reply.ApplyOptions{Milestone: opts.Milestone, TaskID: opts.TaskID, Owner: opts.Owner, Planned: plannedOf(b)})
		if ce, ok := errors.AsType[*reply.ConflictError](err); ok {
			forced = ce.What() // the record says what changed, not what to do
		}
		if se, ok := errors.AsType[*reply.SameStepError](err); ok {
			sameStep = se.Task
		}
		if forced != "" && r.Kind == reply.Confirm {
			// A confirmation is of the date the person saw: forced onto
			// another, the record would say they agreed to a date they
			// never saw (the fake-mutual plan).
			return "", fmt.Errorf("reply %s not accepted: %s confirmed the date the room showed, not the plan's date now (%s): -force cannot make it a confirmation of another date; ask them to confirm the new date in their room, or answer the reply", r.ID, who.Name, forced)
		}
	}
	movedFrom := "" // the plan's date before a forced proposal
	if forced != "" && r.Kind == reply.Propose {
		movedFrom = targetDue(d, r)
	}
	opts.Planned = plannedOf(b)
	opts.Today = dk.today
	out, err := reply.Apply(b.Source, d, rec, opts)
	if errors.Is(err, reply.ErrAlreadyAccepted) {
		return fmt.Sprintf("reply %s already accepted: nothing changed", r.ID), nil
	}
	if err != nil {
		return "", err
	}
	planned := "" // a task dated by its duration: the date its room showed
	if t, _ := reply.Item(d, r); t != nil {
		if p := opts.Planned(t); !p.IsZero() {
			planned = p.String()
		}
	}
	subject, body := acceptMessage(d, who, r, opts, planned)
	if renamed != "" {
		body = strings.TrimSpace(body + "\n\n" + strings.ToUpper(renamed[:1]) + renamed[1:] + ".")
	}
	if rotated {
		body = strings.TrimSpace(body + fmt.Sprintf("\n\nAccepted with -force: sent from %s's link of rotation %d, rotated since (now %d).", who.Name, r.Rotation, who.Rotate))
	}
	if forced != "" {
		body = strings.TrimSpace(body + "\n\nAccepted with -force over a conflict: " + forced)
	}
	if sameStep != "" {
		body = strings.TrimSpace(body + fmt.Sprintf("\n\nAccepted with -force: task %s has the same title.", sameStep))
	}
	if opts.Force && opts.Later != "" {
		body = strings.TrimSpace(body + fmt.Sprintf("\n\nAccepted with -force over %s, %s's later reply on the same step (%s).", opts.Later, who.Name, cmp.Or(opts.LaterState, reply.Waiting)))
	}
	rec.Reply = r
	dec := reply.Decision{State: reply.Accepted, Time: dk.when, By: dk.seller.Name, From: movedFrom}
	if r.Kind == reply.Suggest {
		// The step it added, by id: its title may be another step's too,
		// and the rooms find it by this (reply.Record.AddedTask).
		dec.Task = reply.SuggestedTaskID(d, r, opts)
	}
	rec.Decisions = append(rec.Decisions, dec)
	author := gitrec.Signature{Name: who.Name, Email: who.Email, When: dk.when}
	message := gitrec.Message(subject, body, r.ID)
	if r.Preview {
		// Applied as theirs (it was sent in their room), the commit says
		// whose click it was, and its trailer keeps the history from
		// counting it as their edit.
		body = strings.TrimSpace(body + fmt.Sprintf("\n\nSent from the local preview (maproom serve): a click in %s's room on %s's machine, not %s's own reply.", who.Name, dk.seller.Name, who.Name))
		message = gitrec.FromPreview(gitrec.Message(subject, body, r.ID))
	}
	hash, after, err := dk.commit(dir, b.Source, out, rec, author, message, true)
	if err != nil {
		return "", fmt.Errorf("reply %s not accepted: %w", r.ID, err)
	}
	msg := fmt.Sprintf("accepted %s: %s (commit %s)", r.ID, subject, short(hash))
	if renamed != "" {
		msg += "\n  " + renamed + ": applied to " + r.Target
	}
	if t, _ := reply.Item(d, r); t != nil && r.Kind == reply.Done {
		// Done before what it comes after: the plan says so, the seller
		// should know.
		for _, p := range d.Tasks() {
			if slices.Contains(t.After, p.ID) && p.Status != deal.Done {
				msg += fmt.Sprintf("\n  note: %q is done while %q, which it comes after, is still %s: check the order, or that step", t.Title, p.Title, cmp.Or(string(p.Status), "todo"))
			}
		}
	} else if t != nil && r.Kind == reply.Propose && t.Status == deal.Blocked {
		// A new date for a blocked step: a reply has no way to lift the
		// block, so the seller is told the status stays as it was.
		msg += fmt.Sprintf("\n  note: %q is still blocked: if the new date means the block is lifted, set its status to in-progress in %s", t.Title, planFile)
	}
	if r.Kind == reply.Done && deal.VagueEvidence(r.Evidence) != "" {
		// Accepted all the same (the buyer says it is done), but what
		// shows it is the seller's to ask for.
		msg += fmt.Sprintf("\n  note: the evidence %q names no artifact: ask %s what shows it done", r.Evidence, who.Name)
	}
	if named := strings.TrimSpace(r.Owner); r.Kind == reply.Suggest && opts.Owner == "" && named != "" && reply.SuggestedOwner(d, r) == r.Stakeholder &&
		!strings.EqualFold(named, who.ID) && !strings.EqualFold(named, who.Name) {
		// The buyer named someone the plan does not have, or someone of
		// the seller's side: the step is the sender's until the seller
		// says otherwise, and says so.
		if s, ok := sellerNamed(d, named); ok {
			msg += fmt.Sprintf("\n  note: the reply names %q as the step's owner, %s of your side: a buyer's suggestion is the buyer's to own, so the step is %s's; if %s takes it on, make them its owner in %s (or accept with -owner %s)", named, s.Name, who.Name, s.Name, planFile, s.ID)
		} else {
			msg += fmt.Sprintf("\n  note: the reply names %q as the step's owner, who is not in the plan: the step is %s's for now; add them under stakeholders in %s and make them its owner", named, who.Name, planFile)
		}
	}
	// The plan still passes check (commit made sure), but the change may
	// raise a warning the seller should see now, not at the next check: a
	// task now due after its milestone, say.
	for _, p := range after {
		if !slices.ContainsFunc(before, func(q generator.Problem) bool { return sameWarning(q.Msg, p.Msg) }) {
			msg += "\n  " + p.Error() + " (new with this change)"
		}
	}
	return msg, nil
}

// laterOf returns the latest reply r's person sent after r about the same
// step of the same deal (reply.Superseded), with its state, from the
// replies the desk read and the records of the deal's bundle dir as they
// are now; "" when there is none.
func (dk *desk) laterOf(dir string, r reply.Reply) (id, state string) {
	recs, err := reply.ReadRecords(filepath.Join(dk.root, dir))
	if err != nil {
		fmt.Fprintf(dk.e.stderr, "maproom: %v\n", err)
	}
	joined := reply.Join(dk.sent, recs)
	if !slices.ContainsFunc(joined, func(rec reply.Record) bool { return rec.Reply.ID == r.ID }) {
		joined = reply.Join(append(slices.Clone(dk.sent), r), recs)
	}
	rs := make([]reply.Reply, len(joined))
	for i := range joined {
		rs[i] = joined[i].Reply
	}
	id = reply.Superseded(rs)[r.ID]
	for _, rec := range joined {
		if id != "" && rec.Reply.ID == id {
			state = rec.State()
		}
	}
	return id, state
}

// sameWarning reports whether two warnings say the same thing but for
// their figures: "13 tasks: ..." before a step was added is the warning
// "14 tasks: ..." after, not a new one.
func sameWarning(a, b string) bool {
	return digits.ReplaceAllString(a, "#") == digits.ReplaceAllString(b, "#")
}

var digits = regexp.MustCompile(`[0-9]+`)

// note records a decline (text: why) or an answer and commits the record,
// authored by the seller.
func (dk *desk) note(it *replyItem, state, text string) (string, error) {
	dk.current(it)
	r := it.Reply
	rec := it.record()
	dir, err := dk.dealDir(r)
	if err != nil {
		return "", err
	}
	switch {
	case state == reply.Declined && rec.Accepted():
		return "", fmt.Errorf("reply %s was accepted: its change is in the plan; to undo it, edit %s and commit", r.ID, filepath.Join(dir, generator.BundleIndex))
	case state == reply.Declined && rec.State() == reply.Declined:
		return fmt.Sprintf("reply %s already declined: nothing changed", r.ID), nil
	case state == reply.Answered && len(rec.Decisions) > 0 && rec.Decisions[len(rec.Decisions)-1].Answer == text:
		return fmt.Sprintf("reply %s already answered so: nothing changed", r.ID), nil
	}
	// Titles for the message come from the plan as far as it loads (a
	// plan with an error elsewhere still names its people and steps); a
	// decline must work on a plan that no longer has the target.
	var d *deal.Deal
	if b, _ := generator.LoadBundle(filepath.Join(dk.root, dir), dk.cfg, dk.today); b != nil {
		d = b.Deal
	}
	name := r.Stakeholder
	if d != nil {
		if who, ok := d.Stakeholder(r.Stakeholder); ok {
			name = who.Name
		}
	}
	dec := reply.Decision{State: state, Time: dk.when, By: dk.seller.Name}
	var subject string
	if state == reply.Declined {
		dec.Why = text
		subject = fmt.Sprintf("Decline %s's %s on %s", name, kindNoun(r.Kind), dk.titleNow(d, r))
	} else {
		dec.Answer = text
		subject = fmt.Sprintf("Answer %s's %s on %s", name, kindNoun(r.Kind), dk.titleNow(d, r))
	}
	rec.Decisions = append(rec.Decisions, dec)
	hash, _, err := dk.commit(dir, nil, nil, rec, dk.seller, gitrec.Message(subject, text, r.ID), false)
	if err != nil {
		return "", fmt.Errorf("reply %s: %w", r.ID, err)
	}
	return fmt.Sprintf("%s %s: %s (commit %s)", state, r.ID, subject, short(hash)), nil
}

// commit writes the plan (when it changed) and the record, checks the plan
// again when check, and commits both; on any failure it restores both files
// as they were, so nothing is left half done. It returns the commit and,
// when check, the plan's check warnings as committed.
func (dk *desk) commit(dir string, oldPlan, newPlan []byte, rec reply.Record, author gitrec.Signature, msg string, check bool) (string, []generator.Problem, error) {
	abs := filepath.Join(dk.root, dir)
	planPath := filepath.Join(abs, generator.BundleIndex)
	recPath := reply.Path(abs, rec.Reply.ID)
	oldRec, recErr := os.ReadFile(recPath)
	planChanged := newPlan != nil && !bytes.Equal(oldPlan, newPlan)
	restore := func() {
		if planChanged {
			writeFileAtomic(planPath, oldPlan)
		}
		if recErr == nil {
			writeFileAtomic(recPath, oldRec)
		} else {
			os.Remove(recPath)
		}
	}
	if planChanged {
		if err := writeFileAtomic(planPath, newPlan); err != nil {
			return "", nil, err
		}
	}
	if err := reply.WriteRecord(abs, rec); err != nil {
		restore()
		return "", nil, err
	}
	var warnings []generator.Problem
	if check {
		var err error
		if _, warnings, err = dk.load(dir); err != nil {
			restore()
			return "", nil, fmt.Errorf("the edit would break the plan, so it was undone and nothing committed: %w", err)
		}
	}
	paths := []string{filepath.Join(dir, reply.Dir, rec.Reply.ID+".json")}
	if planChanged {
		paths = append([]string{filepath.Join(dir, generator.BundleIndex)}, paths...)
	}
	hash, err := dk.repo.Commit(paths, author, dk.seller, msg)
	if err != nil {
		restore()
		return "", nil, err
	}
	return hash, warnings, nil
}

// writeFileAtomic replaces path's content through a temporary file in the
// same folder, keeping its permissions.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// acceptMessage is the subject and body of an accepted reply's commit:
// Jordan Park: move "Security questionnaire returned" to 2026-12-04.
// planned is the date the schedule gives a task without a due date of its
// own, which its room showed ("" for any other target).
func acceptMessage(d *deal.Deal, who *deal.Stakeholder, r reply.Reply, opts reply.ApplyOptions, planned string) (subject, body string) {
	title := targetTitle(d, r)
	switch r.Kind {
	case reply.Propose:
		subject = fmt.Sprintf("%s: move %s to %s", who.Name, title, r.Date)
		from := orUnset(targetDue(d, r))
		if from == "unset" && planned != "" {
			from = planned + " (planned from its duration)"
		}
		body = fmt.Sprintf("From %s to %s", from, r.Date)
		if r.Reason != "" {
			body += ": " + r.Reason
		}
	case reply.Confirm:
		due := orUnset(targetDue(d, r))
		if due == "unset" && planned != "" {
			due = planned + " (planned from its duration)"
		}
		subject = fmt.Sprintf("%s: confirm %s for %s", who.Name, title, due)
	case reply.Done:
		on := reply.DoneDate(r, opts)
		subject = fmt.Sprintf("%s: mark %s done on %s", who.Name, title, on)
		var parts []string
		if on != r.Date {
			parts = append(parts, fmt.Sprintf("Sent as done on %s, their day: the site's day was %s.", r.Date, on))
		}
		if r.Evidence != "" {
			parts = append(parts, "Evidence: "+r.Evidence)
		}
		if r.Reason != "" {
			parts = append(parts, "Note: "+r.Reason) // what the buyer added in the form
		}
		body = strings.Join(parts, "\n")
	case reply.Blocked:
		subject = fmt.Sprintf("%s: mark %s blocked", who.Name, title)
		body = "Reason: " + r.Reason
	case reply.Question:
		subject = fmt.Sprintf("%s: question on %s", who.Name, title)
		body = r.Text
	case reply.Suggest:
		ms := targetTitle(d, reply.Reply{Target: opts.Milestone, TargetKind: reply.TargetMilestone})
		subject = fmt.Sprintf("%s: add %s to %s", who.Name, inQuotes(r.Text), ms)
		var parts []string
		words := reply.SuggestedOwner(d, reply.Reply{Owner: r.Owner}) // whom the reply's words name ("Priya": Priya Raman); "" for nobody of the plan
		owner := cmp.Or(opts.Owner, reply.SuggestedOwner(d, r))
		switch name := nameOf(d, owner); {
		case r.Owner == "" || words == owner:
			parts = append(parts, "Owner: "+name)
		default:
			// The reply named someone the step did not go to (a person
			// the plan lacks, someone of the seller's side): the record
			// keeps both.
			parts = append(parts, fmt.Sprintf("Owner named in the reply: %s; owner in the plan: %s", r.Owner, name))
		}
		if r.Date != "" {
			parts = append(parts, "By: "+r.Date)
		}
		body = strings.Join(parts, "\n")
	default:
		subject = fmt.Sprintf("%s: %s on %s", who.Name, r.Kind, title)
	}
	return subject, body
}

// notAllowed says why a person may not send a reply of its kind about its
// target, and what the seller can do.
// closedTo returns why the deal's outcome closes its plan to reply r
// ("" when it does not): a lost deal's plan stays as it ended (its
// completion is a figure of the report), and a won deal's sale steps are
// over, only its onboarding takes replies. The person's own steps are
// otherwise theirs: notAllowed says why any other reply is refused.
func closedTo(d *deal.Deal, r reply.Reply) string {
	switch d.Outcome {
	case deal.Lost:
		how := "lost"
		if d.Withdrawn {
			how = "lost and withdrawn"
		}
		return fmt.Sprintf("the deal is %s (outcome: %s in %s): its plan stays as it ended; answer or decline the reply, or set outcome: open first if the deal is alive again",
			how, d.Outcome, filepath.Join(generator.ContentDir, d.ID, generator.BundleIndex))
	case deal.Won:
		if r.Kind == reply.Question || r.Kind == reply.Suggest {
			return ""
		}
		open := *d
		open.Outcome = deal.Open
		if !reply.TargetsFor(d, r.Stakeholder).AllowsReply(r) && reply.TargetsFor(&open, r.Stakeholder).AllowsReply(r) {
			return fmt.Sprintf("the deal is won: %s is a step of the sale, which is over, and only onboarding steps take replies; answer or decline the reply", targetTitle(d, r))
		}
	}
	return ""
}

// sellerNamed returns the seller-side stakeholder name names (their id,
// full name or first name, case ignored).
func sellerNamed(d *deal.Deal, name string) (*deal.Stakeholder, bool) {
	for i := range d.Stakeholders {
		s := &d.Stakeholders[i]
		first, _, _ := strings.Cut(s.Name, " ")
		if s.Side != deal.Buyer && (strings.EqualFold(name, s.ID) || strings.EqualFold(name, s.Name) || strings.EqualFold(name, first)) {
			return s, true
		}
	}
	return nil, false
}

// rotatedNote says, for accept's refusal, that r came from a link of
// who's rotated away since.
func rotatedNote(who *deal.Stakeholder, r reply.Reply) string {
	return fmt.Sprintf("it was sent from %s's link of rotation %d, rotated since (rotate: %d), which the link may have leaked for: confirm with %s that the reply is theirs, then accept it with -force (or decline it)",
		who.Name, r.Rotation, who.Rotate, who.Name)
}

// rotatedShort is rotatedNote for a listing: with what to do next, accept
// -force when accept can take r (acceptable), else answer or decline it
// (a question, a step gone, a reply accept refuses anyway).
func rotatedShort(who *deal.Stakeholder, r reply.Reply, acceptable bool) string {
	then := "; accept needs -force"
	switch {
	case r.Kind == reply.Question:
		then = " before you answer it"
	case !acceptable:
		then = " before you answer or decline it"
	}
	return fmt.Sprintf("sent from a link rotated since (rotation %d, now %d): confirm with %s it is theirs%s", r.Rotation, who.Rotate, who.Name, then)
}

// closedNote is closedTo's reason in a few words, for a listing.
func closedNote(d *deal.Deal) string {
	if d.Outcome == deal.Lost {
		return "the deal is lost: accept refuses it (answer or decline it)"
	}
	return "the deal is won and this step of the sale is over: accept refuses it (answer or decline it)"
}

func notAllowed(d *deal.Deal, who *deal.Stakeholder, r reply.Reply) string {
	verb := map[reply.Kind]string{reply.Confirm: "confirm", reply.Propose: "move", reply.Done: "mark done", reply.Blocked: "mark blocked", reply.Question: "ask about", reply.Suggest: "suggest a step on"}[r.Kind]
	if verb == "" {
		verb = string(r.Kind)
	}
	holder := ""
	t, m := reply.Item(d, r)
	if t != nil {
		holder = fmt.Sprintf("it is %s's task (owner: %s)", nameOf(d, t.Owner), t.Owner)
	}
	if m != nil {
		holder = fmt.Sprintf("it is %s's milestone (lead: %s)", nameOf(d, m.Lead), m.Lead)
		if r.Kind == reply.Done || r.Kind == reply.Blocked {
			holder = "a milestone has no status of its own"
		}
	}
	if holder == "" && r.Target != "" {
		// Nothing of the reply's kind of target has its id any more.
		return fmt.Sprintf("the plan has no task or milestone %s any more (removed, or renamed with its title, since %s sent it): if it still applies, do it in %s yourself and close the reply in your words (maproom answer %s \"...\"), or decline it",
			r.Target, who.Name, filepath.Join(generator.ContentDir, d.ID, generator.BundleIndex), r.ID)
	}
	if holder == "" {
		holder = "only the plan itself takes a suggestion"
	}
	return fmt.Sprintf("%s may not %s %s: %s, and only the owner's replies change a task (the lead's a milestone): decline or answer the reply, or make %s the owner in %s, commit, and accept again",
		who.Name, verb, targetTitle(d, r), holder, who.ID, filepath.Join(generator.ContentDir, d.ID, generator.BundleIndex))
}

// plannedOf gives, for reply.ApplyOptions.Planned, the date b's schedule
// plans a task without a due date of its own, as its room shows it.
func plannedOf(b *generator.Bundle) func(*deal.Task) deal.Date {
	return func(t *deal.Task) deal.Date {
		if due, computed := b.Plan.DueOf(t); computed {
			return due
		}
		return deal.Date{}
	}
}

// hasItem reports whether d has a task or a milestone with the id.
func hasItem(d *deal.Deal, id string) bool {
	_, task := d.Task(id)
	_, ms := d.Milestone(id)
	return task || ms
}

func nameOf(d *deal.Deal, id string) string {
	if s, ok := d.Stakeholder(id); ok {
		return s.Name
	}
	return id
}

// targetTitle names a reply's target for people: "Security questionnaire
// returned" in quotes, the plan, or the bare id when d does not have it.
func targetTitle(d *deal.Deal, r reply.Reply) string {
	if r.Target == "" {
		return "the plan"
	}
	if d != nil {
		switch t, m := reply.Item(d, r); {
		case t != nil:
			return inQuotes(t.Title)
		case m != nil:
			return inQuotes(m.Title)
		}
	}
	return inQuotes(r.Target)
}

// titleNow is targetTitle for a reply whose step may have left the plan
// since it was sent: a step whose id changed is named by its title now,
// one taken out by its last title, as the rooms name them; the id only
// when the history does not know it either.
func (dk *desk) titleNow(d *deal.Deal, r reply.Reply) string {
	if d == nil || r.Target == "" || hasItem(d, r.Target) {
		return targetTitle(d, r)
	}
	st := readHistory(context.Background(), dk.e, dk.root, []*deal.Deal{d}, false).Deals[d.ID]
	if st == nil {
		return targetTitle(d, r)
	}
	id := r.Target
	if now, ok := st.Renamed(r.Target, r.TargetKind == reply.TargetMilestone); ok {
		if hasItem(d, now) {
			r.Target = now
			return targetTitle(d, r)
		}
		id = now // renamed, then taken out: the story tells it under its latest id
	}
	for i := len(st.Changes) - 1; i >= 0; i-- {
		c := st.Changes[i]
		if c.Item != id || c.Title == "" {
			continue
		}
		switch c.Kind {
		case history.TaskAdded, history.TaskRemoved, history.TaskDue, history.TaskStatus, history.TaskOwner, history.TaskRetitled:
			if r.TargetKind != reply.TargetMilestone {
				return inQuotes(c.Title) + " (since taken out of the plan)"
			}
		case history.MilestoneAdded, history.MilestoneDue, history.MilestoneRetitled:
			if r.TargetKind != reply.TargetTask {
				return inQuotes(c.Title) + " (since taken out of the plan)"
			}
		}
	}
	return targetTitle(d, r)
}

// inQuotes puts a title in double quotes as people write them, its own
// quotes left as they are (Go's %q would write "Review \"DPA\"" into a
// commit subject); a line break, which a one-line title cannot hold, is a
// space.
func inQuotes(s string) string {
	return `"` + strings.Join(strings.Fields(s), " ") + `"`
}

// targetDue is the target's due date as the plan writes it, "" when unset.
func targetDue(d *deal.Deal, r reply.Reply) string {
	if d == nil {
		return ""
	}
	switch t, m := reply.Item(d, r); {
	case t != nil:
		return t.Due.String()
	case m != nil:
		return m.Due.String()
	}
	return ""
}

func kindNoun(k reply.Kind) string {
	switch k {
	case reply.Propose:
		return "proposed date"
	case reply.Confirm:
		return "confirmation"
	case reply.Done:
		return "report of done"
	case reply.Blocked:
		return "report of a block"
	case reply.Suggest:
		return "suggestion"
	}
	return string(k)
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}
