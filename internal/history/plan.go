package history

import (
	"cmp"
	"strings"

	"github.com/maproom/maproom/internal/deal"
	splitter "github.com/maproom/maproom/internal/frontmatter"
)

// Plan is what the history keeps of one version of a deal's index.md: the
// fields whose changes tell the plan's story. It is a projection of the
// deal the generator decodes (PlanOf), never more.
type Plan struct {
	Buyer      string // the buyer organisation, as the plan names it
	Review     string // the weekly review's day, lower case ("tuesday"); "" for none
	Close      deal.Date
	Outcome    deal.Outcome
	People     []Person
	Milestones []Item
	Tasks      []Item
	Docs       []Item // collateral: ID and Title only
}

// Person is a stakeholder of a version, for matching commit authors.
type Person struct {
	ID, Name, Email string
	Side            deal.Side
}

// Item is a milestone, a task or a document of a version. Milestone, Status,
// Done and Owner are set for tasks only.
type Item struct {
	ID, Title string
	Milestone string
	Due       deal.Date
	Status    deal.Status
	Done      deal.Date
	Owner     string
}

// PlanOf projects a decoded deal onto a Plan.
func PlanOf(d *deal.Deal) *Plan {
	p := &Plan{Buyer: d.Buyer, Close: d.Close, Outcome: cmp.Or(d.Outcome, deal.Open)}
	if d.Review.HasDay {
		p.Review = strings.ToLower(d.Review.Day.String())
	}
	for _, s := range d.Stakeholders {
		p.People = append(p.People, Person{ID: s.ID, Name: s.Name, Email: s.Email, Side: s.Side})
	}
	for _, m := range d.Milestones {
		p.Milestones = append(p.Milestones, Item{ID: m.ID, Title: m.Title, Due: m.Due})
		for _, t := range m.Tasks {
			p.Tasks = append(p.Tasks, Item{ID: t.ID, Title: t.Title, Milestone: m.ID, Due: t.Due, Status: t.Status, Done: t.Done, Owner: t.Owner})
		}
	}
	for _, c := range d.Collateral {
		p.Docs = append(p.Docs, Item{ID: c.ID, Title: c.Title})
	}
	return p
}

// Progress counts the version's done tasks, of all.
func (p *Plan) Progress() (done, total int) {
	for _, t := range p.Tasks {
		total++
		if t.Status == deal.Done {
			done++
		}
	}
	return done, total
}

// person returns the stakeholder whose email is email (case-insensitive).
func (p *Plan) person(email string) (Person, bool) {
	email = strings.TrimSpace(email)
	if email == "" {
		return Person{}, false
	}
	for _, s := range p.People {
		if s.Email != "" && strings.EqualFold(strings.TrimSpace(s.Email), email) {
			return s, true
		}
	}
	return Person{}, false
}

// quickPlan reads the fields of a Plan from src without the generator's
// YAML decoder, for the common layout of a plan: block mappings and
// sequences, one-line flow mappings and sequences, plain and quoted
// scalars. It returns ok false on anything else (block scalars, anchors,
// tags, multi-line values, a value it cannot read as the decoder would),
// and the caller decodes the version in full. FuzzQuickPlan holds it to
// the generator's decoder on every version both accept.
func quickPlan(src []byte) (*Plan, bool) { return quickPlanMemo(src, nil) }

// quickPlanMemo is quickPlan reusing the pieces of the deal's previous
// version that m holds (nil: none).
func quickPlanMemo(src []byte, m *memo) (*Plan, bool) {
	var root *node
	if m != nil {
		fm, lo, hi, ok := m.front(src)
		if !ok {
			return nil, false
		}
		if root, ok = m.parse(fm, lo, hi); !ok {
			return nil, false
		}
	} else {
		fm, ok := frontmatter(src)
		if !ok {
			return nil, false
		}
		if root, ok = parseBlock(fm); !ok {
			return nil, false
		}
	}
	if root.kind != mapNode {
		return nil, false
	}
	return project(root, m)
}

// frontmatter returns the text between the opening and closing --- lines,
// as the project's one splitter cuts it.
func frontmatter(src []byte) ([]byte, bool) {
	d, p := splitter.Split(src)
	return d.Front, p == splitter.OK
}

