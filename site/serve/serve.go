// Package serve is kiji's dev server: it builds the site into a private
// folder, serves it on the loopback interface, rebuilds when a source file
// changes and tells the open pages to reload.
//
// The pieces:
//
//   - Watcher (watch.go): fsnotify (or polling) over the content folders,
//     themes/ and kiji.yaml, debounced into batches of changed paths.
//   - build.Builder: rebuilds what a batch touches, keeping its state in
//     memory between builds.
//   - the handler (http.go): serves the output through os.Root, with the
//     site's 404 page, the base path, and the live-reload script injected
//     into HTML responses (never written to disk).
//   - the hub (live.go): Server-Sent Events to the pages. After a build:
//     "reload" (with the output files that changed, so a page reloads only
//     when it is concerned), "css" (only stylesheets changed: the page
//     fetches itself and swaps its <style> and stylesheet <link> elements
//     in place, keeping its state and scroll position), or "problems" (the
//     build's problems changed, nothing else did).
//
// The browser reloads only after the build has finished, so it never sees
// a half-written site. A build whose content has errors still publishes
// every page it could render (the preview never goes blank): the pages
// show the errors in a panel, each page's own first, with file:line. A
// build that fails for another reason (a theme template that does not
// parse) leaves the last good output in place, under a full overlay.
package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/diag"
)

// Options configure a dev server.
type Options struct {
	// Build says what to build. Dev is always on (drafts are shown and
	// marked). Dest, when empty, is CacheDir/serve: the dev build never
	// touches the real output folder.
	Build build.Options
	// Addr is the host:port to listen on (default 127.0.0.1:8000; port 0
	// picks a free one). A host other than a loopback address makes the
	// preview reachable from other machines.
	Addr string
	// Poll, when not zero, stats the files at this interval instead of
	// relying on file system events.
	Poll time.Duration
	// Quiet is the debounce: how long the files must stay untouched
	// before a rebuild (default 20ms).
	Quiet time.Duration

	// OnListen is called once the server accepts connections.
	OnListen func(url string)
	// OnBuild is called after every build.
	OnBuild func(BuildEvent)
	// OnWatchError is called when watching fails (events may be missed).
	OnWatchError func(error)
}

// BuildEvent describes one build of the server, for the terminal.
type BuildEvent struct {
	// Trigger lists the changed files (nil for the first build, or when
	// anything may have changed).
	Trigger []string
	// First is the build the server starts with: no page has been shown
	// yet, except ones left open from an earlier run.
	First  bool
	Report *build.Report
	Err    error
	// Action is what the open pages were told: "reload", "css" (the
	// stylesheets were swapped in place), "problems" (the overlay), or
	// "none" (nothing they show changed).
	Action string
}

// Server is a running dev server.
type Server struct {
	opts    Options
	dest    string
	builder *build.Builder
	hub     *hub

	mu       sync.Mutex
	base     string    // base path, decoded: "/" or "/repo/"
	buildID  string    // of the output being served, as the pages know it
	manifest string    // the hash of its manifest
	seq      int       // to tell apart builds shown before their manifest
	was      string    // the name buildID had while its search index was written: the same pages
	problems []Problem // of the last build; nil when it had no error
	stale    bool      // the last build failed without publishing: older pages are served
	ready    bool      // a build has finished
}

// Problem is a build problem as the overlay shows it.
type Problem struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Severity string `json:"severity"`
	Msg      string `json:"msg"`
	Text     string `json:"text"` // file:line:col: message
	// Page is the URL path of the page made from File ("" when none),
	// where the overlay lists the problem first.
	Page string `json:"page,omitempty"`
}

