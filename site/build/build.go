// Package build runs kiji's pipeline: it reads a content folder and writes
// the static site.
//
// The pipeline is a list of steps (see Build):
//
//  1. read kiji.yaml
//  2. read the content folder (articles, books, images) and validate it;
//     date the articles without published_at from git, in one pass (dates.go)
//  3. load the theme (the embedded default, overridden by themes/NAME/)
//  4. convert and render every article, in parallel
//  5. render the lists (home, topics, books, archive: paginated, see
//     lists.go), 404; write the feeds, sitemap and robots.txt (package
//     feeds); draw the sharing images (articles/SLUG/og.png, package
//     ogimage, cached in ogcache.go)
//  6. copy images and theme assets
//  7. check every internal link, anchor and image of the output
//  8. swap the new output in place of the old one
//
// After step 1, a one-off build asks the stat journal whether anything
// changed since the last build (journal.go); if nothing did, it stops
// there with that build's report. If something did, the journal still
// spares it what did not: the articles whose files did not change are
// taken as last read (journal_content.go), the output folder as last
// left is not walked (journal_outputs.go), and only the links of the
// pages that changed are checked (linkdelta.go).
//
// Formulas that run out of KaTeX's time may cost a build a minute at most
// (see package math); when ctx is done, every step stops within a second
// and nothing is committed.
//
// Every problem of a run is collected; if any is an error, step 9 never
// happens and the previous output stays as it was (unless on_broken: warn
// or a dev build says otherwise, see broken.go). Nothing is ever written
// outside the output folder. Links between pages are read as on zenn.dev
// before each page is converted (zennlinks.go), and a broken one names
// what its author most likely meant (suggest.go).
package build

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	defaulttheme "github.com/kiji-ssg/kiji/themes/default"

	"github.com/kiji-ssg/kiji/site/content"
	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown"
	"github.com/kiji-ssg/kiji/site/markdown/math"
	"github.com/kiji-ssg/kiji/site/render"
	"github.com/kiji-ssg/kiji/site/search"
	"github.com/kiji-ssg/kiji/site/userfile"
	"github.com/kiji-ssg/kiji/site/zennlink"
)

// Options say what to build.
type Options struct {
	// Root is the project folder: kiji.yaml and themes/ are read from it.
	Root string
	// Source is the content folder (default Root/content).
	Source string
	// Dest is the output folder (default Root/public).
	Dest string
	// Config is the config file (default Root/kiji.yaml; may be missing).
	Config string
	// BaseURL overrides base_url from kiji.yaml.
	BaseURL string
	// Drafts includes unpublished articles (marked as drafts).
	Drafts bool
	// Offline never fetches link-card metadata from the network.
	Offline bool
	// CacheDir holds build caches (default Root/.kiji-cache).
	CacheDir string
	// Now is the build time (for scheduled articles); zero: time.Now().
	Now time.Time
	// Workers is the number of parallel workers (default GOMAXPROCS).
	Workers int
	// Dev marks a dev-server build (drafts shown and marked). A dev build
	// puts its output in place even when the content has errors (they
	// stay errors): the preview shows every page it can.
	Dev bool
	// ZennStrict turns zenn_strict on (see Config.ZennStrict).
	ZennStrict bool
	// OnBroken overrides on_broken from kiji.yaml ("error" or "warn").
	OnBroken string
	// NoGit never asks git for dates: articles without published_at are
	// dated by their files (for a content folder inside a repository
	// whose history is not its own, such as a test fixture).
	NoGit bool
}

// Report summarizes a build.
type Report struct {
	Articles, Topics, Books, Pages, Images int
	Warnings, Errors                       int
	Written, Unchanged                     int // output files written, left as they were
	// Converted counts the articles and chapters converted from Markdown
	// (the others came from the build cache).
	Converted int
	// Parsed counts the article files read and parsed; a one-off build
	// takes the others from the content snapshot (journal_content.go).
	Parsed int
	// Changed lists the output files this build wrote or removed (paths
	// relative to Dest, sorted), for the dev server's live reload.
	Changed  []string
	Problems []diag.Problem
	Duration time.Duration
	Dest     string
	// Published reports whether the output was put in place: always when
	// there is no error; with errors, for a dev build (see Options.Dev).
	Published bool
	// Publishable counts the errors on_broken: warn would publish anyway.
	Publishable int
	// PageOf maps each article's, chapter's and book's file (as in
	// Problem.File) to its page's URL path under the base path
	// ("articles/x/"), for the files that have problems; filled for a
	// dev build, whose overlay shows a page's problems on that page.
	PageOf map[string]string
	// Steps is how long each step of the pipeline took, in order (the
	// last one, "commit", puts the output in place).
	Steps []StepTime
}

