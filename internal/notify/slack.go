package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/maproom/maproom/internal/deal"
)

// Slack posts seller-facing notices to a Slack incoming webhook as Block
// Kit messages. It carries no buyer-facing notice: a buyer's text and link
// are for the buyer alone, never for a channel.
type Slack struct {
	// URL is the incoming webhook's address, itself the secret: it comes
	// from the environment and is never printed.
	URL    string
	Client *http.Client // nil: a client with a 15 s timeout
	Retry  Retry
}

// Name is "slack".
func (s *Slack) Name() string { return "slack" }

// Accepts takes seller-facing notices.
func (s *Slack) Accepts(n Notice) (bool, string) {
	if n.Audience != Seller {
		return false, "a buyer's message goes by email only"
	}
	return true, ""
}

// Send posts n, retrying as s.Retry says.
func (s *Slack) Send(ctx context.Context, n Notice) error {
	body, err := json.Marshal(SlackMessage(n))
	if err != nil {
		return err
	}
	// Slack keeps no key to drop a repeat by: a message it took and
	// answered late is not sent again, in this run or the next.
	err = post(ctx, s.Client, s.Retry, s.URL, body, nil, false)
	if _, late := errors.AsType[*lateAnswer](err); late && ctx.Err() == nil {
		return fmt.Errorf("%w: %v", ErrUnconfirmed, err)
	}
	return err
}

// SlackMessage is n as a Slack message: a plain-text fallback and Block Kit
// blocks (a header, the text, what to do, who it is for). Content is
// escaped for Slack's mrkdwn (&, <, >), so a name or title can neither
// mention a channel nor make a link.
func SlackMessage(n Notice) map[string]any {
	var blocks []map[string]any
	section := func(text string) {
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": clip(text, 3000)}})
	}
	blocks = append(blocks, map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": clip(icon(n)+n.Subject, 150)}})
	if len(n.Parts) > 0 {
		for _, p := range n.Parts {
			if len(blocks) >= 46 { // Slack takes at most 50 blocks
				section(fmt.Sprintf("... and %d more: run maproom notify -dry-run to see them all.", len(n.Parts)-len(blocks)+1))
				break
			}
			section(fmt.Sprintf("%s*%s*\n%s\n*What to do:* %s", icon(p), slackEscape(p.Subject), slackEscape(strings.Join(p.Body, "\n")), slackEscape(p.Do)))
		}
	} else {
		section(slackEscape(strings.Join(n.Body, "\n\n")))
		if n.Do != "" {
			section("*What to do:* " + slackEscape(n.Do))
		}
	}
	ctx := "For " + slackEscape(n.To.Name)
	if n.Deal != "" {
		ctx += " \u00b7 " + slackEscape(n.DealTitle)
	}
	blocks = append(blocks, map[string]any{"type": "context", "elements": []map[string]any{{"type": "mrkdwn", "text": clip(ctx, 3000)}}})
	return map[string]any{"text": clip(n.Subject, 3000), "blocks": blocks}
}

func icon(n Notice) string {
	switch {
	case n.Severity == deal.SeverityAlert:
		return "\U0001F534 " // red circle
	case n.Severity == deal.SeverityFlag:
		return "\U0001F7E0 " // orange circle
	case n.Kind == KindFirstVisit:
		return "\U0001F389 " // party popper
	}
	return ""
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "\u2026"
}