// New prepares a server; Run starts it.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:8000"
	}
	if opts.Quiet <= 0 {
		opts.Quiet = 20 * time.Millisecond
	}
	bo := opts.Build
	bo.Dev = true
	previewDest := bo.Dest == ""
	bo = bo.WithPaths() // Now stays zero: each rebuild uses its own time
	if previewDest {
		// The preview never touches the real output folder.
		bo.Dest = filepath.Join(bo.CacheDir, "serve")
	}
	opts.Build = bo
	s := &Server{opts: opts, dest: bo.Dest, builder: build.NewBuilder(bo), hub: newHub(), base: "/"}
	s.base = s.loadBase()
	s.manifest = s.manifestID()
	s.buildID = s.manifest
	return s, nil
}

// Run listens, builds, and rebuilds on every change until ctx is done;
// then it stops cleanly and returns nil. A port in use is an error that
// says so.
func Run(ctx context.Context, opts Options) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// ErrPortInUse is returned (wrapped) when the address is taken.
var ErrPortInUse = errors.New("the port is already in use")

// Run serves until ctx is done.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: %w (another kiji serve?); stop it or choose another port", s.opts.Addr, ErrPortInUse)
		}
		return fmt.Errorf("cannot listen on %s: %w", s.opts.Addr, err)
	}
	w, err := NewWatcher(s.watchOptions())
	if err != nil {
		ln.Close()
		return err
	}
	srv := s.newHTTPServer()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	defer func() {
		w.Close()
		s.hub.close() // ends the event streams, which Shutdown would wait for
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		s.builder.Close()
	}()

	if s.opts.OnListen != nil {
		s.opts.OnListen(s.urlFor(ln.Addr()))
	}
	s.rebuild(ctx, Batch{All: true}, true)
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-served:
			return fmt.Errorf("the server stopped: %w", err)
		case err := <-w.Errors():
			if s.opts.OnWatchError != nil {
				s.opts.OnWatchError(err)
			}
		case <-w.Ready():
			b, ok := w.Take()
			if !ok {
				continue
			}
			s.rebuild(ctx, b, false)
		}
	}
}

// urlFor is the address of the site's home page on addr.
func (s *Server) urlFor(addr net.Addr) string {
	host := addr.String()
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		host = net.JoinHostPort("localhost", fmt.Sprint(ta.Port))
	}
	s.mu.Lock()
	base := s.base
	s.mu.Unlock()
	return (&url.URL{Scheme: "http", Host: host, Path: base}).String()
}

func (s *Server) watchOptions() WatchOptions {
	bo := s.opts.Build
	src := bo.Source
	trees := []string{
		filepath.Join(src, "articles"),
		filepath.Join(src, "books"),
		filepath.Join(src, "images"),
		filepath.Join(src, "static"),
		filepath.Join(bo.Root, "themes"),
	}
	return WatchOptions{
		Trees: trees,
		Files: []string{bo.Config},
		Skip:  []string{bo.Dest, bo.CacheDir},
		Quiet: s.opts.Quiet,
		Poll:  s.opts.Poll,
	}
}

// rebuild builds after the changes of b and tells the pages.
func (s *Server) rebuild(ctx context.Context, b Batch, first bool) {
	var changed []string
	if !b.All {
		changed = b.Paths
		if changed == nil {
			changed = []string{}
		}
	}
	// The pages are shown (shown: the files announced) before the build
	// is done, in steps: the changed articles first, then the lists and
	// the rest but the search index; the end of the build announces what
	// is left.
	var shown []string
	shownAction := ""
	rep, err := s.builder.BuildShown(ctx, changed, func(early *build.Report) {
		var err error
		if early.Errors > 0 {
			err = &diag.Errors{Problems: early.Problems}
		}
		if a := s.publish(early, err, b, shown); shownAction == "" || a != "none" {
			shownAction = a
		}
		shown = append(shown, early.Changed...)
	})
	if ctx.Err() != nil {
		return // stopping
	}
	action := s.publish(rep, err, b, shown)
	if action == "none" && shownAction != "" {
		action = shownAction
	}
	if s.opts.OnBuild != nil {
		ev := BuildEvent{Report: rep, Err: err, Action: action, First: first}
		if !b.All {
			ev.Trigger = b.Paths
		}
		s.opts.OnBuild(ev)
	}
}

