// Package blueprint owns plan templates: the skeletons `maproom new` starts
// a deal's mutual action plan from, and the index.md it writes for the new
// deal.
//
// A template is a Markdown file with YAML frontmatter, decoded strictly (an
// unknown key is an error naming file:line). Its plan names roles, not
// people: a task's owner is a role such as security or champion, its length
// a whole number of business days, its dependencies the ids of tasks it
// comes after. The frontmatter keys are
//
//	name:         the template's name; optional, and when given it must be
//	              the file name without .md
//	description:  one line, shown by `maproom new --list`
//	onboarding:   business days from signature to go-live (for --golive)
//	review:       {day, time, length}, the weekly plan review
//	stakeholders: [{role, side, title}], the roles the decision needs; each
//	              task owner's and milestone lead's role is needed too
//	milestones:   [{id, title, lead, evidence, tasks: [{id, title, owner,
//	              duration, after, evidence, collateral}]}]
//	criteria:     [text], what makes this a "yes"
//	collateral:   [{id, title, file, audience}], the documents the deal
//	              needs; file defaults to <id>.pdf, audience lists roles
//
// and the body is the welcome note's skeleton, in which {buyer}, {seller},
// {close}, {golive} and {due:<task-id>} (that task's due date) are replaced
// by the new deal's values. What only the seller can write is a
// placeholder, "[[what to write]]" (deal.Placeholders): the deal's check
// refuses to publish a plan that still holds one.
//
// Built-in templates are embedded in the binary (builtin/*.md); a site's
// own templates/ folder, at the site root, adds templates and overrides
// built-ins of the same name (see Load). Template.Draft dates every task
// backwards from the signature date and renders the new deal's index.md.
package blueprint

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/maproom/maproom/internal/deal"
	"github.com/maproom/maproom/internal/frontmatter"
	"github.com/maproom/maproom/internal/schedule"
	"github.com/maproom/maproom/internal/spelling"
)

// Template is a parsed plan template. Parse returns it valid: names and ids
// are well formed and unique, every role is a role, durations are whole
// business days, dependencies name tasks of the template and form no cycle,
// and task collateral names a slot. A Template is not modified after Load
// returns it and may be shared between goroutines.
type Template struct {
	Name        string
	Description string
	// Onboarding is the number of business days from signature to go-live.
	Onboarding int
	// Review is the weekly plan review; nil when the template sets none.
	Review       *Review
	Stakeholders []Stakeholder
	Milestones   []Milestone
	Criteria     []string
	Collateral   []Slot
	// Body is the welcome note's skeleton, Markdown.
	Body []byte
	// File is the file the template came from, as given to Parse.
	File string
	// Builtin is true for a template embedded in the binary; Overrides is
	// true for a site template that replaces the built-in of its name.
	Builtin, Overrides bool
}

// Review is the weekly plan review: Day a weekday name in lowercase, Time
// "HH:MM", Length a Go duration such as "15m" ("" for the default).
type Review struct {
	Day, Time, Length string
}

// Stakeholder is a role the decision needs, on its side, with an optional
// job title as a hint for the person to look for.
type Stakeholder struct {
	Role  deal.Role
	Side  deal.Side
	Title string
	Line  int
}

// Milestone is a decision point led by a role.
type Milestone struct {
	ID, Title string
	Lead      deal.Role
	Evidence  string
	Tasks     []Task
	Line      int
}

// Task is one step of the template's plan: owned by a role, Duration
// business days long (0 for a checkpoint such as a signature), after the
// tasks it depends on.
type Task struct {
	ID, Title  string
	Owner      deal.Role
	Duration   int
	After      []string
	Evidence   string
	Collateral []string
	Line       int
}

// Slot is a document the deal needs: File is its suggested file name in the
// deal's folder, Audience the "role:<role>" entries allowed to see it
// (empty: every buyer stakeholder).
type Slot struct {
	ID, Title, File string
	Audience        []string
	Line            int
}

// Tasks returns every task of the plan in plan order.
func (t *Template) Tasks() []*Task {
	var ts []*Task
	for i := range t.Milestones {
		for j := range t.Milestones[i].Tasks {
			ts = append(ts, &t.Milestones[i].Tasks[j])
		}
	}
	return ts
}

