package notify

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WritePreview writes what a run did or would do, one notice at a time in
// order: each message in full (recipient, channels, subject, text,
// attachments) when a channel sent it, would send it or failed to; a line
// for a notice already sent everywhere that carries it; the channels that
// skip it, with why. loc is the timezone of the times shown.
func WritePreview(w io.Writer, outs []Outcome, loc *time.Location) error {
	type entry struct {
		n    Notice
		outs []Outcome
	}
	var order []string
	byID := map[string]*entry{}
	for _, o := range outs {
		id := o.Notice.ID()
		e, ok := byID[id]
		if !ok {
			e = &entry{n: o.Notice}
			byID[id] = e
			order = append(order, id)
		}
		e.outs = append(e.outs, o)
	}
	var b strings.Builder
	for _, id := range order {
		e := byID[id]
		n := e.n
		var active, already, skipped []string
		for _, o := range e.outs {
			switch o.Status {
			case StatusAlready:
				already = append(already, fmt.Sprintf("%s on %s", o.Channel, o.When.In(loc).Format("2006-01-02 15:04")))
			case StatusSkipped:
				if o.Channel == "" {
					skipped = append(skipped, o.Why)
				} else {
					skipped = append(skipped, o.Channel+": "+o.Why)
				}
			case StatusFailed:
				active = append(active, fmt.Sprintf("%s (failed: %v)", o.Channel, o.Err))
			default:
				active = append(active, fmt.Sprintf("%s (%s)", o.Channel, o.Status))
			}
		}
		to := n.To.Name
		if n.To.Email != "" {
			to = fmt.Sprintf("%s <%s>", n.To.Name, n.To.Email)
		}
		if len(active) == 0 {
			switch {
			case len(already) > 0:
				fmt.Fprintf(&b, "=== already sent: %s, to %s (%s)\n\n", n.Subject, n.To.Name, strings.Join(already, ", "))
			default:
				fmt.Fprintf(&b, "=== not sent: %s, to %s: %s\n\n", n.Subject, n.To.Name, strings.Join(skipped, "; "))
			}
			continue
		}
		fmt.Fprintf(&b, "=== to %s by %s\n", to, strings.Join(active, ", "))
		if len(already) > 0 {
			fmt.Fprintf(&b, "    already sent by %s\n", strings.Join(already, ", "))
		}
		if len(skipped) > 0 {
			fmt.Fprintf(&b, "    not by %s\n", strings.Join(skipped, "; "))
		}
		fmt.Fprintf(&b, "Subject: %s\n", n.Subject)
		if n.ReplyTo != "" {
			fmt.Fprintf(&b, "Reply-To: %s\n", n.ReplyTo)
		}
		fmt.Fprintf(&b, "\n%s", n.Text())
		for _, a := range n.Attachments {
			fmt.Fprintf(&b, "[attached: %s, %s, %d bytes]\n", a.Name, a.ContentType, len(a.Data))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