// publish records the outcome of a build and sends the pages the event
// it calls for. shown, when not nil, lists the files the pages were told
// of already, when the build showed its pages before it was done.
func (s *Server) publish(rep *build.Report, err error, b Batch, shown []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready = true
	if err != nil && (rep == nil || !rep.Published) {
		s.problems = problemsOf(rep, err, s.base)
		s.stale = true
		s.hub.send("problems", map[string]any{"problems": s.problems, "published": false})
		return "problems"
	}
	var probs []Problem
	if err != nil {
		probs = problemsOf(rep, err, s.loadBase())
	}
	wasStale, oldProbs := s.stale, s.problems
	s.problems, s.stale = probs, false
	s.base = s.loadBase()
	oldID := s.manifest
	s.manifest = s.manifestID()
	action, event, ev := s.reloadEvent(rep, b, wasStale, oldID, shown)
	if ev == nil {
		if !slices.Equal(oldProbs, probs) {
			s.hub.send("problems", map[string]any{"problems": probs, "published": true})
		}
		return action
	}
	ev["problems"] = probs
	s.hub.send(event, ev)
	return action
}

// reloadEvent says what the pages must do after a published build: the
// action ("reload", "css" or "none"), and the event that tells them, with
// its data (nil: no event). It sets the build the pages know. s.mu is
// held.
func (s *Server) reloadEvent(rep *build.Report, b Batch, wasStale bool, oldID string, shown []string) (string, string, map[string]any) {
	changed := rep.Changed
	if shown != nil {
		changed = slices.DeleteFunc(slices.Clone(changed), func(rel string) bool { return slices.Contains(shown, rel) })
	}
	switch {
	case wasStale:
		// The overlay goes, and the page shows the fixed version.
		s.newBuild()
		return "reload", "reload", map[string]any{"build": s.buildID, "all": true}
	case len(changed) == 0 && shown != nil:
		return s.learnBuild()
	case len(changed) == 0:
		if oldID != s.manifest {
			s.newBuild()
			return "reload", "reload", map[string]any{"build": s.buildID, "all": true}
		}
		return "none", "", nil
	}
	if files, all := s.pageFiles(changed); shown != nil && !all && len(files) == 0 {
		return s.learnBuild() // the search index: no page shows it
	}
	s.newBuild()
	if bust, ok := s.cssOnly(changed, b); ok {
		return "css", "css", map[string]any{"build": s.buildID, "bust": bust}
	}
	files, all := s.pageFiles(changed)
	ev := map[string]any{"build": s.buildID, "files": files, "all": all}
	if !all && len(files) == 0 {
		return "none", "reload", ev // the pages learn the new build
	}
	return "reload", "reload", ev
}

// learnBuild tells the pages the name of the output now complete, when
// it differs from the one they learnt when it was shown (BuildShown): a
// page restarted or reconnected then reloads only if the output changed
// again. While the build goes on (a second showing, the manifest not yet
// written) the name they learnt stands: the pages shown are newer than
// the manifest, and a page loading then would reload once more. s.mu is
// held.
func (s *Server) learnBuild() (string, string, map[string]any) {
	if s.buildID == s.manifest || strings.HasPrefix(s.buildID, s.manifest+".") {
		return "none", "", nil
	}
	s.was, s.buildID = s.buildID, s.manifest
	return "none", "reload", map[string]any{"build": s.buildID, "files": []string{}, "all": false}
}

// newBuild names the output being served after a change the pages are
// told of: the manifest's hash, unless the pages know that name already
// (the pages were shown before the manifest was written: BuildShown).
// s.mu is held.
func (s *Server) newBuild() {
	s.was = ""
	if s.manifest != s.buildID && !strings.HasPrefix(s.buildID, s.manifest+".") {
		s.buildID = s.manifest
		return
	}
	s.seq++
	s.buildID = s.manifest + "." + strconv.Itoa(s.seq)
}

