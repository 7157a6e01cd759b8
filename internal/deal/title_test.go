package deal

import "testing"

func TestTaskTitled(t *testing.T) {
	d := &Deal{Milestones: []Milestone{
		{ID: "a", Tasks: []Task{{ID: "untitled"}, {ID: "order", Title: "Order form signed"}}},
		{ID: "b", Tasks: []Task{{ID: "order-2", Title: "Order form signed"}}},
	}}
	for _, title := range []string{"Order form signed", "  order FORM\tsigned ", "ORDER form  signed"} {
		if got, ok := d.TaskTitled(title); !ok || got.ID != "order" {
			t.Errorf("TaskTitled(%q) = %v, %v; want the first task so titled, order", title, got, ok)
		}
	}
	for _, title := range []string{"", "  ", "Order form", "Order-form signed"} {
		if got, ok := d.TaskTitled(title); ok {
			t.Errorf("TaskTitled(%q) = %s; want none", title, got.ID)
		}
	}
}