// ScheduleTasks returns the tasks as the scheduler takes them.
func (t *Template) ScheduleTasks() []schedule.TemplateTask {
	var ts []schedule.TemplateTask
	for _, k := range t.Tasks() {
		ts = append(ts, schedule.TemplateTask{ID: k.ID, Duration: k.Duration, After: k.After, Line: k.Line})
	}
	return ts
}

// Roles returns the roles the plan needs, buyer side first: the template's
// stakeholders, then each other role that owns a task or leads a milestone,
// once.
func (t *Template) Roles() []Stakeholder {
	out := slices.Clone(t.Stakeholders)
	seen := map[deal.Role]bool{}
	for _, s := range out {
		seen[s.Role] = true
	}
	add := func(s Stakeholder) {
		if !seen[s.Role] {
			seen[s.Role] = true
			out = append(out, s)
		}
	}
	for _, m := range t.Milestones {
		add(Stakeholder{Role: m.Lead, Side: sideOf(m.Lead)})
		for _, k := range m.Tasks {
			add(Stakeholder{Role: k.Owner, Side: sideOf(k.Owner)})
		}
	}
	slices.SortStableFunc(out, func(a, b Stakeholder) int { return cmp.Compare(sideRank(a.Side), sideRank(b.Side)) })
	return out
}

func sideRank(s deal.Side) int {
	if s == deal.Seller {
		return 1
	}
	return 0
}

// sideOf returns the side a role sits on; "" for other.
func sideOf(r deal.Role) deal.Side {
	switch {
	case slices.Contains(deal.BuyerRoles, r):
		return deal.Buyer
	case slices.Contains(deal.SellerRoles, r):
		return deal.Seller
	}
	return ""
}

