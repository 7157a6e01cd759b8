package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/gitrec"
	"github.com/maproom/maproom/internal/reply"
	"github.com/maproom/maproom/internal/testkit/synth"
)

// exampleRepo copies the example site into a new git repository with one
// commit and returns its root.
func exampleRepo(t *testing.T) string {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	root := t.TempDir()
	if err := synth.CopyTree(filepath.Join("..", "..", "content"), filepath.Join(root, "content")); err != nil {
		t.Fatal(err)
	}
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	if err := wt.AddGlob("content"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Init", Email: "init@example.com", When: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("init", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestCommitUndoesABrokenEdit: a plan the edit broke is never committed;
// the plan and the record are restored as they were and the error says why.
func TestCommitUndoesABrokenEdit(t *testing.T) {
	root := exampleRepo(t)
	e := &env{stderr: &bytes.Buffer{}, stdout: &bytes.Buffer{}, now: func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) },
		getenv: func(k string) string {
			return map[string]string{"MAPROOM_COMMITTER_NAME": "Sam Lee", "MAPROOM_COMMITTER_EMAIL": "sam.lee@northwind.example"}[k]
		}}
	dk, err := e.openDesk(&siteFlags{root: root, today: "2026-11-25"})
	if err != nil {
		t.Fatal(err)
	}
	defer dk.close()
	dir := filepath.Join(generator.ContentDir, "acme-data-platform")
	planPath := filepath.Join(root, dir, generator.BundleIndex)
	old, err := os.ReadFile(planPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		broken []byte
		want   string
	}{
		{"an owner the deal does not have", bytes.Replace(old, []byte("owner: jordan"), []byte("owner: nobody"), 1), `"nobody" is not a stakeholder`},
		{"YAML that does not parse", bytes.Replace(old, []byte("status: in-progress"), []byte("status: [in-progress"), 1), "not valid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := reply.Record{
				Reply:     reply.Reply{ID: "k3j5h7m2pq", Deal: "acme-data-platform", Stakeholder: "jordan", Kind: reply.Propose, Target: "sample-data", Date: "2026-11-17"},
				Decisions: []reply.Decision{{State: reply.Accepted, Time: dk.when, By: "Sam Lee"}},
			}
			author := gitrec.Signature{Name: "Jordan Park", Email: "jordan.park@acme.example", When: dk.when}
			_, _, err := dk.commit(dir, old, tc.broken, rec, author, gitrec.Message("s", "", rec.Reply.ID), true)
			if err == nil || !strings.Contains(err.Error(), "would break the plan, so it was undone and nothing committed") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("commit of a broken plan: err = %v, want the undo and %q", err, tc.want)
			}
			if now, _ := os.ReadFile(planPath); !bytes.Equal(now, old) {
				t.Error("the plan was not restored")
			}
			if _, err := os.Stat(reply.Path(filepath.Join(root, dir), rec.Reply.ID)); !os.IsNotExist(err) {
				t.Errorf("the record was left behind: %v", err)
			}
			if d, err := dk.repo.Dirty(); err != nil || len(d) != 0 {
				t.Errorf("work tree after the undo: dirty %v, err %v", d, err)
			}
		})
	}
}

// TestDecisionTime: a decision is stamped with the clock; with -today on
// another day than the clock's, with that day's noon (reproducible), but
// on the clock's own day still with the clock, so that an accept is not
// stamped later than the seller's next commits.
func TestDecisionTime(t *testing.T) {
	root := exampleRepo(t)
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	e := &env{stderr: &bytes.Buffer{}, stdout: &bytes.Buffer{}, now: func() time.Time { return now },
		getenv: func(k string) string {
			return map[string]string{"MAPROOM_COMMITTER_NAME": "Sam Lee", "MAPROOM_COMMITTER_EMAIL": "sam.lee@northwind.example"}[k]
		}}
	for today, want := range map[string]string{
		"":           "2026-11-25 09:30",
		"2026-11-25": "2026-11-25 09:30",
		"2026-11-24": "2026-11-24 12:00",
	} {
		dk, err := e.openDesk(&siteFlags{root: root, today: today})
		if err != nil {
			t.Fatal(err)
		}
		if got := dk.when.Format("2006-01-02 15:04"); got != want {
			t.Errorf("-today %q: decisions at %s, want %s (site time)", today, got, want)
		}
		dk.close()
	}
}

