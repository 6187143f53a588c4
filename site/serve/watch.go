package serve

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// A Batch is what changed during one burst of file system activity: the
// paths (absolute) that were created, written, removed or renamed. All
// means anything may have changed (the event queue overflowed): the next
// build must read everything.
type Batch struct {
	Paths []string
	All   bool
}

// WatchOptions say what a Watcher watches.
type WatchOptions struct {
	// Trees are folders watched with everything in them, including
	// folders created later. A tree that does not exist yet is watched
	// for from its nearest existing parent. Entries whose name starts
	// with a dot (.git, editors' swap files) are left out.
	Trees []string
	// Files are single files (kiji.yaml), watched through their folder so
	// that atomic saves (write a temporary file, rename it over) are seen.
	Files []string
	// Skip leaves out paths under these folders (the output and cache
	// folders when they sit inside a tree).
	Skip []string
	// Quiet is how long the files must stay untouched before a batch is
	// delivered (default 20ms): an editor's save is several events, all
	// within a millisecond or two (a write, or a write to a temporary file
	// and a rename; vim's backup rename, write and removal).
	Quiet time.Duration
	// MaxWait delivers a batch even while changes go on, this long after
	// its first change (default 2s).
	MaxWait time.Duration
	// Poll, when not zero, stats the files at this interval instead of
	// asking the operating system for events (network and container
	// file systems often deliver none).
	Poll time.Duration

	clock clock // nil: the real clock
}

// A Watcher reports changed files in batches.
type Watcher struct {
	opts  WatchOptions
	deb   *debouncer
	fsw   *fsnotify.Watcher
	errs  chan error
	done  chan struct{}
	wg    sync.WaitGroup
	close sync.Once

	mu      sync.Mutex
	watched map[string]bool // folders with an fsnotify watch
}

// NewWatcher starts watching. Call Close to stop.
func NewWatcher(opts WatchOptions) (*Watcher, error) {
	if opts.Quiet <= 0 {
		opts.Quiet = 20 * time.Millisecond
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 2 * time.Second
	}
	if opts.clock == nil {
		opts.clock = realClock{}
	}
	clean := func(ps []string) []string {
		out := make([]string, 0, len(ps))
		for _, p := range ps {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			out = append(out, filepath.Clean(p))
		}
		return out
	}
	opts.Trees, opts.Files, opts.Skip = clean(opts.Trees), clean(opts.Files), clean(opts.Skip)
	w := &Watcher{
		opts:    opts,
		deb:     newDebouncer(opts.Quiet, opts.MaxWait, opts.clock),
		errs:    make(chan error, 1),
		done:    make(chan struct{}),
		watched: map[string]bool{},
	}
	if opts.Poll > 0 {
		snap := w.snapshot()
		w.wg.Add(1)
		go w.pollLoop(snap)
		return w, nil
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, withPollHint(err)
	}
	w.fsw = fsw
	if err := w.setup(false); err != nil {
		fsw.Close()
		return nil, withPollHint(err)
	}
	w.wg.Add(1)
	go w.eventLoop()
	return w, nil
}

func withPollHint(err error) error {
	return errors.Join(errors.New("cannot watch the files for changes"), err,
		errors.New("raise fs.inotify.max_user_watches, or use --poll"))
}

// Ready is signalled when a batch can be taken with Take.
func (w *Watcher) Ready() <-chan struct{} { return w.deb.ready }

// Take returns the changes gathered since the last Take (all batches
// delivered since, merged) and whether there were any.
func (w *Watcher) Take() (Batch, bool) { return w.deb.take() }

// Errors reports problems with watching (never closed).
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops watching.
func (w *Watcher) Close() error {
	var err error
	w.close.Do(func() {
		close(w.done)
		if w.fsw != nil {
			err = w.fsw.Close()
		}
		w.wg.Wait()
		w.deb.stop()
	})
	return err
}

// relevant reports whether a change at p can matter: p is in a tree, is
// a watched file, or is a folder on the way to one.
func (w *Watcher) relevant(p string) bool {
	for _, s := range w.opts.Skip {
		if within(p, s) {
			return false
		}
	}
	for _, t := range w.opts.Trees {
		if within(p, t) {
			return !hidden(p[len(t):])
		}
		if within(t, p) {
			return true
		}
	}
	for _, f := range w.opts.Files {
		if p == f || within(f, p) {
			return true
		}
	}
	return false
}

