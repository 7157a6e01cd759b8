package deal

// AsOf returns the plan as it stood on day: a task marked done on a later
// day was still open on it (in progress, with no done date). A report for
// a past day (--today) counts, schedules and grades lateness as that day
// saw the plan. It returns d itself when no task is done after day; else a
// copy that shares everything with d but its milestones and their tasks.
func (d *Deal) AsOf(day Date) *Deal {
	later := func(t *Task) bool { return t.Status == Done && t.Done.After(day) }
	some := false
	for _, t := range d.Tasks() {
		some = some || later(t)
	}
	if !some {
		return d
	}
	c := *d
	c.Milestones = make([]Milestone, len(d.Milestones))
	for i, m := range d.Milestones {
		m.Tasks = append([]Task(nil), m.Tasks...)
		for j := range m.Tasks {
			if t := &m.Tasks[j]; later(t) {
				t.Status, t.Done, t.DoneAhead = InProgress, Date{}, t.Done
			}
		}
		c.Milestones[i] = m
	}
	return &c
}

// DoneOn returns a copy of d in which task id is done on day, due that
// day too: the plan as a proposal of that day would have it finish, to
// weigh what accepting it does to the schedule. d is not modified; a copy
// equal to d when it has no task id.
func (d *Deal) DoneOn(id string, day Date) *Deal {
	c := *d
	c.Milestones = append([]Milestone(nil), d.Milestones...)
	for i := range c.Milestones {
		m := &c.Milestones[i]
		for j := range m.Tasks {
			if m.Tasks[j].ID == id {
				m.Tasks = append([]Task(nil), m.Tasks...)
				m.Tasks[j].Status, m.Tasks[j].Done, m.Tasks[j].Due = Done, day, day
				return &c
			}
		}
	}
	return &c
}
