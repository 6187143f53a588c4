package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/serve"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "preview the site with live reload (drafts shown)",
		usage:   "kiji serve [--host 127.0.0.1] [--port 8000] [--poll] [--source DIR] [--config FILE] [--base-url URL] [--cache-dir DIR] [--offline] [--zenn-strict]",
		run:     runServe,
	})
}

func runServe(ctx context.Context, e *env, args []string) error {
	c := commands["serve"]
	fs := newFlagSet(c, e)
	var bf buildFlags
	var host string
	var port int
	var poll bool
	fs.StringVar(&bf.source, "source", "", "the content `folder` (articles/, books/, images/, static/); default content/, or this folder when it has articles/ or books/ and no content/ (a Zenn repository)")
	fs.StringVar(&bf.config, "config", "kiji.yaml", "the config `file` (optional)")
	fs.StringVar(&bf.baseURL, "base-url", "", "the `URL` the site is built for (overrides kiji.yaml); its path is served, e.g. /repo/")
	fs.StringVar(&bf.cacheDir, "cache-dir", ".kiji-cache", "the build cache `folder`; the preview is built into its serve/ folder")
	fs.BoolVar(&bf.offline, "offline", false, "never fetch link-card data from the network")
	fs.BoolVar(&bf.zennStrict, "zenn-strict", false, "report Zenn's platform rules as zenn-cli does (errors where it blocks), not as warnings")
	fs.StringVar(&host, "host", "127.0.0.1", "the `address` to listen on; anything but a loopback address exposes the preview to other machines")
	fs.IntVar(&port, "port", 8000, "the `port` to listen on (0: any free port)")
	fs.BoolVar(&poll, "poll", false, "look for changes every 500ms instead of waiting for file system events (for network or container file systems)")
	if err := parseFlags(fs, c, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q; use --source DIR to preview another folder", fs.Args())
	}
	if port < 0 || port > 65535 {
		return usagef("--port %d is not a port number; use 1–65535 (or 0 for any free port)", port)
	}
	if bf.baseURL != "" {
		if _, err := build.ParseBaseURL(bf.baseURL); err != nil {
			return usageError{err}
		}
	}
	var lastProblems []diag.Problem // printed after the previous build
	bo := bf.options()
	bo.Dest = filepath.Join(bf.cacheDir, "serve") // never public/
	bo.Dev = true
	opts := serve.Options{
		Build: bo,
		Addr:  net.JoinHostPort(host, strconv.Itoa(port)),
		OnListen: func(url string) {
			fmt.Fprintf(e.stderr, "Serving %s (drafts shown; Ctrl-C to stop)\n", url)
			if ip := net.ParseIP(host); (ip == nil && host != "localhost") || (ip != nil && !ip.IsLoopback()) {
				fmt.Fprintf(e.stderr, "warning: listening on %s: other machines can see the preview\n", host)
			}
		},
		OnBuild: func(ev serve.BuildEvent) { printServeBuild(e, ev, &lastProblems, bo.Root) },
		OnWatchError: func(err error) {
			fmt.Fprintf(e.stderr, "warning: watching the files: %v (if changes are missed, restart with --poll)\n", err)
		},
	}
	if poll {
		opts.Poll = 500 * time.Millisecond
	}
	err := serve.Run(ctx, opts)
	if errors.Is(err, serve.ErrPortInUse) {
		return withHint(err, fmt.Sprintf("kiji serve --port %d", port+1))
	}
	if err != nil {
		return withHint(err, "kiji serve --help")
	}
	return nil
}

// describe names the changed files briefly, relative to root.
func describe(paths []string, root string) string {
	abs, _ := filepath.Abs(root)
	var names []string
	for i, p := range paths {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(paths)-3))
			break
		}
		if r, err := filepath.Rel(abs, p); err == nil && !strings.HasPrefix(r, "..") {
			p = r
		}
		names = append(names, filepath.ToSlash(p))
	}
	return strings.Join(names, ", ")
}

// printServeBuild prints one build of the dev server: its problems (when
// they changed, or the build failed) and a summary line.
func printServeBuild(e *env, ev serve.BuildEvent, lastProblems *[]diag.Problem, root string) {
	if ev.Report == nil {
		ev.Report = &build.Report{}
	}
	// The same warnings after every save would bury the news.
	if ev.Err != nil || !slices.Equal(ev.Report.Problems, *lastProblems) {
		printProblems(e, ev.Report.Problems)
	}
	*lastProblems = ev.Report.Problems
	if ev.Err != nil && !ev.Report.Published {
		if _, ok := diag.AsErrors(ev.Err); !ok {
			fmt.Fprintf(e.stderr, "Error: %v\n", ev.Err)
		}
		fmt.Fprintln(e.stderr, "The build failed: the browser shows the problems; the last good pages are still served.")
		return
	}
	line := ev.Report.Summary()
	if ev.Trigger != nil {
		line = fmt.Sprintf("%s changed: %s", describe(ev.Trigger, root), line)
	}
	if ev.Action != "none" && !ev.First {
		line += "; pages " + map[string]string{"reload": "reloaded", "css": "restyled in place"}[ev.Action]
	}
	if ev.Err != nil {
		line += "; the browser shows the errors (every page that could be built is served)"
	}
	fmt.Fprintln(e.stderr, line)
}