// Parse decodes and checks the template in src. file names it in errors;
// its base name without .md is the template's name. Parse returns the
// template, or nil and every problem found as an errors.Join of *Error.
func Parse(file string, src []byte) (*Template, error) {
	d := &decoder{file: file}
	t := d.template(file, src)
	for _, e := range d.errs {
		if d.last > 0 && e.Line > d.last {
			e.Line = d.last // YAML counts a lone \r as a line break; the file does not
		}
	}
	d.errs = append(d.errs, d.bodyErrs...)
	if len(d.errs) > 0 {
		slices.SortStableFunc(d.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
		errs := make([]error, len(d.errs))
		for i, e := range d.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// NameOf returns the template name a file gives: its base name without .md.
func NameOf(file string) string {
	return strings.TrimSuffix(path.Base(filepath.ToSlash(file)), ".md")
}

var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// dueVarRe finds {due:<task-id>} in a welcome note's skeleton.
var dueVarRe = regexp.MustCompile(`\{due:([^{}\s]*)\}`)

// decoder walks a template's YAML nodes, collecting every problem with its
// file line.
type decoder struct {
	file   string
	offset int // file lines before the YAML document
	last   int // the file line closing the frontmatter, once known
	errs   []*Error
	// bodyErrs are the welcome note's problems, on lines after last;
	// bodySkip counts the blank lines split dropped before the note.
	bodyErrs []*Error
	bodySkip int
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// at returns the file line of node n.
func (d *decoder) at(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line + d.offset
}

func (d *decoder) template(file string, src []byte) *Template {
	t := &Template{File: file, Name: NameOf(file)}
	if !idRe.MatchString(t.Name) {
		d.errorf(0, "the file name %q is the template's name: use lowercase letters, digits and hyphens, e.g. enterprise-saas.md", path.Base(filepath.ToSlash(file)))
	}
	doc, body, ok := d.split(src)
	if !ok {
		return nil
	}
	t.Body = body
	root, ok := d.yaml(doc)
	if !ok {
		return nil
	}
	f := d.fields(root, "the template", "name", "description", "onboarding", "review", "stakeholders", "milestones", "criteria", "collateral")
	if f == nil {
		return nil
	}
	if n := f["name"]; n != nil {
		if name := d.oneLine(n, "name"); name != "" && name != t.Name {
			d.errorf(d.at(n), "name %q does not match the file name %q: a template is named by its file; rename one of them", name, t.Name+".md")
		}
	}
	t.Description = d.oneLine(f["description"], "description")
	if t.Description == "" && (isNull(f["description"]) || f["description"].Kind == yaml.ScalarNode) {
		d.errorf(d.at(root), "description is missing: add `description:` with one line saying which deals the template is for")
	}
	if n := f["onboarding"]; n != nil {
		t.Onboarding = d.days(n, "onboarding")
	}
	if n := f["review"]; n != nil && !isNull(n) {
		t.Review = d.review(n)
	}
	for _, n := range d.seq(f["stakeholders"], "stakeholders") {
		t.Stakeholders = append(t.Stakeholders, d.stakeholder(n))
	}
	for _, n := range d.seq(f["criteria"], "criteria") {
		if c := d.oneLine(n, "a criterion"); c != "" {
			t.Criteria = append(t.Criteria, c)
		}
	}
	slots := map[string]bool{}
	for _, n := range d.seq(f["collateral"], "collateral") {
		s := d.slot(n)
		if slots[s.ID] && s.ID != "" {
			d.errorf(s.Line, "collateral id %q is used twice", s.ID)
		}
		slots[s.ID] = true
		t.Collateral = append(t.Collateral, s)
	}
	ms := d.seq(f["milestones"], "milestones")
	if len(ms) == 0 {
		d.errorf(d.at(cmp.Or(f["milestones"], root)), "the template has no milestones: add `milestones:`, 3 to 5 decision points, each with its tasks")
	}
	for _, n := range ms {
		t.Milestones = append(t.Milestones, d.milestone(n))
	}
	d.plan(t, slots)
	return t
}

// split cuts src into the frontmatter and the body (the shared splitter of
// internal/frontmatter, as plans are cut); the blank lines before the
// welcome note's skeleton are dropped.
func (d *decoder) split(src []byte) (doc frontmatter.Doc, body []byte, ok bool) {
	doc, problem := frontmatter.Split(src)
	switch problem {
	case frontmatter.Missing:
		d.errorf(1, "no frontmatter: start the template with a line ---, the plan in YAML, then a line --- before the welcome note's skeleton")
		return doc, nil, false
	case frontmatter.Unclosed:
		d.errorf(1, "the frontmatter opened with --- is never closed: end it with a line holding only ---")
		return doc, nil, false
	}
	d.offset, d.last = doc.Offset, doc.BodyLine-1
	body = bytes.TrimLeft(doc.Body, "\r\n")
	d.bodySkip = bytes.Count(doc.Body[:len(doc.Body)-len(body)], []byte("\n"))
	return doc, body, true
}

// yaml parses the frontmatter into its root mapping node.
func (d *decoder) yaml(doc frontmatter.Doc) (root *yaml.Node, ok bool) {
	parsed, err := frontmatter.Parse(doc)
	if err != nil {
		msg := err.Msg
		if err.NotMapping {
			msg = "the frontmatter must be a mapping of keys (name:, description:, milestones:, ...)"
		}
		d.errorf(err.Line, "%s", msg)
		return nil, false
	}
	d.noAliases(parsed)
	return parsed.Content[0], true
}

// unmarshal is yaml.Unmarshal, with a panic of the YAML library turned into
// an error: a template file must never crash the program.
func unmarshal(b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(b, v)
}

// noAliases reports every alias: a template spells its values out.
func (d *decoder) noAliases(n *yaml.Node) {
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode {
			d.errorf(d.at(n), "YAML aliases are not supported in a template: write the value out")
			continue
		}
		stack = append(stack, n.Content...)
	}
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.AliasNode || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// fields checks that n is a mapping of known keys, each given once, and
// returns its values by key; nil when n is not a mapping. what names the
// mapping in messages.
func (d *decoder) fields(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(d.at(n), "%s must be a mapping of keys (%s), not %s", what, strings.Join(known, ", "), kindName(n))
		return nil
	}
	m := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errorf(d.at(k), "a key of %s is %s: keys are plain words such as %s", what, kindName(k), known[0])
		case !slices.Contains(known, k.Value):
			d.errorf(d.at(k), "unknown key %q in %s%s", k.Value, what, suggest(k.Value, known))
		case m[k.Value] != nil:
			d.errorf(d.at(k), "key %q is given twice in %s", k.Value, what)
		default:
			m[k.Value] = v
		}
	}
	return m
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "an alias"
}

// text returns a scalar's value; "" for an absent or null value.
func (d *decoder) text(n *yaml.Node, what string) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(d.at(n), "%s: want text here, not %s", what, kindName(n))
		return ""
	}
	return n.Value
}