// problemsOf lists a build's errors for the overlay; base is the site's
// base path, for the pages they are on.
func problemsOf(rep *build.Report, err error, base string) []Problem {
	var out []Problem
	if rep != nil {
		for _, p := range rep.Problems {
			if p.Severity != diag.Error {
				continue
			}
			pr := Problem{File: p.File, Line: p.Line, Col: p.Col, Severity: p.Severity.String(), Msg: p.Msg, Text: p.Error()}
			if page, ok := rep.PageOf[p.File]; ok {
				pr.Page = base + page
			}
			out = append(out, pr)
		}
	}
	if _, ok := diag.AsErrors(err); !ok || len(out) == 0 {
		// Not a problem of the content (a theme template that does not
		// parse, a folder that cannot be written): the error says it.
		out = append(out, Problem{Severity: "error", Msg: err.Error(), Text: err.Error()})
	}
	return out
}

// cssOnly reports whether a build changed nothing but styles: the
// changed sources are all .css files, and the output changed only in .css
// files and in pages (whose stylesheet links or inlined styles are all
// that can differ, as nothing else they are made from changed). The page
// then fetches itself again and swaps its styles in place. It returns the
// stylesheets whose URL stayed the same (not fingerprinted, such as
// content/static/*.css), which the page must fetch anew. s.mu is held.
func (s *Server) cssOnly(changed []string, b Batch) (bust []string, ok bool) {
	if b.All || len(b.Paths) == 0 {
		return nil, false
	}
	for _, p := range b.Paths {
		if !strings.EqualFold(filepath.Ext(p), ".css") {
			return nil, false
		}
	}
	bust = []string{}
	for _, rel := range changed {
		switch strings.ToLower(path.Ext(rel)) {
		case ".html":
			continue
		case ".css":
		default:
			return nil, false
		}
		if strings.HasPrefix(rel, "assets/") && fingerprintRE.MatchString(path.Base(rel)) {
			continue // a new name: the pages link to it
		}
		bust = append(bust, s.base+rel)
	}
	return bust, true
}

// fingerprintRE matches a fingerprinted asset name: style.0123456789.css.
var fingerprintRE = regexp.MustCompile(`\.[0-9a-f]{10}\.[a-z0-9]+$`)

// pageFiles turns the changed output files into the URL paths of the
// files pages may have loaded; all is true when something a page may show
// besides its own HTML changed (a script, an image, a font).
func (s *Server) pageFiles(changed []string) (files []string, all bool) {
	for _, rel := range changed {
		switch {
		case strings.HasSuffix(rel, ".html"):
			files = append(files, s.base+rel)
		case passive(rel):
		default:
			all = true
		}
	}
	return files, all
}

// passive reports whether an output file is never shown by a page:
// feeds, the sitemap, robots.txt, sharing images, the search index's
// data (which a page reads when a query is typed, under names that
// change with their contents, meta.json aside).
func passive(rel string) bool {
	switch path.Ext(rel) {
	case ".xml", ".txt":
		return true
	}
	if strings.HasPrefix(rel, "search/") && path.Ext(rel) != ".html" {
		return true
	}
	b := path.Base(rel)
	return b == ".nojekyll" || (b == "og.png" && strings.HasPrefix(rel, "articles/"))
}

// manifestID identifies the output being served: the hash of its
// manifest ("" when there is none yet).
func (s *Server) manifestID() string {
	b, err := os.ReadFile(filepath.Join(s.dest, ".kiji-manifest"))
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// loadBase reads the base path the site is built for, as the build does.
func (s *Server) loadBase() string {
	bo := s.opts.Build
	raw := bo.BaseURL
	if raw == "" {
		dir, name := filepath.Split(bo.Config)
		if dir == "" {
			dir = "."
		}
		c, _ := build.LoadConfig(os.DirFS(dir), name, bo.Config, &diag.List{})
		raw = c.BaseURL
	}
	if raw == "" {
		return "/"
	}
	u, err := build.ParseBaseURL(raw)
	if err != nil {
		return "/"
	}
	return u.Path
}
