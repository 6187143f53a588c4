package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/kiji-ssg/kiji/site/deploy"
)

func init() {
	register(&command{
		name:    "deploy",
		summary: "upload the built site to S3 (or an S3-compatible server) and invalidate CloudFront",
		usage:   "kiji deploy [flags] s3://bucket[/prefix]",
		run:     runDeploy,
	})
}

type deployFlags struct {
	dir, region, endpoint, distribution, cfPathPrefix string
	maxDeletes, concurrency                           int
	dryRun, yes, gzip, printFunction                  bool
}

func runDeploy(ctx context.Context, e *env, args []string) error {
	c := commands["deploy"]
	fs := newFlagSet(c, e)
	var f deployFlags
	fs.StringVar(&f.dir, "dir", "public", "the built site `folder` to upload")
	fs.StringVar(&f.region, "region", "", "the bucket's AWS `region` (default: AWS_REGION or the shared config)")
	fs.StringVar(&f.endpoint, "endpoint", "", "`URL` of an S3-compatible server (MinIO, R2, …), addressed path-style")
	fs.BoolVar(&f.dryRun, "dry-run", false, "show what would be uploaded and deleted, change nothing")
	fs.IntVar(&f.maxDeletes, "max-deletes", 100, "stop before deleting more than `N` objects (-1: no limit)")
	fs.IntVar(&f.concurrency, "concurrency", 8, "`N` requests at once")
	fs.StringVar(&f.distribution, "cloudfront-distribution", "", "CloudFront distribution `ID` whose cache to invalidate for changed files")
	fs.StringVar(&f.cfPathPrefix, "cloudfront-path-prefix", "", "URL `path` under which the distribution serves the prefix (default: the site is at its root)")
	fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation (needed when standard input is not a terminal)")
	fs.BoolVar(&f.gzip, "gzip", false, "store text files gzip-compressed (Content-Encoding: gzip)")
	fs.BoolVar(&f.printFunction, "print-cloudfront-function", false, "print the CloudFront Function that serves /dir/ from /dir/index.html, and exit")
	if err := parseFlags(fs, c, e, args); err != nil {
		return err
	}
	// Allow flags after the target too: kiji deploy s3://b/p --dry-run.
	rest := fs.Args()
	var targets []string
	for len(rest) > 0 {
		targets = append(targets, rest[0])
		if err := parseFlags(fs, c, e, rest[1:]); err != nil {
			return err
		}
		rest = fs.Args()
	}
	if f.printFunction {
		fmt.Fprint(e.stdout, deploy.CloudFrontFunction)
		return nil
	}
	if len(targets) != 1 {
		return usagef("deploy needs one target, s3://bucket or s3://bucket/prefix; got %d arguments", len(targets))
	}
	target, err := deploy.ParseTarget(targets[0])
	if err != nil {
		return usageError{err}
	}
	if f.concurrency < 1 {
		return usagef("--concurrency must be at least 1, got %d", f.concurrency)
	}
	if !f.yes && !f.dryRun && !isTerminal(e.stdin) {
		return withHint(errors.New("deploy asks for confirmation before changing the bucket, but standard input is not a terminal"),
			"pass --yes to deploy without asking, or --dry-run to only see the plan")
	}
	return deploySite(ctx, e, f, target)
}

// deploySite plans the deploy of f.dir to target, shows or confirms the
// plan, applies it and invalidates CloudFront.
func deploySite(ctx context.Context, e *env, f deployFlags, target deploy.Target) error {
	client, local, online, err := survey(ctx, f, target)
	if err != nil {
		return err
	}
	changes, planErr := deploy.Plan(local, online.Objects, deploy.PlanOptions{Prefix: target.Prefix, MaxDeletes: f.maxDeletes, State: online.State})
	if planErr != nil && !errors.Is(planErr, deploy.ErrTooManyDeletes) {
		return withHint(planErr, deploy.Hint(planErr))
	}
	paths := deploy.InvalidationPaths(changes.ChangedPaths(), f.cfPathPrefix, deploy.DefaultInvalidationLimit)
	if f.dryRun || planErr != nil {
		printPlan(e.stdout, target, changes, f.distribution, paths, f.dryRun)
		if planErr != nil {
			return withHint(planErr, deploy.Hint(planErr))
		}
		fmt.Fprintln(e.stdout, "dry run: nothing was changed")
		return nil
	}
	if changes.Empty() {
		// Nothing to upload; Apply only records the deploy state if it
		// was missing or out of date.
		if err := client.Apply(ctx, target, changes, deploy.ApplyOptions{}); err != nil {
			return withHint(err, deploy.Hint(err))
		}
		fmt.Fprintf(e.stdout, "%s is up to date (%d files)\n", target, changes.Unchanged)
		return nil
	}
	if !f.yes {
		printPlan(e.stdout, target, changes, f.distribution, paths, true)
		ok, err := confirm(e, fmt.Sprintf("Upload %d and delete %d objects in %s? [y/N] ", len(changes.Uploads), len(changes.Deletes), target))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(e.stderr, "deploy cancelled: nothing was changed")
			return nil
		}
	}
	err = client.Apply(ctx, target, changes, deploy.ApplyOptions{Concurrency: f.concurrency, Progress: progress(e)})
	if err != nil {
		return withHint(err, deploy.Hint(err))
	}
	fmt.Fprintf(e.stdout, "deployed to %s: %d uploaded, %d deleted, %d unchanged\n", target, len(changes.Uploads), len(changes.Deletes), changes.Unchanged)
	return invalidate(ctx, e, client, f.distribution, paths)
}

