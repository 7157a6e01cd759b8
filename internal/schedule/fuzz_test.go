package schedule

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/maproom/maproom/internal/deal"
)

// fuzzInput turns fuzz bytes into a deal, a day and a calendar: up to 24
// tasks with random durations (now and then a negative one), statuses, due
// and done dates (now and then a done task without one), dependencies
// mostly on earlier tasks, now and then on any task, itself included (so
// cycles), or on an unknown id, and now and then a duplicate id; then, from
// the bytes left (none in the older seeds, which keep their meaning), a
// go-live date, which of the two milestones is an onboarding one and the
// milestones' due dates.
func fuzzInput(data []byte) (*deal.Deal, deal.Date, Calendar) {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	base := mustDate("2026-06-01")
	n := next()%24 + 1
	var hs []deal.Date
	for range next() % 4 {
		hs = append(hs, base.AddDays(next()%60))
	}
	today := base.AddDays(next() % 30)
	d := &deal.Deal{ID: "fuzz"}
	if c := next(); c%8 != 0 {
		d.Close = base.AddDays(c % 90)
	}
	tasks := make([]deal.Task, n)
	for i := range tasks {
		flags := next()
		t := deal.Task{ID: "t" + strconv.Itoa(i), Line: i + 1, Duration: next() % 16,
			Status: deal.Statuses[flags%4]}
		if t.Duration == 15 && flags&0x0c == 0x0c {
			t.Duration = -1
		}
		if flags&0x10 != 0 {
			t.Due = base.AddDays(next() % 80)
		}
		if t.Status == deal.Done && flags&0xf0 != 0xf0 {
			t.Done = base.AddDays(next()%40 - 20)
		}
		if i > 0 && flags == 0xff {
			t.ID = "t0"
		}
		for range next() % 4 {
			switch x := next(); {
			case x == 0xff:
				t.After = append(t.After, "ghost")
			case x >= 0xe0 || i == 0: // any task: a cycle now and then
				t.After = append(t.After, "t"+strconv.Itoa(x%n))
			default: // mostly an earlier task
				t.After = append(t.After, "t"+strconv.Itoa(x%i))
			}
		}
		tasks[i] = t
	}
	d.Milestones = []deal.Milestone{{ID: "m1"}, {ID: "m2"}}
	for i, t := range tasks {
		t.Milestone = d.Milestones[i%2].ID
		d.Milestones[i%2].Tasks = append(d.Milestones[i%2].Tasks, t)
	}
	if g := next(); g%3 == 1 {
		d.GoLive = base.AddDays(g % 120)
	}
	for i := range d.Milestones {
		flags := next()
		d.Milestones[i].Onboarding = flags&1 != 0
		if flags&2 != 0 {
			d.Milestones[i].Due = base.AddDays(next() % 80)
		}
	}
	return d, today, NewCalendar(hs...)
}

func FuzzCompute(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 0, 2, 20, 0, 5, 0, 1, 3, 1, 0, 4, 1, 1})              // a chain
	f.Add([]byte{2, 0, 0, 30, 0, 1, 1, 1, 0, 1, 1, 0})                    // a cycle
	f.Add([]byte{4, 1, 3, 5, 40, 2, 4, 0, 0x12, 3, 10, 1, 0, 0, 5, 2, 0}) // done work, a holiday, due dates
	f.Add([]byte{2, 0, 0, 30, 4, 15, 1, 0xff, 0xff, 3, 1, 0})             // negative duration, unknown id, duplicate
	// Sales work t0 -> t2 -> t4 in the first milestone, onboarding t1
	// (after t0) and t3 (after t2) in the second, with a go-live date
	// (day 67), then the same without one.
	f.Add([]byte{4, 0, 2, 41, 0, 5, 0, 0, 3, 1, 0, 0, 4, 1, 0, 0, 2, 1, 2, 0, 3, 1, 2, 67, 0, 1})
	f.Add([]byte{4, 0, 2, 41, 0, 5, 0, 0, 3, 1, 0, 0, 4, 1, 0, 0, 2, 1, 2, 0, 3, 1, 2, 0, 0, 1})
	// The same, the first milestone due on day 9 and the second on day 30.
	f.Add([]byte{4, 0, 2, 41, 0, 5, 0, 0, 3, 1, 0, 0, 4, 1, 0, 0, 2, 1, 2, 0, 3, 1, 2, 67, 2, 9, 3, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, today, cal := fuzzInput(data)
		p, err := Compute(d, today, cal)
		checkPlan(t, d, today, cal, p, err)
		again, err2 := Compute(d, today, cal)
		if !reflect.DeepEqual(p, again) || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatal("a second run gives a different result")
		}

		var tmpl []TemplateTask
		for _, t := range d.Tasks() {
			tmpl = append(tmpl, TemplateTask{ID: t.ID, Duration: t.Duration, After: t.After, Line: t.Line})
		}
		target := today.AddDays(60)
		dates, err := Backward(tmpl, target, cal)
		checkBackward(t, tmpl, target, cal, dates, err)
	})
}