// oneLine returns a scalar's value with runs of white space, line breaks
// included, collapsed to one space.
func (d *decoder) oneLine(n *yaml.Node, what string) string {
	return strings.Join(strings.Fields(d.text(n, what)), " ")
}

// seq returns a list's items; nil for an absent or null value.
func (d *decoder) seq(n *yaml.Node, what string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(d.at(n), "%s: want a list here, not %s", what, kindName(n))
		return nil
	}
	return n.Content
}

var daysRe = regexp.MustCompile(`^(\d{1,9})\s*(d|days?|bd)?$`)

// days returns a whole number of business days; what names the value in
// messages, e.g. `duration of task "nda"`.
func (d *decoder) days(n *yaml.Node, what string) int {
	s := strings.TrimSpace(d.text(n, what))
	m := daysRe.FindStringSubmatch(s)
	if m == nil {
		d.errorf(d.at(n), "%s %q is not a whole number of business days: write e.g. 10 (or 10d)", what, s)
		return 0
	}
	var v int
	fmt.Sscan(m[1], &v)
	if v > schedule.MaxDuration {
		d.errorf(d.at(n), "%s %d is longer than %d business days: split the work", what, v, schedule.MaxDuration)
		return 0
	}
	return v
}

// role returns the role named by n ("security" or "role:security"). line
// is where to report a missing value.
func (d *decoder) role(n *yaml.Node, line int, key, what string) deal.Role {
	s := strings.TrimSpace(d.text(n, key))
	r := deal.Role(strings.TrimPrefix(s, "role:"))
	switch {
	case s == "" && !isNull(n) && n.Kind != yaml.ScalarNode:
		// text reported it
	case s == "":
		d.errorf(cmp.Or(d.at(n), line), "%s has no %s: name one role, e.g. champion", what, key)
	case r != deal.RoleOther && sideOf(r) == "":
		d.errorf(d.at(n), "%s %q of %s is not a role: use one of %s; or other", key, s, what, roleList())
	}
	return r
}

