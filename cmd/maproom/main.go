// Command maproom builds private per-stakeholder deal rooms from Markdown
// mutual action plans, serves them with a live preview, records views with a
// tiny beacon and reports on the deals.
//
// Usage: maproom <command> [flags]. Run "maproom help" for the commands.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env is what a subcommand may touch of the outside world. Tests build one
// with a fixed clock and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger
	// helpOut, when set, is where a command's usage goes: stdout for
	// maproom help <command>, else stderr.
	helpOut io.Writer
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

// errFailed marks a run that already reported its problems (a check with
// errors, say): exit status 1 with nothing more printed.
var errFailed = errors.New("failed")

// exitCode turns run's error into the process exit status, printing it.
// It is the only place that decides exit codes.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFailed):
		return 1
	case errors.Is(err, errUsage):
		if msg := err.Error(); msg != errUsage.Error() {
			fmt.Fprintln(stderr, "maproom:", msg)
		}
		return 2
	default:
		fmt.Fprintln(stderr, "maproom:", err)
		return 1
	}
}

// run is the whole program behind main, with its I/O passed in.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: os.Getenv,
		now:    time.Now,
		rand:   rand.Reader,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	return e.run(ctx, args)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "build, serve and live-reload a local preview with the beacon", cmdServe},
		{"build", "check the plans and render every room into public/", cmdBuild},
		{"check", "check the plans: errors with file:line, plan-quality warnings", cmdCheck},
		{"new", "start a deal's plan from a template, scheduled backwards from the close date", cmdNew},
		{"report", "report progress, overdue work, engagement and warning signals", cmdReport},
		{"links", "print each stakeholder's private room link", cmdLinks},
		{"invite", "email each stakeholder their own room link and the review invite", cmdInvite},
		{"notify", "tell people what needs them: staged alerts to Slack, email and webhooks, once each", cmdNotify},
		{"review", "write the weekly 15-minute review's agenda of a deal as Markdown", cmdReview},
		{"handoff", "write the customer-success handoff of a deal: HTML, Markdown and JSON", cmdHandoff},
		{"replies", "list the replies buyers sent from their rooms, waiting for you", cmdReplies},
		{"accept", "apply replies to the plan and commit them, the buyer as author", cmdAccept},
		{"decline", "decline a reply, saying why; the buyer reads it in their room", cmdDecline},
		{"answer", "answer a buyer's question (or close any reply in words); they read it in their room", cmdAnswer},
		{"beacon", "run the beacon that records room visits", cmdBeacon},
		{"hostconfig", "print the nginx or Caddy configuration that serves the rooms with their headers", cmdHostconfig},
		{"events", "import, export and purge stored view events", cmdEvents},
		{"version", "print the version", cmdVersion},
		{"help", "show help for a command", nil},
	}
}

func (e *env) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		e.usage(e.stderr)
		return errUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 && args[1] != "help" { // help help: the overview
			if len(args) > 2 {
				return fmt.Errorf("%w: one command at a time: maproom help %s", errUsage, args[1])
			}
			for _, c := range commands() {
				if c.name == args[1] && c.run != nil {
					e.helpOut = e.stdout
					return c.run(ctx, e, []string{"-h"})
				}
			}
			return fmt.Errorf("%w: unknown command %q (see maproom help)", errUsage, args[1])
		}
		e.usage(e.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return c.run(ctx, e, args[1:])
		}
	}
	return fmt.Errorf("%w: unknown command %q (see maproom help)", errUsage, name)
}

func (e *env) usage(w io.Writer) {
	fmt.Fprint(w, "maproom builds private deal rooms from Markdown mutual action plans.\n\nUsage:\n  maproom <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun \"maproom help <command>\" for a command's flags.\n")
}