// checkErrors checks that err joins *Error values with a message and a
// line.
func checkErrors(t *testing.T, err error) {
	t.Helper()
	for _, e := range errorsOf(t, err) {
		if e.Error() == "" || e.Line <= 0 || e.Task == "" || e.Err == nil {
			t.Fatalf("incomplete error %#v", e)
		}
		if errors.Is(e, ErrCycle) && len(e.Cycle) == 0 {
			t.Fatalf("cycle error without a cycle: %v", e)
		}
	}
}

// checkPlan checks the invariants of Compute's result.
func checkPlan(t *testing.T, d *deal.Deal, today deal.Date, cal Calendar, p *Plan, err error) {
	t.Helper()
	if err != nil {
		if p != nil {
			t.Fatalf("a plan and an error: %v", err)
		}
		checkErrors(t, err)
		return
	}
	tasks := d.Tasks()
	if p == nil || len(p.Tasks) != len(tasks) {
		t.Fatalf("plan %v for %d tasks", p, len(tasks))
	}
	byID := map[string]*deal.Task{}
	remaining := false
	// The milestone of each task, in plan order; the onboarding work's
	// deadline; who comes after each task.
	var onboarding []bool
	var decision []deal.Date
	for _, m := range d.Milestones {
		for range m.Tasks {
			onboarding, decision = append(onboarding, m.Onboarding), append(decision, m.Due)
		}
	}
	var goLive deal.Date // the last business day before go-live
	if !d.GoLive.IsZero() {
		goLive = cal.AddBusinessDays(d.GoLive, -1)
	}
	succs := map[string]int{}
	for _, task := range tasks {
		for _, a := range task.After {
			succs[a]++
		}
	}
	var sales deal.Date // the earliest finish of the open work due by the close
	for i, ts := range p.Tasks {
		task := tasks[i]
		byID[task.ID] = task
		if ts.ID != task.ID {
			t.Fatalf("task %d is %s, want %s", i, ts.ID, task.ID)
		}
		isDone := task.Status == deal.Done
		if isDone && ts.EarliestFinish != task.Done {
			t.Fatalf("%s: done on %s, finishes %s", ts.ID, task.Done, ts.EarliestFinish)
		}
		if !isDone {
			if ts.EarliestFinish.Before(today) || !cal.IsBusinessDay(ts.EarliestFinish) || !cal.IsBusinessDay(ts.EarliestStart) {
				t.Fatalf("%s: undone work from %s to %s, seen on %s", ts.ID, ts.EarliestStart, ts.EarliestFinish, today)
			}
			// A dated step happens on its date (the business day before,
			// when that is not one), at the earliest.
			if task.Duration == 0 && !task.Due.IsZero() && cal.BusinessDaysBetween(task.Due, ts.EarliestFinish) < 0 {
				t.Fatalf("%s: due %s with no duration, finishes %s", ts.ID, task.Due, ts.EarliestFinish)
			}
			remaining = true
		}
		if got := cal.BusinessDaysBetween(ts.EarliestStart, ts.EarliestFinish); got != max(task.Duration-1, 0) {
			t.Fatalf("%s: %d business days from start to finish, duration %d", ts.ID, got, task.Duration)
		}
		if !cal.IsBusinessDay(ts.LatestFinish) || ts.Slack != cal.BusinessDaysBetween(ts.EarliestFinish, ts.LatestFinish) {
			t.Fatalf("%s: latest finish %s, slack %d", ts.ID, ts.LatestFinish, ts.Slack)
		}
		if !task.Due.IsZero() && ts.LatestFinish.After(task.Due) {
			t.Fatalf("%s: latest finish %s after due %s", ts.ID, ts.LatestFinish, task.Due)
		}
		if !decision[i].IsZero() && ts.LatestFinish.After(decision[i]) {
			t.Fatalf("%s: latest finish %s after its milestone's due %s", ts.ID, ts.LatestFinish, decision[i])
		}
		switch {
		case !onboarding[i] && !d.Close.IsZero() && ts.LatestFinish.After(d.Close):
			t.Fatalf("%s: latest finish %s after close %s", ts.ID, ts.LatestFinish, d.Close)
		case onboarding[i] && !goLive.IsZero() && ts.LatestFinish.After(goLive):
			t.Fatalf("%s (onboarding): latest finish %s, go-live %s", ts.ID, ts.LatestFinish, d.GoLive)
		case onboarding[i] && goLive.IsZero() && task.Due.IsZero() && decision[i].IsZero() && succs[task.ID] == 0 && !isDone && ts.Slack < 0:
			t.Fatalf("%s (onboarding, no deadline): slack %d", ts.ID, ts.Slack)
		}
		if !isDone && !onboarding[i] && ts.EarliestFinish.After(sales) {
			sales = ts.EarliestFinish
		}
		if ts.Computed != task.Due.IsZero() || (ts.Computed && ts.Due != ts.LatestFinish) || (!ts.Computed && ts.Due != task.Due) {
			t.Fatalf("%s: due %s computed %v", ts.ID, ts.Due, ts.Computed)
		}
	}
	// The critical path leads to the end of the sale's open work, or of
	// the onboarding's when none of the sale's is left (the deal is open).
	selling := false
	for i, task := range tasks {
		selling = selling || task.Status != deal.Done && !onboarding[i]
	}
	scope := map[string]bool{}
	var end deal.Date
	for i, task := range tasks {
		if task.Status != deal.Done && onboarding[i] == !selling {
			scope[task.ID] = true
			if ts := p.Tasks[i]; ts.EarliestFinish.After(end) {
				end = ts.EarliestFinish
			}
		}
	}
	// waitsOn returns the finish of task's open predecessors in scope that
	// finish last (zero when it has none).
	waitsOn := func(task *deal.Task) deal.Date {
		var f deal.Date
		for _, a := range task.After {
			if pred, _ := p.Task(a); scope[a] && pred.EarliestFinish.After(f) {
				f = pred.EarliestFinish
			}
		}
		return f
	}
	// critical: the tasks finishing on the end, and back from each the
	// predecessors in scope that finish last.
	critical := map[string]bool{}
	// Plan order is not an order of dependencies: repeat until stable.
	changed := true
	for changed {
		changed = false
		for _, task := range tasks {
			ts, _ := p.Task(task.ID)
			if !scope[task.ID] || !(critical[task.ID] || ts.EarliestFinish == end) {
				continue
			}
			if !critical[task.ID] {
				critical[task.ID], changed = true, true
			}
			f := waitsOn(task)
			for _, a := range task.After {
				if pred, _ := p.Task(a); scope[a] && pred.EarliestFinish == f && !critical[a] {
					critical[a], changed = true, true
				}
			}
		}
	}
	for i, ts := range p.Tasks {
		task := tasks[i]
		if ts.Critical != critical[ts.ID] {
			t.Fatalf("%s: critical %v, want %v (end %s)", ts.ID, ts.Critical, critical[ts.ID], end)
		}
		if task.Status == deal.Done {
			continue
		}
		for _, a := range task.After {
			pred, _ := p.Task(a)
			if cal.BusinessDaysBetween(pred.EarliestFinish, ts.EarliestFinish) < task.Duration {
				t.Fatalf("%s (%d days) finishes %s, too soon after %s finishing %s", ts.ID, task.Duration, ts.EarliestFinish, a, pred.EarliestFinish)
			}
			if cal.BusinessDaysBetween(pred.LatestFinish, ts.LatestFinish) < task.Duration {
				t.Fatalf("%s (%d days) must finish by %s, too soon after %s finishing by %s", ts.ID, task.Duration, ts.LatestFinish, a, pred.LatestFinish)
			}
		}
	}
	if remaining != (len(p.CriticalPath) > 0) || remaining == p.Finish.IsZero() {
		t.Fatalf("remaining work %v, critical path %v, finish %s", remaining, p.CriticalPath, p.Finish)
	}
	for k, id := range p.CriticalPath {
		if ts, _ := p.Task(id); !ts.Critical {
			t.Fatalf("%s on the critical path %v is not critical", id, p.CriticalPath)
		}
		if k > 0 && !contains(byID[id].After, p.CriticalPath[k-1]) {
			t.Fatalf("critical path %v: %s is not after %s", p.CriticalPath, id, p.CriticalPath[k-1])
		}
		// Each step of it is the one its successor waits on, and the first
		// waits on nothing open.
		f := waitsOn(byID[id])
		if k == 0 && !f.IsZero() {
			t.Fatalf("critical path %v: %s waits on open work", p.CriticalPath, id)
		}
		if k > 0 {
			if pred, _ := p.Task(p.CriticalPath[k-1]); pred.EarliestFinish != f {
				t.Fatalf("critical path %v: %s waits on work finishing %s, not %s", p.CriticalPath, id, f, p.CriticalPath[k-1])
			}
		}
	}
	if n := len(p.CriticalPath); n > 0 {
		if last, _ := p.Task(p.CriticalPath[n-1]); last.EarliestFinish != end {
			t.Fatalf("critical path %v ends %s, the work ends %s", p.CriticalPath, last.EarliestFinish, end)
		}
	}
	if p.SalesFinish != sales || p.SalesFinish.After(p.Finish) {
		t.Fatalf("finish %s, of the work due by the close %s; want %s", p.Finish, p.SalesFinish, sales)
	}
	want := 0
	if !sales.IsZero() && !d.Close.IsZero() {
		want = max(0, cal.BusinessDaysBetween(d.Close, sales))
	}
	if p.Overrun != want {
		t.Fatalf("overrun %d, want %d", p.Overrun, want)
	}
}

