package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock runs timers only when the test advances it, so the debounce
// is exact however slow the machine is.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c             *fakeClock
	at            time.Time
	f             func()
	stopped, done bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped && !t.done
	t.stopped = true
	return was
}

// Advance moves the time on and runs the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped || t.done:
		case !t.at.After(c.now):
			t.done = true
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

const quiet = 50 * time.Millisecond

func TestDebouncerBurstIsOneBatch(t *testing.T) {
	c := newFakeClock()
	d := newDebouncer(quiet, 40*quiet, c)
	for i := range 1000 {
		c.Advance(time.Millisecond) // a busy burst: never quiet for 50ms
		d.add(fmt.Sprintf("/site/content/articles/a%04d.md", i))
	}
	if _, ok := d.take(); ok {
		t.Fatal("a batch was delivered during the burst")
	}
	c.Advance(quiet - time.Millisecond)
	if _, ok := d.take(); ok {
		t.Fatal("a batch was delivered before the quiet period ended")
	}
	c.Advance(time.Millisecond)
	b, ok := d.take()
	if !ok {
		t.Fatal("no batch after the quiet period")
	}
	if len(b.Paths) != 1000 || b.All {
		t.Errorf("batch has %d paths (all=%v), want 1000", len(b.Paths), b.All)
	}
	c.Advance(time.Hour)
	if b, ok := d.take(); ok {
		t.Errorf("a second batch: %v", b)
	}
}

func TestDebouncerMaxWait(t *testing.T) {
	c := newFakeClock()
	d := newDebouncer(quiet, 10*quiet, c)
	batches := 0
	for range 30 {
		d.add("/x")
		c.Advance(quiet / 2)
		if _, ok := d.take(); ok {
			batches++
		}
	}
	// 30 events 25ms apart span 750ms: a batch every 500ms at most.
	if batches != 1 {
		t.Errorf("%d batches during endless changes, want 1 (at MaxWait)", batches)
	}
}

func TestDebouncerOverflowMeansAll(t *testing.T) {
	c := newFakeClock()
	d := newDebouncer(quiet, 40*quiet, c)
	d.add("/a")
	d.addAll()
	c.Advance(quiet)
	b, ok := d.take()
	if !ok || !b.All {
		t.Errorf("got %+v, %v; want a batch with All", b, ok)
	}
}

// fsTest is a watched folder with a fake clock.
type fsTest struct {
	t     *testing.T
	root  string
	w     *Watcher
	clock *fakeClock
}