// StepTime is the wall time of one step of the pipeline.
type StepTime struct {
	Name     string
	Duration time.Duration
}

// Summary is the one line a build ends with.
func (r *Report) Summary() string {
	if r.Errors > 0 && !r.Published {
		s := fmt.Sprintf("not built: %d errors, %d warnings in %d articles and %d books; %s was left as it was (%.2fs)",
			r.Errors, r.Warnings, r.Articles, r.Books, r.Dest, r.Duration.Seconds())
		if r.Publishable > 0 {
			s += "; to publish anyway with them as warnings, set on_broken: warn in kiji.yaml (or pass --on-broken=warn)"
		}
		return s
	}
	return fmt.Sprintf("built %d articles, %d topics, %d books, %d pages, %d images (%d files written, %d unchanged); %d warnings, %d errors in %.2fs",
		r.Articles, r.Topics, r.Books, r.Pages, r.Images, r.Written, r.Unchanged, r.Warnings, r.Errors, r.Duration.Seconds())
}

// run is the state of one build, shared by the steps.
type run struct {
	ctx   context.Context
	opts  Options
	probs *diag.List

	cfg            Config
	cfgRaw         []byte
	base           basePaths
	srcFS          fs.FS
	site           *content.Site
	theme          *render.Theme
	conv           *markdown.Converter
	images         *imageInfo
	out            *output
	pages          *linkIndex
	zlinks         *zennlink.Index // the pages links can name, as on zenn.dev
	pagesKey       string          // their hash
	report         *Report
	extras         extras
	articleResults []articleResult
	extraFiles     []extraFile
	lists          map[string]listInfo // list pages by output path, for the sitemap
	search         *search.Index       // nil when search is off
	searchDone     chan error          // the index being written (search.go)
	linkTargets    map[string]bool     // output files links point to (linkdelta.go)
	words          summaryWords        // what summaries share, made once (pages.go)

	globalKey          string                       // hash of what every page depends on (config, theme, images)
	oldState, newState *state                       // the cache as the last build left it, and as this one leaves it
	summaryKeys        map[*render.Summary][32]byte // lists share summaries: hash each once
	stateLoaded        chan *state                  // the cache, read in the background
	stateMu            sync.Mutex                   // guards newState, report.Pages, entrySlab and templateFiles
	entrySlab          slab[articleEntry]           // the entries of the pages rendered (writeDocPage)
	templateFiles      map[string]string            // templateFile's names, made once

	start   time.Time   // when the build began
	b       *Builder    // the Builder running this build; nil for Build
	journal *journalRun // what the next build compares (journal.go)

	converted atomic.Int64 // articles and chapters converted (Report.Converted)
}

// step is one stage of the pipeline.
type step struct {
	name string
	run  func(*run) error
}

// Build builds the site. It returns a report, and an error that is a
// *diag.Errors when the content has problems (the problems are also in the
// report).
func Build(ctx context.Context, opts Options) (*Report, error) {
	return build(ctx, opts, nil)
}

// pipeline is the build, step by step, in order (see the package doc).
func pipeline() []step {
	return []step{
		{"read kiji.yaml", (*run).readConfig},
		{"read content", (*run).readContent},
		{"load theme", (*run).loadTheme},
		{"prepare output", (*run).prepareOutput},
		{"render articles", (*run).renderArticles},
		{"render books", (*run).renderBooks},
		{"report link cards", (*run).reportCards},
		{"render lists", (*run).renderLists},
		{"write feeds", (*run).writeFeeds},
		{"draw sharing images", (*run).renderFeeds},
		{"write search index", (*run).startSearch}, // in the background, while files are copied
		{"copy files", (*run).copyFiles},
		{"finish search index", (*run).waitSearch},
		{"check links", (*run).checkLinks},
	}
}

