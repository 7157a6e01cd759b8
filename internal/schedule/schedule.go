// Package schedule works out when the tasks of a mutual action plan can be
// done and when they must be done: forward from the work already done,
// backward from the deal's close date (for onboarding work, its go-live
// date), in business days. It owns the
// business-day calendar, the critical path, the dates the build shows for
// tasks that have only a duration, and the due dates `maproom new` gives a
// template's tasks.
//
// The conventions, used throughout:
//
//   - Time counts in business days: Monday to Friday, less a Calendar's
//     holidays. Work happens only on business days.
//   - A task of n business days that finishes on day F occupies the n
//     business days ending with F; a task after it starts on the next
//     business day. So a task of n days that follows one finishing on day P
//     finishes on cal.AddBusinessDays(P, n), and must finish by the latest
//     finish of its successor minus the successor's n business days.
//   - A task with no Duration (0) takes no time: it is a checkpoint, such as
//     a signature, reached the day its last predecessor finishes. An open
//     checkpoint with a Due date of its own (a dated step: a meeting, a
//     signature) happens on that date, or when its last predecessor
//     finishes if that is later: the work after it starts no earlier than
//     the business day after its due date. A task with a Duration is
//     forecast from its work, and its Due date is only a deadline.
//   - The critical path is the chain of open steps the end of the work
//     under way (the close's, for an open deal) waits on: from the step
//     that finishes last, back through the predecessor each waits on, the
//     one finishing last, whether dated or with a duration.
//   - A deadline (a Due date, a deal's Close, a target) on a day that is not
//     a business day is met by finishing on the business day before it.
//   - Dates the package computes are business days, except a done task's
//     finish, which is its Done date as recorded.
//
// Compute schedules a deal's plan; Backward dates a template's tasks for a
// new deal; SignBy turns a go-live date into a signature date. They only
// read their input (so they may run concurrently on the same deal), run in
// time linear in tasks plus dependencies (no recursion, so 10,000 tasks in
// a chain are fine), give the same output for the same input, and report
// every problem of the input at once as an errors.Join of *Error values,
// each carrying its task's line so the caller can prefix "file:line: ".
package schedule

import "github.com/maproom/maproom/internal/deal"

// SignBy returns the day a contract must be signed by so that onboarding,
// taking the given number of business days after signature, is finished on
// the last business day before goLive: the system is live on goLive, so
// onboarding must end before it. A go-live on a Saturday, Sunday or holiday
// therefore needs the same signature date as a go-live on the next business
// day. A negative onboarding counts as 0.
//
// For example, with no holidays, go-live on Saturday 2026-08-01 after 30
// business days of onboarding needs signature by Friday 2026-06-19:
// onboarding runs 2026-06-22 to 2026-07-31.
func SignBy(goLive deal.Date, onboarding int, cal Calendar) deal.Date {
	return cal.AddBusinessDays(goLive, -max(onboarding, 0)-1)
}