// onTheWay reports whether p is a folder above a tree or a watched file.
func (w *Watcher) onTheWay(p string) bool {
	for _, t := range append(w.opts.Trees[:len(w.opts.Trees):len(w.opts.Trees)], w.opts.Files...) {
		if t != p && within(t, p) {
			return true
		}
	}
	return false
}

// inTree reports whether p is inside (or is) a tree.
func (w *Watcher) inTree(p string) bool {
	for _, t := range w.opts.Trees {
		if within(p, t) {
			return true
		}
	}
	return false
}

// within reports whether p is dir or inside it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) || dir == string(filepath.Separator)
}

// hidden reports whether a path below a tree has a component starting
// with a dot.
func hidden(rest string) bool {
	for _, c := range strings.Split(filepath.ToSlash(rest), "/") {
		if strings.HasPrefix(c, ".") {
			return true
		}
	}
	return false
}

// setup adds watches for every tree and file (or their nearest existing
// parent). With report, the files found in newly watched folders are
// reported as changed (they may have been written before the watch was
// in place).
func (w *Watcher) setup(report bool) error {
	var firstErr error
	note := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for _, t := range w.opts.Trees {
		note(w.watchParent(t))
		if fi, err := os.Stat(t); err == nil && fi.IsDir() {
			note(w.addTree(t, report))
		}
	}
	for _, f := range w.opts.Files {
		note(w.watchParent(f))
	}
	return firstErr
}

// watchParent watches the nearest existing folder above p, so that p's
// creation, removal or replacement is seen.
func (w *Watcher) watchParent(p string) error {
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return w.add(d)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

func (w *Watcher) add(dir string) error {
	_, err := w.addNew(dir)
	return err
}

// addNew watches dir and reports whether it was not watched before.
func (w *Watcher) addNew(dir string) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watched[dir] {
		return false, nil
	}
	if err := w.fsw.Add(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // gone already: its removal is reported
		}
		return false, err
	}
	w.watched[dir] = true
	return true, nil
}

// addTree watches dir and every folder below it. With report, the files
// of folders not watched before are reported as changed.
func (w *Watcher) addTree(dir string, report bool) error {
	var firstErr error
	fresh := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // removed meanwhile: reported by its parent
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !w.relevant(p) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			added, err := w.addNew(p)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			fresh[p] = added
			return nil
		}
		if report && fresh[filepath.Dir(p)] {
			w.deb.add(p)
		}
		return nil
	})
	return firstErr
}

// forget drops the watches at or below p (the kernel has dropped them
// when p was removed or moved).
func (w *Watcher) forget(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for d := range w.watched {
		if within(d, p) {
			delete(w.watched, d)
			w.fsw.Remove(d) // already gone, usually
		}
	}
}

func (w *Watcher) eventLoop() {
	defer w.wg.Done()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: what changed is unknown.
				w.deb.addAll()
				continue
			}
			select {
			case w.errs <- err:
			default:
			}
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	p := filepath.Clean(ev.Name)
	if !w.relevant(p) {
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.forget(p)
	}
	if ev.Op == fsnotify.Chmod {
		// Only the mode or times changed (or a Remove follows): the
		// bytes are the same.
		return
	}
	if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
		switch {
		case w.inTree(p):
			// A folder appeared (mkdir -p, a folder renamed into place):
			// watch it, and report the files already in it.
			if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
				w.addTree(p, true)
			}
		case w.onTheWay(p):
			// A folder above a tree or file came or went: watch what
			// exists now.
			w.setup(true)
		}
	}
	w.deb.add(p)
}

// stamp is a file's state as the poller sees it. A file rewritten in
// place with its size and mtime put back (cp -p) keeps neither its change
// time (ctime, which no program can set) nor, if it was replaced (rsync
// -a), its inode: either differing makes it changed. A change of ctime
// alone (chown, a new hard link) reports a file whose bytes are the same;
// the rebuild compares them and, finding nothing new, tells no page.
type stamp struct {
	size  int64
	mtime int64
	mode  fs.FileMode
	ctime int64  // 0 where the system does not say
	ino   uint64 // 0 where the system does not say
}

