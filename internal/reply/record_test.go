package reply

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestWriteReadRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if recs, err := ReadRecords(dir); err != nil || recs != nil {
		t.Fatalf("ReadRecords of a bundle without replies = %v, %v", recs, err)
	}
	late := Record{Reply: Reply{ID: "bbbbbbbbbb", Time: now.Add(time.Hour), Deal: "acme", Stakeholder: "jordan", Kind: Question, TargetKind: TargetPlan, Text: "Who signs? <b>&</b>"}}
	early := Record{Reply: Reply{ID: "cccccccccc", Time: now, Deal: "acme", Stakeholder: "jordan", Kind: Propose, Target: "sq", TargetKind: TargetTask, Date: "2026-12-01", Reason: "queue", Seen: "due=2026-11-20;status=todo"},
		Decisions: []Decision{{State: Accepted, Time: now.Add(2 * time.Hour), By: "Sam Lee"}}}
	for _, r := range []Record{late, early} {
		if err := WriteRecord(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	// Rewriting replaces the record and leaves no temporary file.
	late.Decisions = append(late.Decisions, Decision{State: Answered, Time: now.Add(3 * time.Hour), By: "Sam Lee", Answer: "Dana."})
	if err := WriteRecord(dir, late); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, Dir))
	if len(ents) != 2 {
		t.Fatalf("replies folder holds %d files, want 2", len(ents))
	}
	got, err := ReadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Record{early, late}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadRecords:\n got %+v\nwant %+v", got, want)
	}
	if got[0].State() != Accepted || got[1].State() != Answered || (Record{}).State() != Waiting {
		t.Errorf("states %s, %s", got[0].State(), got[1].State())
	}
	// The folder renamed since (git mv): its records are the deal's under
	// its name now.
	moved := filepath.Join(filepath.Dir(dir), "acme-2027")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	got, err = ReadRecords(moved)
	if err != nil || len(got) != 2 || got[0].Reply.Deal != "acme-2027" || got[1].Reply.Deal != "acme-2027" {
		t.Fatalf("ReadRecords of the renamed folder: %v, %+v; want its records under acme-2027", err, got)
	}
	if err := os.Rename(moved, dir); err != nil {
		t.Fatal(err)
	}

	b, _ := os.ReadFile(Path(dir, "bbbbbbbbbb"))
	want := `{
  "reply": {
    "id": "bbbbbbbbbb",
    "time": "2026-11-10T16:04:05Z",
    "deal": "acme",
    "stakeholder": "jordan",
    "kind": "question",
    "target_kind": "plan",
    "text": "Who signs? <b>&</b>"
  },
  "decisions": [
    {
      "state": "answered",
      "time": "2026-11-10T18:04:05Z",
      "by": "Sam Lee",
      "answer": "Dana."
    }
  ]
}
`
	if string(b) != want {
		t.Errorf("record file:\n%s\nwant:\n%s", b, want)
	}
}

func TestRecordErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteRecord(dir, Record{Reply: Reply{ID: "../../etc"}}); err == nil {
		t.Fatal("WriteRecord accepted a bad id")
	}
	os.MkdirAll(filepath.Join(dir, Dir), 0o755)
	os.WriteFile(filepath.Join(dir, Dir, "aaaaaaaaaa.json"), []byte(`{"reply":{"id":"dddddddddd"}}`), 0o644)
	os.WriteFile(filepath.Join(dir, Dir, "eeeeeeeeee.json"), []byte(`{"reply":`), 0o644)
	os.WriteFile(filepath.Join(dir, Dir, "notes.txt"), []byte(`x`), 0o644)
	_, err := ReadRecords(dir)
	if err == nil || !strings.Contains(err.Error(), "rename it dddddddddd.json") || !strings.Contains(err.Error(), "eeeeeeeeee.json: not a reply record") {
		t.Fatalf("ReadRecords error = %v", err)
	}
}

// TestStateKeepsTheDecision: an answer after a reply was accepted or
// declined adds words and leaves the decision; a decision after an answer
// is the state.
func TestStateKeepsTheDecision(t *testing.T) {
	at := func(state string, day int) Decision {
		return Decision{State: state, Time: time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC)}
	}
	for _, c := range []struct {
		ds   []Decision
		want string
	}{
		{nil, Waiting},
		{[]Decision{at(Answered, 1)}, Answered},
		{[]Decision{at(Accepted, 1), at(Answered, 2)}, Accepted},
		{[]Decision{at(Declined, 1), at(Answered, 2)}, Declined},
		{[]Decision{at(Answered, 1), at(Declined, 2)}, Declined},
		{[]Decision{at(Conflict, 1), at(Accepted, 2)}, Accepted},
	} {
		if got := (Record{Decisions: c.ds}).State(); got != c.want {
			t.Errorf("%+v: state %s, want %s", c.ds, got, c.want)
		}
	}
}

// TestRecordAddedTask: the accepted decision of a suggestion records the
// task it added, as "task"; a record written before it was recorded reads
// as before, with no task.
func TestRecordAddedTask(t *testing.T) {
	dir := t.TempDir()
	r := Record{Reply: Reply{ID: "ffffffffff", Time: now, Deal: "acme", Stakeholder: "jordan", Kind: Suggest, TargetKind: TargetPlan, Text: "Order form signed"},
		Decisions: []Decision{{State: Accepted, Time: now.Add(time.Hour), By: "Sam Lee", Task: "order-form-signed-2"}, {State: Answered, Time: now.Add(2 * time.Hour), Answer: "Added."}}}
	if err := WriteRecord(dir, r); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(Path(dir, r.Reply.ID))
	if !strings.Contains(string(b), "\"by\": \"Sam Lee\",\n      \"task\": \"order-form-signed-2\"\n") {
		t.Errorf("record file does not hold the task:\n%s", b)
	}
	got, err := ReadRecords(dir)
	if err != nil || len(got) != 1 || got[0].AddedTask() != "order-form-signed-2" {
		t.Fatalf("ReadRecords = %+v, %v; want the added task order-form-signed-2", got, err)
	}
	old := `{"reply":{"id":"gggggggggg","time":"2026-11-10T16:04:05Z","deal":"acme","stakeholder":"jordan","kind":"suggest","target_kind":"plan","text":"Order form signed"},` +
		`"decisions":[{"state":"accepted","time":"2026-11-10T17:04:05Z","by":"Sam Lee"}]}`
	os.WriteFile(Path(dir, "gggggggggg"), []byte(old), 0o644)
	got, err = ReadRecords(dir)
	if err != nil || len(got) != 2 || !got[1].Accepted() || got[1].AddedTask() != "" {
		t.Fatalf("an older record: %+v, %v; want it read, accepted, with no task", got, err)
	}
	if strings.Contains(string(mustMarshal(t, Record{Reply: r.Reply, Decisions: []Decision{{State: Declined, Time: now}}})), "task") {
		t.Error("a decision without a task writes one")
	}
}

func mustMarshal(t *testing.T, r Record) []byte {
	t.Helper()
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