func newFSTest(t *testing.T, poll time.Duration, setup func(root string)) *fsTest {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mustMkdir(t, filepath.Join(root, "content/articles"))
	mustWrite(t, filepath.Join(root, "content/articles/a.md"), "a")
	mustWrite(t, filepath.Join(root, "kiji.yaml"), "title: x\n")
	if setup != nil {
		setup(root)
	}
	c := newFakeClock()
	w, err := NewWatcher(WatchOptions{
		Trees: []string{filepath.Join(root, "content/articles"), filepath.Join(root, "content/images"), filepath.Join(root, "themes")},
		Files: []string{filepath.Join(root, "kiji.yaml")},
		Skip:  []string{filepath.Join(root, "content/articles/skipped")},
		Quiet: quiet,
		Poll:  poll,
		clock: c,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &fsTest{t: t, root: root, w: w, clock: c}
}

func (f *fsTest) p(rel string) string { return filepath.Join(f.root, filepath.FromSlash(rel)) }

// batch waits (in real time, bounded) until the watcher has seen events
// for every path of want and nothing more has arrived for a while, then
// ends the quiet period and returns the one batch.
func (f *fsTest) batch(want ...string) Batch {
	f.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last, stableSince := -1, time.Now()
	for {
		f.w.deb.mu.Lock()
		all := true
		for _, p := range want {
			all = all && f.w.deb.pending[f.p(p)]
		}
		n := f.w.deb.received
		f.w.deb.mu.Unlock()
		if n != last {
			last, stableSince = n, time.Now()
		}
		if all && time.Since(stableSince) > 200*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			f.w.deb.mu.Lock()
			defer f.w.deb.mu.Unlock()
			f.t.Fatalf("the watcher did not see %v in time; pending: %v", want, f.w.deb.pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.clock.Advance(quiet)
	b, ok := f.w.Take()
	if !ok {
		f.t.Fatal("no batch after the quiet period")
	}
	f.clock.Advance(time.Hour)
	if extra, ok := f.w.Take(); ok {
		f.t.Errorf("a second batch: %v", extra.Paths)
	}
	return b
}

func (f *fsTest) rels(b Batch) []string {
	var out []string
	for _, p := range b.Paths {
		r, _ := filepath.Rel(f.root, p)
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// TestWatcher runs each editing pattern against fsnotify and against the
// poller.
func TestWatcher(t *testing.T) {
	cases := []struct {
		name string
		do   func(f *fsTest)
		want []string // must be in the batch
		not  []string // must not be
	}{
		{"atomic save: temp file renamed over", func(f *fsTest) {
			mustWrite(t, f.p("content/articles/a.md.tmp.123"), "new a")
			mustRename(t, f.p("content/articles/a.md.tmp.123"), f.p("content/articles/a.md"))
		}, []string{"content/articles/a.md"}, nil},
		{"JetBrains safe write", func(f *fsTest) {
			mustWrite(t, f.p("content/articles/a.md___jb_tmp___"), "new a")
			mustRename(t, f.p("content/articles/a.md"), f.p("content/articles/a.md___jb_old___"))
			mustRename(t, f.p("content/articles/a.md___jb_tmp___"), f.p("content/articles/a.md"))
			os.Remove(f.p("content/articles/a.md___jb_old___"))
		}, []string{"content/articles/a.md"}, nil},
		{"vim: backup by rename, then write", func(f *fsTest) {
			mustRename(t, f.p("content/articles/a.md"), f.p("content/articles/a.md~"))
			mustWrite(t, f.p("content/articles/a.md"), "vim wrote this")
			os.Remove(f.p("content/articles/a.md~"))
		}, []string{"content/articles/a.md"}, nil},
		{"new folder with a file in it", func(f *fsTest) {
			mustWrite(t, f.p("content/images/new/deep/pic.png"), "png")
		}, []string{"content/images/new/deep/pic.png"}, nil},
		{"delete", func(f *fsTest) {
			os.Remove(f.p("content/articles/a.md"))
		}, []string{"content/articles/a.md"}, nil},
		{"rename", func(f *fsTest) {
			mustRename(t, f.p("content/articles/a.md"), f.p("content/articles/b.md"))
		}, []string{"content/articles/a.md", "content/articles/b.md"}, nil},
		{"folder renamed, then a file in it edited", func(f *fsTest) {
			mustWrite(t, f.p("content/images/old/x.png"), "x")
			mustRename(t, f.p("content/images/old"), f.p("content/images/moved"))
			mustWrite(t, f.p("content/images/moved/x.png"), "x2")
		}, []string{"content/images/moved/x.png"}, nil},
		{"theme created later", func(f *fsTest) {
			mustWrite(t, f.p("themes/mine/assets/style.css"), "body{}")
		}, []string{"themes/mine/assets/style.css"}, nil},
		{"kiji.yaml saved atomically", func(f *fsTest) {
			mustWrite(t, f.p("kiji.yaml.tmp"), "title: y\n")
			mustRename(t, f.p("kiji.yaml.tmp"), f.p("kiji.yaml"))
		}, []string{"kiji.yaml"}, []string{"kiji.yaml.tmp"}},
		{"rewritten in place keeping size and mtime (cp -p)", func(f *fsTest) {
			p := f.p("content/articles/a.md")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			mustWrite(t, p, "b")
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, []string{"content/articles/a.md"}, nil},
		{"replaced by a file of the same size and mtime (rsync -a)", func(f *fsTest) {
			p := f.p("content/articles/a.md")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			tmp := f.p("content/articles/.a.md.Xy12Zq")
			mustWrite(t, tmp, "c")
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			mustRename(t, tmp, p)
		}, []string{"content/articles/a.md"}, []string{"content/articles/.a.md.Xy12Zq"}},
		{"hidden and skipped paths are left out", func(f *fsTest) {
			mustWrite(t, f.p("content/articles/.git/objects/x"), "git")
			mustWrite(t, f.p("content/articles/skipped/out.html"), "out")
			mustWrite(t, f.p("content/notes.txt"), "not watched")
			mustWrite(t, f.p("content/articles/c.md"), "c")
		}, []string{"content/articles/c.md"}, []string{"content/articles/.git/objects/x", "content/articles/skipped/out.html", "content/notes.txt"}},
	}
	for _, mode := range []struct {
		name string
		poll time.Duration
	}{{"fsnotify", 0}, {"poll", 20 * time.Millisecond}} {
		for _, tc := range cases {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				f := newFSTest(t, mode.poll, nil)
				tc.do(f)
				got := f.rels(f.batch(tc.want...))
				for _, w := range tc.want {
					if !slices.Contains(got, w) {
						t.Errorf("batch %v lacks %s", got, w)
					}
				}
				for _, n := range tc.not {
					if slices.Contains(got, n) {
						t.Errorf("batch %v has %s", got, n)
					}
				}
			})
		}
	}
}

// TestWatcherBurst writes 1,000 files at once (a git checkout): one batch.
func TestWatcherBurst(t *testing.T) {
	f := newFSTest(t, 0, nil)
	var want []string
	for i := range 1000 {
		rel := fmt.Sprintf("content/articles/burst-%04d.md", i)
		mustWrite(t, f.p(rel), "x")
		want = append(want, rel)
	}
	got := f.rels(f.batch(want...))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
}

// TestWatcherTreeRecreated removes a watched folder and makes it again.
func TestWatcherTreeRecreated(t *testing.T) {
	f := newFSTest(t, 0, func(root string) {
		mustWrite(t, filepath.Join(root, "themes/mine/assets/style.css"), "a")
	})
	if err := os.RemoveAll(f.p("themes")); err != nil {
		t.Fatal(err)
	}
	got := f.rels(f.batch("themes"))
	if !slices.Contains(got, "themes") {
		t.Fatalf("removal not seen: %v", got)
	}
	mustWrite(t, f.p("themes/mine/assets/style.css"), "b")
	got = f.rels(f.batch("themes/mine/assets/style.css"))
	if !slices.Contains(got, "themes/mine/assets/style.css") {
		t.Errorf("the recreated tree is not watched: %v", got)
	}
	mustWrite(t, f.p("themes/mine/assets/style.css"), "c")
	got = f.rels(f.batch("themes/mine/assets/style.css"))
	if !slices.Contains(got, "themes/mine/assets/style.css") {
		t.Errorf("an edit in the recreated tree is not seen: %v", got)
	}
}