func roleList() string {
	var s []string
	for _, r := range deal.BuyerRoles {
		s = append(s, string(r))
	}
	for _, r := range deal.SellerRoles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func (d *decoder) id(n *yaml.Node, parent *yaml.Node, what string) string {
	id := strings.TrimSpace(d.text(n, "id"))
	switch {
	case id == "":
		d.errorf(d.at(cmp.Or(n, parent)), "a %s has no id: add `id:` (lowercase letters, digits, hyphens)", what)
	case !idRe.MatchString(id):
		d.errorf(d.at(n), "%s id %q: use lowercase letters, digits and hyphens", what, id)
	}
	return id
}

var (
	weekdayNames = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	hhmmRe       = regexp.MustCompile(`^([01]?\d|2[0-3]):[0-5]\d$`)
	lengthRe     = regexp.MustCompile(`^([5-9]|[1-9]\d|1\d\d|2[0-3]\d|240)m$|^[1-4]h$`)
)

func (d *decoder) review(n *yaml.Node) *Review {
	f := d.fields(n, "review", "day", "time", "length")
	if f == nil {
		return nil
	}
	r := &Review{
		Day:    strings.ToLower(strings.TrimSpace(d.text(f["day"], "day"))),
		Time:   strings.TrimSpace(d.text(f["time"], "time")),
		Length: strings.TrimSpace(d.text(f["length"], "length")),
	}
	if !slices.Contains(weekdayNames, r.Day) {
		d.errorf(d.at(cmp.Or(f["day"], n)), "review day %q: use a weekday name such as tuesday", r.Day)
	}
	if !hhmmRe.MatchString(r.Time) {
		d.errorf(d.at(cmp.Or(f["time"], n)), "review time %q: write HH:MM, quoted, e.g. \"15:00\"", r.Time)
	}
	if r.Length != "" && !lengthRe.MatchString(r.Length) {
		d.errorf(d.at(f["length"]), "review length %q: write minutes or hours between 5m and 4h, e.g. 15m", r.Length)
	}
	return r
}

func (d *decoder) stakeholder(n *yaml.Node) Stakeholder {
	s := Stakeholder{Line: d.at(n)}
	f := d.fields(n, "a stakeholder", "role", "side", "title")
	if f == nil {
		return s
	}
	s.Role = d.role(f["role"], s.Line, "role", "a stakeholder")
	s.Title = d.oneLine(f["title"], "title")
	side := deal.Side(strings.TrimSpace(d.text(f["side"], "side")))
	switch {
	case side != "" && side != deal.Buyer && side != deal.Seller:
		d.errorf(d.at(f["side"]), "side %q: use buyer or seller", side)
	case side == "" && s.Role == deal.RoleOther:
		d.errorf(s.Line, "the role other needs `side: buyer` or `side: seller`")
	case side != "" && sideOf(s.Role) != "" && side != sideOf(s.Role):
		d.errorf(d.at(f["side"]), "the role %s sits on the %s side, not the %s side", s.Role, sideOf(s.Role), side)
	}
	s.Side = cmp.Or(side, sideOf(s.Role))
	return s
}

func (d *decoder) slot(n *yaml.Node) Slot {
	s := Slot{Line: d.at(n)}
	f := d.fields(n, "a collateral entry", "id", "title", "file", "audience")
	if f == nil {
		return s
	}
	s.ID = d.id(f["id"], n, "collateral entry")
	s.Title = d.oneLine(f["title"], "title")
	if s.Title == "" {
		d.errorf(s.Line, "collateral %q has no title: add `title:`", s.ID)
	}
	s.File = strings.TrimSpace(d.text(f["file"], "file"))
	if s.File == "" && s.ID != "" {
		s.File = s.ID + ".pdf"
	}
	if fl := f["file"]; fl != nil && s.File != "" {
		switch {
		case strings.ContainsAny(s.File, "\\\n\t\r") || path.IsAbs(s.File) || !filepath.IsLocal(s.File):
			d.errorf(d.at(fl), "collateral %q file %q: name a file inside the deal's folder, e.g. pricing.pdf", s.ID, s.File)
		case path.Clean(s.File) == "index.md":
			d.errorf(d.at(fl), "collateral %q cannot be the plan itself", s.ID)
		}
	}
	for _, a := range d.seq(f["audience"], "audience") {
		r := d.role(a, s.Line, "audience entry", fmt.Sprintf("collateral %q", s.ID))
		s.Audience = append(s.Audience, "role:"+string(r))
	}
	return s
}

func (d *decoder) milestone(n *yaml.Node) Milestone {
	m := Milestone{Line: d.at(n)}
	f := d.fields(n, "a milestone", "id", "title", "lead", "evidence", "tasks")
	if f == nil {
		return m
	}
	m.ID = d.id(f["id"], n, "milestone")
	what := fmt.Sprintf("milestone %q", m.ID)
	m.Title = d.oneLine(f["title"], "title")
	if m.Title == "" {
		d.errorf(m.Line, "%s has no title: add `title:`", what)
	}
	m.Lead = d.role(f["lead"], m.Line, "lead", what)
	m.Evidence = d.oneLine(f["evidence"], "evidence")
	if m.Evidence == "" {
		d.errorf(m.Line, "%s has no evidence: name the artifact that proves the decision made, e.g. \"signed-off vendor risk assessment\"", what)
	}
	ts := d.seq(f["tasks"], "tasks")
	if len(ts) == 0 {
		d.errorf(m.Line, "%s has no tasks: add `tasks:`, the steps that lead to the decision", what)
	}
	for _, tn := range ts {
		m.Tasks = append(m.Tasks, d.task(tn))
	}
	return m
}

func (d *decoder) task(n *yaml.Node) Task {
	t := Task{Line: d.at(n)}
	f := d.fields(n, "a task", "id", "title", "owner", "duration", "after", "evidence", "collateral")
	if f == nil {
		return t
	}
	t.ID = d.id(f["id"], n, "task")
	what := fmt.Sprintf("task %q", t.ID)
	t.Title = d.oneLine(f["title"], "title")
	if t.Title == "" {
		d.errorf(t.Line, "%s has no title: add `title:`", what)
	}
	t.Owner = d.role(f["owner"], t.Line, "owner", what)
	if dn := f["duration"]; isNull(dn) {
		d.errorf(t.Line, "%s has no duration: add `duration:` in whole business days (0 for a checkpoint such as a signature)", what)
	} else {
		t.Duration = d.days(dn, "duration of "+what)
	}
	for _, a := range d.seq(f["after"], "after") {
		t.After = append(t.After, strings.TrimSpace(d.text(a, "after")))
	}
	t.Evidence = d.oneLine(f["evidence"], "evidence")
	if t.Evidence == "" {
		d.errorf(t.Line, "%s has no evidence: name the artifact that proves it done, e.g. \"countersigned NDA\"", what)
	}
	for _, c := range d.seq(f["collateral"], "collateral") {
		t.Collateral = append(t.Collateral, strings.TrimSpace(d.text(c, "collateral")))
	}
	return t
}

// plan checks ids across the plan, dependencies and collateral references,
// then asks the scheduler for dependency cycles.
func (d *decoder) plan(t *Template, slots map[string]bool) {
	milestones := map[string]bool{}
	for _, m := range t.Milestones {
		if milestones[m.ID] && m.ID != "" {
			d.errorf(m.Line, "milestone id %q is used twice", m.ID)
		}
		milestones[m.ID] = true
	}
	first := map[string]*Task{}
	var ids []string
	for _, k := range t.Tasks() {
		switch {
		case k.ID == "":
		case first[k.ID] != nil:
			d.errorf(k.Line, "task id %q is used twice: task ids are unique across the template", k.ID)
		default:
			first[k.ID] = k
			ids = append(ids, k.ID)
		}
	}
	slices.Sort(ids)
	var sched []schedule.TemplateTask
	for _, k := range t.Tasks() {
		var after []string
		for _, a := range k.After {
			if first[a] == nil {
				d.errorf(k.Line, "task %q comes after %q, which is not a task of this template%s", k.ID, a, suggest(a, ids))
				continue
			}
			after = append(after, a)
		}
		for _, c := range k.Collateral {
			if !slots[c] {
				d.errorf(k.Line, "task %q relies on collateral %q, which is not listed under `collateral:`", k.ID, c)
			}
		}
		if k.ID != "" && first[k.ID] == k {
			sched = append(sched, schedule.TemplateTask{ID: k.ID, Duration: k.Duration, After: after, Line: k.Line})
		}
	}
	bodyLine := d.last + 1 + d.bodySkip
	for i, l := range strings.Split(string(t.Body), "\n") {
		for _, m := range dueVarRe.FindAllStringSubmatch(l, -1) {
			if first[m[1]] == nil {
				d.bodyErrs = append(d.bodyErrs, &Error{File: d.file, Line: bodyLine + i,
					Msg: fmt.Sprintf("{due:%s} in the welcome note: %q is not a task of this template%s", m[1], m[1], suggest(m[1], ids))})
			}
		}
	}
	_, err := schedule.Backward(sched, deal.NewDate(2000, 1, 3), schedule.Calendar{})
	for _, e := range unjoin(err) {
		var se *schedule.Error
		if errors.As(e, &se) && errors.Is(e, schedule.ErrCycle) {
			d.errs = append(d.errs, &Error{File: d.file, Line: se.Line, Err: se,
				Msg: se.Error() + " (each task waits for the one before it): remove one `after:` entry"})
		}
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// suggest returns "; did you mean "x"?" for the known word closest to k,
// or the known words when none is close and there are few.
func suggest(k string, known []string) string {
	best, bestD := "", 1<<30
	for _, w := range known {
		if dist := spelling.Distance(k, w); dist < bestD {
			best, bestD = w, dist
		}
	}
	switch {
	case best != "" && (bestD <= 2 || (bestD <= 3 && len(k) > 6)):
		return fmt.Sprintf("; did you mean %q?", best)
	case len(known) > 0 && len(known) <= 10:
		return "; known: " + strings.Join(known, ", ")
	}
	return ""
}