// checkBackward checks that Backward's dates leave every task its duration
// after its predecessors, are as late as that allows, and respect target.
func checkBackward(t *testing.T, tasks []TemplateTask, target deal.Date, cal Calendar, dates map[string]deal.Date, err error) {
	t.Helper()
	if err != nil {
		if dates != nil {
			t.Fatalf("dates and an error: %v", err)
		}
		checkErrors(t, err)
		return
	}
	if len(dates) != len(tasks) {
		t.Fatalf("%d dates for %d tasks", len(dates), len(tasks))
	}
	bound := target
	if !cal.IsBusinessDay(target) {
		bound = cal.AddBusinessDays(target, -1)
	}
	tight := map[string]bool{}
	for _, task := range tasks {
		due := dates[task.ID]
		if due.After(bound) || !cal.IsBusinessDay(due) {
			t.Fatalf("%s due %s, target %s", task.ID, due, target)
		}
		if due == bound {
			tight[task.ID] = true
		}
		for _, a := range task.After {
			pred := dates[a]
			if cal.BusinessDaysBetween(pred, due) < task.Duration {
				t.Fatalf("%s (%d days) due %s, too soon after %s due %s", task.ID, task.Duration, due, a, pred)
			}
			if cal.AddBusinessDays(due, -task.Duration) == pred {
				tight[a] = true
			}
		}
	}
	for _, task := range tasks {
		if !tight[task.ID] {
			t.Fatalf("%s due %s could be later", task.ID, dates[task.ID])
		}
	}
}