// build runs the pipeline; b, when not nil, is the Builder that keeps
// state from build to build (see builder.go).
func build(ctx context.Context, opts Options, b *Builder) (*Report, error) {
	start := time.Now()
	r := &run{ctx: math.WithBuildBudget(ctx, math.DefaultBuildLost), opts: withDefaults(opts), probs: &diag.List{}, report: &Report{}, b: b, start: start}
	r.report.Dest = r.opts.Dest
	steps := pipeline()
	err := r.runSteps(steps[:1])
	if err == nil && r.upToDate() {
		return r.nothingToDo(start), nil // journal.go
	}
	defer r.collectLessOften()()
	if b == nil {
		r.startLoadingState()
	}
	if err == nil {
		err = r.runSteps(steps[1:4])
	}
	if err == nil && b.showsFirst(r) {
		err = r.runSteps(showFirst(steps[4:]))
		if err == nil {
			err = r.showPages()
		}
	} else if err == nil {
		err = r.runSteps(steps[4:])
	}
	if r.search != nil {
		r.waitSearch()
		r.search.Close() // what a failed build spilled
	}
	var contentErr error // of a dev build, which publishes anyway
	if err == nil {
		r.applyOnBroken()
		err = cmp.Or(r.probs.Err(), r.ctx.Err()) // stopped: no commit (once begun, one is finished)
		if err != nil && r.opts.Dev && r.ctx.Err() == nil {
			contentErr, err = err, nil
		}
	}
	if err == nil {
		err = r.commitOutput()
	}
	if err == nil {
		r.report.Published = true
		err = contentErr
	}
	if r.report.Published && r.b != nil {
		r.b.keep(r)
	}
	if err != nil && r.out != nil {
		r.out.abort()
	}
	r.fillReport(start)
	r.writeJournal(err)
	if err != nil {
		if _, ok := diag.AsErrors(err); !ok && r.report.Errors > 0 {
			// A step failed after content problems were found: report both.
			return r.report, fmt.Errorf("%w (and %d content errors)", err, r.report.Errors)
		}
		return r.report, err
	}
	return r.report, nil
}

// rebuildGCPercent is the garbage collector's GOGC for a one-off build
// that the journal finds at most fewChanged sources changed for. Most of
// its heap is the caches it reads, which live to its end: collecting as
// the heap doubles from 4 MB (GOGC 100) costs it a seventh of its CPU
// time at 10,000 articles, and four times the room costs it 10 MB more.
// A build that changes more keeps GOGC 100: its heap is a cold build's.
const (
	rebuildGCPercent = 400
	fewChanged       = 64
)

// collectLessOften sets rebuildGCPercent for a one-off build of few
// changes, unless GOGC is set; it returns what restores the setting.
func (r *run) collectLessOften() (restore func()) {
	jr := r.journal
	if r.b != nil || jr == nil || jr.prev == nil || os.Getenv("GOGC") != "" {
		return func() {}
	}
	if len(jr.sources)-len(jr.unchanged()) > fewChanged {
		return func() {}
	}
	lessGC.Lock()
	if lessGC.builds == 0 {
		lessGC.old = debug.SetGCPercent(rebuildGCPercent)
	}
	lessGC.builds++
	lessGC.Unlock()
	return func() {
		lessGC.Lock()
		if lessGC.builds--; lessGC.builds == 0 {
			debug.SetGCPercent(lessGC.old)
		}
		lessGC.Unlock()
	}
}

// lessGC counts the builds running with rebuildGCPercent (builds may run
// at once in one process), and holds the setting before the first.
var lessGC struct {
	sync.Mutex
	builds, old int
}