// project reads a Plan off a parsed frontmatter. Through a memo, a
// stakeholder or a milestone (with its tasks) whose node a version shares
// with an earlier one is read once.
func project(root *node, m *memo) (*Plan, bool) {
	p := m.plan()
	var ok bool
	for _, v := range root.items {
		k := v.key
		switch k {
		case "buyer":
			if p.Buyer, ok = scalarOf(v); !ok {
				return nil, false
			}
		case "review":
			if p.Review, ok = reviewDay(v); !ok {
				return nil, false
			}
		case "close":
			if p.Close, ok = dateOf(v); !ok {
				return nil, false
			}
		case "outcome":
			s, ok := scalarOf(v)
			if !ok {
				return nil, false
			}
			switch deal.Outcome(s) {
			case "":
			case deal.Open, deal.Won, deal.Lost:
				p.Outcome = deal.Outcome(s)
			default:
				return nil, false
			}
		case "stakeholders":
			if v.kind == nullNode {
				continue
			}
			if v.kind != seqNode {
				return nil, false
			}
			if cap(p.People) < len(v.items) {
				p.People = make([]Person, 0, len(v.items))
			}
			for _, it := range v.items {
				if s, ok := m.person(it); ok {
					p.People = append(p.People, s)
					continue
				}
				if it.kind != mapNode {
					return nil, false
				}
				var s Person
				var side string
				if !fields(it, func(k string) *string {
					switch k {
					case "id":
						return &s.ID
					case "name":
						return &s.Name
					case "email":
						return &s.Email
					case "side":
						return &side
					}
					return nil
				}) {
					return nil, false
				}
				s.Side = deal.Side(side)
				p.People = append(p.People, s)
				if m != nil {
					m.people[it] = s
				}
			}
		case "milestones":
			if v.kind == nullNode {
				continue
			}
			if v.kind != seqNode {
				return nil, false
			}
			// One allocation for the milestones and tasks of the version,
			// none when a recycled plan has the room.
			nt := 0
			for _, it := range v.items {
				if ts := it.get("tasks"); ts != nil {
					nt += len(ts.items)
				}
			}
			nm := len(v.items)
			if cap(p.Milestones) < nm || cap(p.Tasks) < nt {
				all := make([]Item, nm+nt)
				p.Milestones, p.Tasks = all[:0:nm], all[nm:nm]
			}
			for _, it := range v.items {
				if c, ok := m.milestone(it); ok {
					p.Milestones = append(p.Milestones, c[0])
					p.Tasks = append(p.Tasks, c[1:]...)
					continue
				}
				t0 := len(p.Tasks)
				if !milestone(p, it) {
					return nil, false
				}
				if m != nil {
					m.milestones[it] = append([]Item{p.Milestones[len(p.Milestones)-1]}, p.Tasks[t0:]...)
				}
			}
		case "collateral":
			if v.kind == nullNode {
				continue
			}
			if v.kind != seqNode {
				return nil, false
			}
			for _, it := range v.items {
				if it.kind != mapNode {
					return nil, false
				}
				var c Item
				if !fields(it, func(k string) *string {
					switch k {
					case "id":
						return &c.ID
					case "title":
						return &c.Title
					}
					return nil
				}) {
					return nil, false
				}
				p.Docs = append(p.Docs, c)
			}
		}
	}
	return p, true
}

func milestone(p *Plan, n *node) bool {
	if n.kind != mapNode {
		return false
	}
	var m Item
	var due string
	if !fields(n, func(k string) *string {
		switch k {
		case "id":
			return &m.ID
		case "title":
			return &m.Title
		case "due":
			return &due
		}
		return nil
	}) {
		return false
	}
	var ok bool
	if m.Due, ok = parseDate(due); !ok {
		return false
	}
	p.Milestones = append(p.Milestones, m)
	tasks := n.get("tasks")
	if tasks == nil || tasks.kind == nullNode {
		return true
	}
	if tasks.kind != seqNode {
		return false
	}
	for _, tn := range tasks.items {
		if tn.kind != mapNode {
			return false
		}
		t := Item{Milestone: m.ID}
		var due, status, done string
		if !fields(tn, func(k string) *string {
			switch k {
			case "id":
				return &t.ID
			case "title":
				return &t.Title
			case "due":
				return &due
			case "status":
				return &status
			case "done":
				return &done
			case "owner":
				return &t.Owner
			}
			return nil
		}) {
			return false
		}
		if t.Due, ok = parseDate(due); !ok {
			return false
		}
		if t.Done, ok = parseDate(done); !ok {
			return false
		}
		switch deal.Status(status) {
		case "":
			t.Status = deal.Todo
		case deal.Todo, deal.InProgress, deal.Done, deal.Blocked:
			t.Status = deal.Status(status)
		default:
			return false
		}
		p.Tasks = append(p.Tasks, t)
	}
	return true
}

// fields reads the scalar keys of mapping n named in want; a wanted key
// that is not a scalar fails.
func fields(n *node, want func(key string) *string) bool {
	for _, v := range n.items {
		if dst := want(v.key); dst != nil {
			s, ok := scalarOf(v)
			if !ok {
				return false
			}
			*dst = s
		}
	}
	return true
}

// reviewDay reads the day of a review: mapping ({day: tuesday, ...}) as
// the decoder does: a weekday's name in any case, lower-cased; a review
// left empty has none. ok is false for anything else (the decoder then
// reads it, or refuses it).
func reviewDay(n *node) (string, bool) {
	switch n.kind {
	case nullNode:
		return "", true
	case mapNode:
	default:
		return "", false
	}
	day := n.get("day")
	if day == nil {
		return "", false
	}
	s, ok := scalarOf(day)
	if !ok {
		return "", false
	}
	s = strings.ToLower(s)
	switch s {
	case "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday":
		return s, true
	}
	return "", false
}

func scalarOf(n *node) (string, bool) {
	switch n.kind {
	case scalarNode:
		return n.val, true
	case nullNode:
		return "", true
	}
	return "", false
}

func dateOf(n *node) (deal.Date, bool) {
	s, ok := scalarOf(n)
	if !ok {
		return deal.Date{}, false
	}
	return parseDate(s)
}

func parseDate(s string) (deal.Date, bool) {
	if s == "" {
		return deal.Date{}, true
	}
	d, err := deal.ParseDate(s)
	return d, err == nil
}
