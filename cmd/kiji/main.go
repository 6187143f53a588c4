// Command kiji builds a folder of Zenn-style Markdown articles into a static
// site, previews it with live reload, and deploys it.
//
// Usage:
//
//	kiji build   [flags]   build content/ into public/
//	kiji serve   [flags]   preview with live reload
//	kiji deploy  [flags] s3://bucket/prefix
//	kiji new     article|book [slug]
//	kiji version
//	kiji help [command]
//
// Only this package prints. Every other package returns errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/diag"
)

// version is set at release time with -ldflags "-X main.version=…";
// without it, build.Version comes from the binary's build info.
var version = ""

// A command is one subcommand; each lives in its own file.
type command struct {
	name    string
	summary string
	usage   string // first usage line, e.g. "kiji build [flags]"
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may use to talk to the world.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	getenv         func(string) string
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is an error in how kiji was called: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// hintError carries a "Try:" hint printed by main under the error.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return hintError{err, hint}
}

func main() {
	if version != "" {
		build.Version = version
	}
	ctx, stop := withSignals(os.Stderr)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// interrupted is why a command's context was cancelled: a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "stopped by " + sigName(i.sig) }

func sigName(s syscall.Signal) string {
	if s == syscall.SIGINT {
		return "Ctrl-C (SIGINT)"
	}
	return "SIGTERM"
}

// withSignals returns a context that the first SIGINT or SIGTERM cancels
// (its cause an interrupted): every long step of kiji stops within a
// second and the output stays as it was. A second signal ends kiji at
// once, with status 128+signal. stop stops listening.
func withSignals(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		var s os.Signal
		select {
		case s = <-ch:
		case <-done:
			return
		}
		sig, _ := s.(syscall.Signal)
		fmt.Fprintf(stderr, "kiji: %s: stopping; send it again to stop at once\n", sigName(sig))
		cancel(interrupted{sig})
		select {
		case s = <-ch:
			sig, _ = s.(syscall.Signal)
			fmt.Fprintf(stderr, "kiji: %s again: stopped at once\n", sigName(sig))
			os.Exit(128 + int(sig))
		case <-done:
		}
	}()
	return ctx, func() { signal.Stop(ch); close(done); cancel(nil) }
}

// run executes kiji with args and returns the exit status:
// 0 success, 1 content errors (or a failed operation), 2 usage errors.
func run(ctx context.Context, e *env, args []string) int {
	err := dispatch(ctx, e, args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var intr interrupted
	if errors.As(context.Cause(ctx), &intr) && ctx.Err() != nil {
		// Stopped by a signal: the command's error says what was left.
		fmt.Fprintf(e.stderr, "Error: %v\n", err)
		return 128 + int(intr.sig)
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "Error: %v\n", err)
		fmt.Fprintln(e.stderr, "Try: kiji help")
		return 2
	}
	if probs, ok := diag.AsErrors(err); ok {
		// The problems themselves were printed by the command as they were
		// found; main prints only the closing line.
		_ = probs
		fmt.Fprintf(e.stderr, "Error: the build failed; fix the problems listed above (path:line:col) and run it again\n")
		return 1
	}
	fmt.Fprintf(e.stderr, "Error: %v\n", err)
	var he hintError
	if errors.As(err, &he) && he.hint != "" {
		fmt.Fprintf(e.stderr, "Try: %s\n", he.hint)
	}
	return 1
}

func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printHelp(e.stdout)
		return nil
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printHelp(e.stdout)
		return nil
	case "-v", "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		return usagef("unknown command %q", name)
	}
	return c.run(ctx, e, args[1:])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "kiji builds Zenn-style Markdown articles into a static site.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'kiji help COMMAND' or 'kiji COMMAND --help' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors as usage errors and
// prints its help to stdout.
func newFlagSet(c *command, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args; -h prints the command's help and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, c *command, e *env, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(e.stdout, c, fs)
		return flag.ErrHelp
	}
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", c.name, err)}
	}
	return nil
}

func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.usage, c.summary)
	if fs == nil {
		return
	}
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

func init() {
	register(&command{
		name:    "help",
		summary: "show help for kiji or one of its commands",
		usage:   "kiji help [command]",
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) == 0 {
				printHelp(e.stdout)
				return nil
			}
			c, ok := commands[args[0]]
			if !ok {
				return usagef("unknown command %q", args[0])
			}
			return c.run(ctx, e, []string{"--help"})
		},
	})
	register(&command{
		name:    "version",
		summary: "print kiji's version",
		usage:   "kiji version",
		run: func(ctx context.Context, e *env, args []string) error {
			// The build ID keys the caches along with the version: it
			// tells apart two builds of one version (a modified tree).
			fmt.Fprintf(e.stdout, "kiji %s (%s %s/%s; build ID %s)\n", build.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, build.ExecutableID())
			return nil
		},
	})
}