// TestAutoAcceptSetting: [replies] auto_accept takes only kinds that answer
// one's own task, and is empty by default.
func TestAutoAcceptSetting(t *testing.T) {
	for _, tc := range []struct {
		toml    string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"[replies]\nauto_accept = [\"confirm\", \"done\"]\n", []string{"confirm", "done"}, ""},
		{"[replies]\nauto_accept = [\"suggest\"]\n", nil, `maproom.toml:2: [replies] auto_accept: "suggest" is not a kind`},
		{"[replies]\nauto_accept = [\"Confirm\"]\n", nil, `"Confirm" is not a kind`},
		{"[replies]\nauto = [\"done\"]\n", nil, `unknown setting "replies.auto"`},
	} {
		path := filepath.Join(t.TempDir(), "maproom.toml")
		if err := os.WriteFile(path, []byte(tc.toml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, ps := generator.LoadConfig(path)
		if tc.wantErr != "" {
			if cfg != nil || len(ps) == 0 || !strings.Contains(ps[0].Error(), tc.wantErr) {
				t.Errorf("%q: got %v, want an error with %q", tc.toml, ps, tc.wantErr)
			}
			continue
		}
		if cfg == nil {
			t.Fatalf("%q: %v", tc.toml, ps)
		}
		if strings.Join(cfg.Replies.AutoAccept, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: auto_accept %v, want %v", tc.toml, cfg.Replies.AutoAccept, tc.want)
		}
	}
}

// TestTitlesInQuotes: a title is quoted as people write it, in a commit
// subject and the replies' list: its own quotes are not escaped.
func TestTitlesInQuotes(t *testing.T) {
	d := &deal.Deal{Milestones: []deal.Milestone{{ID: "m", Title: "Legal", Tasks: []deal.Task{{ID: "dpa", Title: `Legal: review #2 - "DPA"`, Milestone: "m"}}}}}
	if got, want := targetTitle(d, reply.Reply{Target: "dpa", TargetKind: reply.TargetTask}), `"Legal: review #2 - "DPA""`; got != want {
		t.Errorf("targetTitle = %s, want %s", got, want)
	}
	if got := inQuotes("two\nlines"); got != `"two lines"` {
		t.Errorf("inQuotes(two lines) = %s", got)
	}
}

// TestAcceptMessageKeepsWhatTheBuyerWrote: an accepted reply's commit says
// what the buyer said and from which date: a step dated by its duration
// moves from the date its room showed (never "unset"), and a done
// reply's note is kept beside its evidence.
func TestAcceptMessageKeepsWhatTheBuyerWrote(t *testing.T) {
	d := &deal.Deal{ID: "d", Milestones: []deal.Milestone{{ID: "m", Title: "Signed", Tasks: []deal.Task{{ID: "dpo", Title: "DPO review", Owner: "elena", Duration: 5}}}}}
	who := &deal.Stakeholder{ID: "elena", Name: "Elena Novak", Side: deal.Buyer}
	propose := reply.Reply{ID: "aaaaaaaaaa", Kind: reply.Propose, Target: "dpo", TargetKind: reply.TargetTask, Date: "2027-01-05", Reason: "DPO away"}
	if _, body := acceptMessage(d, who, propose, reply.ApplyOptions{}, "2026-12-18"); body != "From 2026-12-18 (planned from its duration) to 2027-01-05: DPO away" {
		t.Errorf("propose body %q", body)
	}
	done := reply.Reply{ID: "bbbbbbbbbb", Kind: reply.Done, Target: "dpo", TargetKind: reply.TargetTask, Date: "2026-12-17", Evidence: "DPIA v2 signed", Reason: "the DPO signed it early"}
	if _, body := acceptMessage(d, who, done, reply.ApplyOptions{}, ""); body != "Evidence: DPIA v2 signed\nNote: the DPO signed it early" {
		t.Errorf("done body %q", body)
	}
	// Sent from a time zone ahead of the site's: done on the site's day.
	subject, body := acceptMessage(d, who, done, reply.ApplyOptions{Today: deal.NewDate(2026, time.December, 16)}, "")
	if subject != `Elena Novak: mark "DPO review" done on 2026-12-16` || !strings.HasPrefix(body, "Sent as done on 2026-12-17, their day: the site's day was 2026-12-16.\n") {
		t.Errorf("done a day ahead: %q, %q", subject, body)
	}
}