// survey finds the site's files, then reads them while it lists what is
// online; then it reads the headers that the listing and the deploy state
// do not give. A problem with the site folder is reported first.
func survey(ctx context.Context, f deployFlags, target deploy.Target) (*deploy.Client, []deploy.LocalFile, deploy.Online, error) {
	paths, err := deploy.Paths(f.dir)
	if err != nil {
		return nil, nil, deploy.Online{}, withHint(err, "kiji build")
	}
	var (
		local   []deploy.LocalFile
		readErr error
		wg      sync.WaitGroup
		online  deploy.Online
	)
	wg.Go(func() { local, readErr = deploy.Describe(f.dir, paths, deploy.WalkOptions{Gzip: f.gzip}) })
	client, err := deploy.NewClient(ctx, deploy.ClientOptions{Region: f.region, Endpoint: f.endpoint})
	if err == nil {
		online, err = client.List(ctx, target, paths)
	}
	wg.Wait()
	if readErr != nil {
		return nil, nil, online, withHint(readErr, "kiji build")
	}
	if err == nil {
		err = client.ReadHeaders(ctx, target, &online, local, f.concurrency)
	}
	if err != nil {
		return nil, nil, online, withHint(err, deploy.Hint(err))
	}
	return client, local, online, nil
}

// progress prints each finished upload and delete.
func progress(e *env) func(deploy.Event) {
	return func(ev deploy.Event) {
		switch {
		case ev.Err != nil:
			// The error itself is returned by Apply.
		case ev.Upload != nil:
			fmt.Fprintf(e.stderr, "[%d/%d] uploaded %s (%s)\n", ev.Done, ev.Total, ev.Upload.Key, ev.Upload.Why())
		case ev.Delete != nil:
			fmt.Fprintf(e.stderr, "[%d/%d] deleted %s\n", ev.Done, ev.Total, ev.Delete.Key)
		}
	}
}

// invalidate asks CloudFront to drop paths from distribution's cache.
func invalidate(ctx context.Context, e *env, client *deploy.Client, distribution string, paths []string) error {
	if distribution == "" {
		return nil
	}
	if len(paths) == 0 {
		fmt.Fprintln(e.stdout, "CloudFront: no cached file changed, nothing to invalidate")
		return nil
	}
	id, err := client.Invalidate(ctx, distribution, paths)
	if err != nil {
		return withHint(err, deploy.Hint(err))
	}
	fmt.Fprintf(e.stdout, "CloudFront: invalidation %s started for %s\n", id, describePaths(paths))
	return nil
}

// printPlan lists every upload (with its reason) and delete. full=false
// (the plan failed) shows only the first deletes.
func printPlan(w io.Writer, t deploy.Target, cs deploy.Changeset, distribution string, paths []string, full bool) {
	fmt.Fprintf(w, "plan for %s: %d to upload, %d to delete, %d unchanged\n", t, len(cs.Uploads), len(cs.Deletes), cs.Unchanged)
	for _, u := range cs.Uploads {
		fmt.Fprintf(w, "  upload %s (%s)\n", u.Key, u.Why())
	}
	for i, d := range cs.Deletes {
		if !full && i == 10 {
			fmt.Fprintf(w, "  … and %d more deletes (kiji deploy --dry-run lists them all)\n", len(cs.Deletes)-i)
			break
		}
		fmt.Fprintf(w, "  delete %s\n", d.Key)
	}
	if distribution != "" && len(paths) > 0 {
		fmt.Fprintf(w, "  invalidate on CloudFront %s: %s\n", distribution, describePaths(paths))
	}
}

func describePaths(paths []string) string {
	if len(paths) == 1 {
		return "1 path (" + paths[0] + ")"
	}
	if len(paths) <= 5 {
		return fmt.Sprintf("%d paths (%s)", len(paths), strings.Join(paths, " "))
	}
	return fmt.Sprintf("%d paths (%s …)", len(paths), strings.Join(paths[:5], " "))
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func confirm(e *env, question string) (bool, error) {
	fmt.Fprint(e.stderr, question)
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("reading the answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