// snapshot stats every file of the trees and every watched file.
func (w *Watcher) snapshot() map[string]stamp {
	m := map[string]stamp{}
	put := func(p string, fi fs.FileInfo) {
		st := stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode()}
		st.ctime, st.ino = changeStamp(fi)
		m[p] = st
	}
	for _, t := range w.opts.Trees {
		filepath.WalkDir(t, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if p != t && (strings.HasPrefix(d.Name(), ".") || !w.relevant(p)) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if fi, err := d.Info(); err == nil {
				put(p, fi)
			}
			return nil
		})
	}
	for _, f := range w.opts.Files {
		if fi, err := os.Stat(f); err == nil {
			put(f, fi)
		}
	}
	return m
}

func (w *Watcher) pollLoop(prev map[string]stamp) {
	defer w.wg.Done()
	t := time.NewTicker(w.opts.Poll)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		cur := w.snapshot()
		var changed []string
		for p, s := range cur {
			if old, ok := prev[p]; !ok || old != s {
				changed = append(changed, p)
			}
		}
		for p := range prev {
			if _, ok := cur[p]; !ok {
				changed = append(changed, p)
			}
		}
		prev = cur
		if len(changed) > 0 {
			sort.Strings(changed)
			w.deb.add(changed...)
		}
	}
}

// A debouncer gathers changes until they pause for quiet (or have gone
// on for maxWait), then makes them ready to take.
type debouncer struct {
	quiet, maxWait time.Duration
	clock          clock
	ready          chan struct{}

	mu       sync.Mutex
	pending  map[string]bool
	all      bool
	first    time.Time
	timer    stopper
	gen      int
	out      map[string]bool // delivered, not yet taken
	outAll   bool
	hasOut   bool
	stopped  bool
	received int // events seen, for tests
}

func newDebouncer(quiet, maxWait time.Duration, c clock) *debouncer {
	return &debouncer{quiet: quiet, maxWait: maxWait, clock: c, ready: make(chan struct{}, 1),
		pending: map[string]bool{}, out: map[string]bool{}}
}

func (d *debouncer) add(paths ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range paths {
		d.pending[p] = true
	}
	d.received += len(paths)
	d.arm()
}

func (d *debouncer) addAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.all = true
	d.received++
	d.arm()
}

// arm (re)starts the quiet period; d.mu is held.
func (d *debouncer) arm() {
	if d.stopped {
		return
	}
	now := d.clock.Now()
	if d.first.IsZero() {
		d.first = now
	}
	wait := d.quiet
	if left := d.first.Add(d.maxWait).Sub(now); left < wait {
		wait = max(left, 0)
	}
	if d.timer != nil {
		d.timer.Stop()
	}
	d.gen++
	gen := d.gen
	d.timer = d.clock.AfterFunc(wait, func() { d.fire(gen) })
}

func (d *debouncer) fire(gen int) {
	d.mu.Lock()
	if gen != d.gen || (len(d.pending) == 0 && !d.all) {
		d.mu.Unlock()
		return
	}
	for p := range d.pending {
		d.out[p] = true
	}
	d.outAll = d.outAll || d.all
	d.hasOut = true
	d.pending = map[string]bool{}
	d.all = false
	d.first = time.Time{}
	d.timer = nil
	d.mu.Unlock()
	select {
	case d.ready <- struct{}{}:
	default:
	}
}

func (d *debouncer) take() (Batch, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.hasOut {
		return Batch{}, false
	}
	b := Batch{All: d.outAll}
	for p := range d.out {
		b.Paths = append(b.Paths, p)
	}
	sort.Strings(b.Paths)
	d.out = map[string]bool{}
	d.outAll = false
	d.hasOut = false
	return b, true
}

func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
	}
}

// clock is time, replaceable in tests.
type clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) stopper
}

type stopper interface{ Stop() bool }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) stopper {
	return time.AfterFunc(d, f)
}
