package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/maproom/maproom/generator"
	"github.com/maproom/maproom/internal/notify"
)

// notifyStorePath is the record of what was sent, under the site's
// private folder.
func notifyStorePath(root string) string {
	return filepath.Join(root, ".maproom", filepath.FromSlash(notify.StoreFile))
}

// channelSet is the channels maproom.toml turns on, and what is wrong with
// each that cannot work (a secret missing from the environment).
type channelSet struct {
	channels []notify.Channel
	// broken says, per channel name, why a real run cannot send on it.
	broken map[string]string
}

// notifyChannels builds the channels [notify] turns on. A channel whose
// secret is missing is left out and named in broken: the other channels
// still send, and the run ends non-zero. emailOnly leaves Slack and
// webhooks out (invitations go by email only).
func (e *env) notifyChannels(cfg *generator.Config, emailOnly bool) channelSet {
	n := cfg.Notify
	cs := channelSet{broken: map[string]string{}}
	secret := func(channel, key, name string) (string, bool) {
		v := e.getenv(name)
		if v == "" {
			cs.broken[channel] = fmt.Sprintf("[notify] %s names %s, which is not set in the environment: set it (never in maproom.toml)", key, name)
			return "", false
		}
		return v, true
	}
	if n.SMTPHost != "" {
		em := &notify.Email{Host: n.SMTPHost, Port: n.SMTPPort, From: n.From, Now: e.now}
		ok := true
		if n.SMTPUsernameEnv != "" {
			var uok, pok bool
			em.Username, uok = secret("email", "smtp_username_env", n.SMTPUsernameEnv)
			em.Password, pok = secret("email", "smtp_password_env", n.SMTPPasswordEnv)
			ok = uok && pok
		}
		if ok {
			cs.channels = append(cs.channels, em)
		}
	}
	if emailOnly {
		return cs
	}
	if n.SlackWebhookEnv != "" {
		if u, ok := secret("slack", "slack_webhook_env", n.SlackWebhookEnv); ok {
			cs.channels = append(cs.channels, &notify.Slack{URL: u, Retry: notify.DefaultRetry})
		}
	}
	if n.WebhookURL != "" {
		if s, ok := secret("webhook", "webhook_secret_env", n.WebhookSecretEnv); ok {
			cs.channels = append(cs.channels, &notify.Webhook{URL: n.WebhookURL, Secret: []byte(s), Retry: notify.DefaultRetry, Now: e.now})
		}
	}
	return cs
}

// dryChannels are the channels a dry run shows: every channel [notify]
// turns on, secrets or not (nothing is sent), so the preview says which
// would carry each message.
func dryChannels(cfg *generator.Config, emailOnly bool) []notify.Channel {
	n := cfg.Notify
	var chans []notify.Channel
	if n.SMTPHost != "" {
		chans = append(chans, &notify.Email{Host: n.SMTPHost, From: n.From})
	}
	if emailOnly {
		return chans
	}
	if n.SlackWebhookEnv != "" {
		chans = append(chans, &notify.Slack{})
	}
	if n.WebhookURL != "" {
		chans = append(chans, &notify.Webhook{})
	}
	return chans
}

// reportBroken writes why each broken channel cannot send.
func (cs channelSet) reportBroken(w io.Writer, what string) {
	for _, name := range []string{"email", "slack", "webhook"} {
		if why, ok := cs.broken[name]; ok {
			fmt.Fprintf(w, "maproom: %s: %s; %s by the other channels\n", name, why, what)
		}
	}
}

// printNotes writes what could not be told.
func printNotes(w io.Writer, notes []notify.Note) {
	for _, n := range notes {
		fmt.Fprintf(w, "maproom: %s: %s\n", n.Deal, n.Text)
	}
}