// runSteps runs the steps in order until one fails or the build is
// cancelled, timing each.
func (r *run) runSteps(steps []step) error {
	for _, s := range steps {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		t0 := time.Now()
		err := s.run(r)
		r.report.Steps = append(r.report.Steps, StepTime{s.name, time.Since(t0)})
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// commitOutput puts the output in place.
func (r *run) commitOutput() error {
	r.report.Written, r.report.Unchanged = r.out.stats()
	r.report.Changed = r.out.changed()
	// A one-off build writes its cache while the output is put in
	// place: an entry whose page did not make it to the destination
	// is not trusted anyway (its output hash is checked on disk).
	saved := make(chan struct{})
	if r.b == nil {
		go func() { _ = r.saveState(); close(saved) }()
	} else {
		close(saved)
	}
	t0 := time.Now()
	r.out.warnUnknown(r.probs, r.opts.Source)
	err := r.out.commit()
	<-saved
	r.report.Steps = append(r.report.Steps, StepTime{"commit", time.Since(t0)})
	return err
}

// fillReport records the build's problems and duration in its report.
func (r *run) fillReport(start time.Time) {
	r.report.Problems, r.report.Converted = r.probs.Sorted(), int(r.converted.Load())
	if jr := r.journal; jr != nil && jr.priors != nil {
		r.report.Parsed = int(jr.priors.parsed.Load())
	}
	r.report.Errors, r.report.Warnings = r.probs.Count()
	r.report.Publishable = r.countPublishable(r.report.Problems)
	if r.opts.Dev && r.site != nil {
		r.report.PageOf = r.pagesOfFiles(r.report.Problems)
	}
	r.report.Duration = time.Since(start)
}

// contentDirs are the folders a build reads from the content folder;
// nothing else in it is read.
var contentDirs = []string{"articles", "books", "images", "static"}

// WithPaths fills in the folders and files left empty: Root ".", and
// public/, kiji.yaml and .kiji-cache/ under it; the content folder is
// DefaultSource(Root).
func (o Options) WithPaths() Options {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Source == "" {
		o.Source = DefaultSource(o.Root)
	}
	if o.Dest == "" {
		o.Dest = filepath.Join(o.Root, "public")
	}
	if o.Config == "" {
		o.Config = filepath.Join(o.Root, "kiji.yaml")
	}
	if o.CacheDir == "" {
		o.CacheDir = filepath.Join(o.Root, ".kiji-cache")
	}
	return o
}

// DefaultSource is the content folder when none is given: content/ under
// root when it exists; else root itself when it holds articles/ or books/
// and no content/, as a Zenn repository does (zenn-cli's layout), so that
// `kiji build` in a Zenn repository builds it where it stands; else
// content/ (which a build then reports missing).
func DefaultSource(root string) string {
	content := filepath.Join(root, "content")
	if isDir(content) {
		return content
	}
	for _, d := range []string{"articles", "books"} {
		if isDir(filepath.Join(root, d)) {
			return root
		}
	}
	return content
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func withDefaults(o Options) Options {
	o = o.WithPaths()
	if o.Workers <= 0 {
		o.Workers = 3 * runtime.GOMAXPROCS(0)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

func (r *run) readConfig() error {
	dir, name := filepath.Split(r.opts.Config)
	if dir == "" {
		dir = "."
	}
	r.cfg, r.cfgRaw = LoadConfig(userfile.DirFS(dir), name, filepath.ToSlash(r.opts.Config), r.probs)
	if r.opts.BaseURL != "" {
		r.cfg.BaseURL = r.opts.BaseURL
	}
	if r.opts.Drafts || r.opts.Dev {
		r.cfg.Drafts = true
	}
	if r.opts.ZennStrict {
		r.cfg.ZennStrict = true
	}
	if r.opts.OnBroken != "" {
		r.cfg.OnBroken = r.opts.OnBroken
	}
	b, err := newBasePaths(r.cfg.BaseURL)
	if err != nil {
		return err
	}
	r.base = b
	return nil
}

func (r *run) readContent() error {
	r.startDiagramAssets() // while the content is read
	if err := checkFolders(r.opts); err != nil {
		return err
	}
	fi, err := os.Stat(r.opts.Source)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("the content folder %s does not exist; create it with an articles/ folder (kiji new article), run kiji in a Zenn repository (the folder holding articles/ and books/), or pass --source DIR", r.opts.Source)
	}
	r.srcFS = userfile.DirFS(r.opts.Source)
	if !r.b.reuseContent(r) {
		probs := r.probs
		if r.b != nil {
			probs = &diag.List{} // the Builder keeps them apart
		}
		opts := r.contentOptions()
		opts.Dates = r.readDates()
		r.useSnapshot(&opts) // journal_content.go
		r.site = content.Load(r.srcFS, opts, probs)
		r.b.loadedContent(r, probs)
	}
	r.images = newImageInfo(r.srcFS, r.site)
	return nil
}

func (r *run) loadTheme() error {
	layers := []fs.FS{defaulttheme.FS}
	if r.cfg.Theme != "default" {
		dir := filepath.Join(r.opts.Root, "themes", r.cfg.Theme)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("the theme %q named in kiji.yaml has no folder %s; create it or remove theme: from kiji.yaml", r.cfg.Theme, dir)
		}
		layers = append(layers, userfile.DirFS(dir))
	}
	text, image := r.cfg.Limits.bytes()
	t, err := render.LoadThemeLimits(r.base.path, render.Limits{Template: text, Asset: image}, layers...)
	if err != nil {
		return err
	}
	r.theme = t
	r.setupMarkdown()
	return r.addDiagramAssets()
}

func (r *run) prepareOutput() error {
	trusted := r.b == nil && r.journal != nil && r.journal.outputsSame() // before the folder is touched
	o, err := openOutput(r.opts.Dest, r.opts.CacheDir, r.b.knownFiles(), !trusted)
	if err != nil {
		return err
	}
	r.out = o
	r.b.setupOutput(r)
	if r.b == nil {
		r.hashCopied()  // journal_content.go
		r.trustOutput() // journal_outputs.go
	}
	r.pages = newLinkIndex()
	r.indexPages()
	if !r.b.restoreState(r) {
		r.loadState()
	}
	r.openSearch()
	r.computeGlobalKey()
	return nil
}
