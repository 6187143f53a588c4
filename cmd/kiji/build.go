package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/diag"
)

func init() {
	register(&command{
		name:    "build",
		summary: "build the content folder into a static site",
		usage:   "kiji build [--source DIR] [--dest DIR] [--base-url URL] [--drafts] [--config FILE] [--zenn-strict] [--on-broken=warn] [--quiet] [--timings]",
		run:     runBuild,
	})
}

// buildFlags are shared by build and serve.
type buildFlags struct {
	source, dest, baseURL, config, cacheDir string
	cpuProfile, onBroken                    string
	drafts, quiet, offline, zennStrict      bool
}

func (b *buildFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&b.source, "source", "", "the content `folder` (articles/, books/, images/, static/); default content/, or this folder when it has articles/ or books/ and no content/ (a Zenn repository)")
	fs.StringVar(&b.dest, "dest", "public", "the output `folder`")
	fs.StringVar(&b.baseURL, "base-url", "", "the `URL` the site is served at, e.g. https://user.github.io/repo/ (overrides kiji.yaml)")
	fs.StringVar(&b.config, "config", "kiji.yaml", "the config `file` (optional)")
	fs.StringVar(&b.cacheDir, "cache-dir", ".kiji-cache", "the build cache `folder`")
	fs.BoolVar(&b.drafts, "drafts", false, "include unpublished articles (published: false)")
	fs.BoolVar(&b.quiet, "quiet", false, "print only problems")
	fs.BoolVar(&b.offline, "offline", false, "never fetch link-card data from the network")
	fs.BoolVar(&b.zennStrict, "zenn-strict", false, "report Zenn's platform rules (topics, slug length, book price…) as zenn-cli does: errors where it blocks (default: warnings)")
	fs.StringVar(&b.cpuProfile, "cpuprofile", "", "write a CPU profile of the build to `file` (for go tool pprof)")
}

func (b *buildFlags) options() build.Options {
	root := filepath.Dir(b.config)
	return build.Options{
		Root:       root,
		Source:     b.source,
		Dest:       b.dest,
		Config:     b.config,
		BaseURL:    b.baseURL,
		Drafts:     b.drafts,
		Offline:    b.offline,
		CacheDir:   b.cacheDir,
		ZennStrict: b.zennStrict,
		OnBroken:   b.onBroken,
	}
}

func runBuild(ctx context.Context, e *env, args []string) error {
	c := commands["build"]
	fs := newFlagSet(c, e)
	var bf buildFlags
	bf.register(fs)
	timings := fs.Bool("timings", false, "print how long each step of the build took")
	fs.StringVar(&bf.onBroken, "on-broken", "", "`mode` for a broken link, image or anchor, or unreadable front matter: error (fail the build, the default) or warn (publish anyway, listing them as warnings); overrides on_broken in kiji.yaml")
	memProfile := fs.String("memprofile", "", "write a memory profile of the build to `file` (for go tool pprof: -sample_index=alloc_space for what the build allocated)")
	if err := parseFlags(fs, c, e, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("build takes no arguments, got %q; use --source DIR to build another folder", fs.Args())
	}
	opts := bf.options()
	if opts.OnBroken != "" && opts.OnBroken != build.OnBrokenError && opts.OnBroken != build.OnBrokenWarn {
		return usagef("--on-broken=%s: write error (fail the build) or warn (publish anyway)", opts.OnBroken)
	}
	if opts.BaseURL != "" {
		if _, err := build.ParseBaseURL(opts.BaseURL); err != nil {
			return usageError{err}
		}
	}
	if bf.cpuProfile != "" {
		stop, err := startCPUProfile(bf.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep, err := build.Build(ctx, opts)
	if *memProfile != "" {
		if perr := writeMemProfile(*memProfile); perr != nil && err == nil {
			return perr
		}
	}
	if err != nil && ctx.Err() != nil {
		// Stopped by a signal: what it found so far is not worth printing.
		return fmt.Errorf("the build was %v before it finished; %s was left as it was", context.Cause(ctx), opts.Dest)
	}
	if rep != nil {
		printReport(e, rep, err, bf.quiet, *timings)
	}
	if err != nil {
		if _, ok := diag.AsErrors(err); ok {
			return err
		}
		if errors.Is(err, build.ErrFolders) {
			return usageError{err}
		}
		return withHint(err, "kiji build --help")
	}
	return nil
}

// startCPUProfile starts writing a CPU profile to file; stop ends it.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("creating the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// printReport prints the build's problems, its summary (unless quiet and
// without errors, or after an error other than the content's: nothing was
// built and the error says why) and, asked for, its timings.
func printReport(e *env, rep *build.Report, err error, quiet, timings bool) {
	_, contentErr := diag.AsErrors(err)
	printProblems(e, rep.Problems)
	if (!quiet || rep.Errors > 0) && (err == nil || contentErr) {
		fmt.Fprintln(e.stderr, rep.Summary())
	}
	if timings {
		for _, s := range rep.Steps {
			fmt.Fprintf(e.stderr, "%8.3fs  %s\n", s.Duration.Seconds(), s.Name)
		}
		fmt.Fprintf(e.stderr, "%d articles and chapters converted, the others taken from the cache\n", rep.Converted)
	}
}

func writeMemProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("creating the memory profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("writing the memory profile: %w", err)
	}
	return f.Close()
}

func printProblems(e *env, ps []diag.Problem) {
	for _, p := range ps {
		fmt.Fprintln(e.stderr, p.Error())
	}
}
