package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiji-ssg/kiji/site/content"
)

// The stat journal lets a build with nothing to do say so in the time it
// takes to look at each file's metadata, as ninja does: no source is read,
// no cache entry decoded, no page rendered, nothing written.
//
// After a successful build without errors, a one-off build (not the dev
// server's, not a dev build) writes journal-<dest>.bin in the cache folder:
//
//   - a key: kiji's build, kiji.yaml's bytes and the options;
//   - the stamp (type, size, mtime, ctime, inode) of every file and folder
//     of the content folder's articles/, books/, images/ and static/, of
//     the theme's folder, and of the git repository's HEAD, logs/HEAD and
//     index (a commit, checkout or reset), taken before the build read any
//     of them;
//   - the stamp of every file kiji left in the output folder and of every
//     folder holding one (or a file kiji did not write);
//   - the report of that build (its counts and problems), and the time the
//     first scheduled article comes due.
//
// The next build reads kiji.yaml, walks the same folders again and
// compares. It stops there, with the saved report, only when every stamp
// is equal (equal, never "newer": a clock moved backwards changes nothing)
// and no scheduled article has come due. Anything else — a file added,
// removed, replaced by a rename (a new inode), rewritten with its size and
// mtime kept (cp -p, touch -r: the ctime still moves), a theme file, a page
// of the output edited or deleted — and the build runs as usual. A file
// whose ctime is within racyWindow of the moment its stamp was taken may
// change again without its stamp changing (timestamps are coarse): such a
// source is never trusted; such an output file is trusted only if its
// bytes still hash to what kiji wrote, and such a folder only if it holds
// nothing new.
//
// Nothing here ever writes to the output folder: what kiji did not write
// is never touched, as in a full build.

const journalHeader = "kiji-journal v2\n"

// racyWindow is how close to the moment a stamp was taken a file's ctime
// must be for the stamp not to prove the file unchanged. Linux updates
// file times from a clock that ticks every few milliseconds.
const racyWindow = 100 * time.Millisecond

// stamp is what one lstat says about a file. Mode 0 with Missing set
// records a name that did not exist.
type stamp struct {
	Mode         uint32
	Size         int64
	Mtime, Ctime int64
	Ino          uint64
	Missing      bool
}

// pathStamp is a stamp with the path it was taken at.
type pathStamp struct {
	Path string
	stamp
	Hash string // of an output file stamped within racyWindow of being written
	// stamped says the stamp was taken (while listing; not in the file).
	stamped bool
}

// statJournal is the journal file's contents.
type statJournal struct {
	Key     string
	Sources []pathStamp // the sources, in walk order
	SrcAt   int64       // when their stamps were taken (unix ns)
	Dest    string      // the output folder, symbolic links resolved
	Outs    []pathStamp // output files and folders, relative to Dest
	OutsAt  int64
	Due     int64 // the first scheduled article's time (unix ns); 0: none
	Report  Report
}

// journalRun is the journal's part in a build.
type journalRun struct {
	key     string
	sources []pathStamp
	srcAt   time.Time
	ok      bool // the sources could be stamped: a journal can be written

	prev   *statJournal    // the last build's, of the same key (journal_content.go)
	priors *priors         // the articles this build read, for its snapshot
	same   map[string]bool // sources unchanged since prev (unchanged)
	// The output folder holds what prev recorded (journal_outputs.go);
	// read it with outputsSame.
	outsSame bool
	// outsChecked is closed once outsSame is known, when the output is
	// stamped while the build reads its sources (nil: it was known first).
	outsChecked chan struct{}
}

// outputsSame reports whether the output folder holds what the last
// build's journal recorded, once that is known.
func (jr *journalRun) outputsSame() bool {
	if jr.outsChecked != nil {
		<-jr.outsChecked
	}
	return jr.outsSame
}

// checkOutputs stamps the output folder in the background: a build that
// must run needs to know whether it can trust it only once it prepares
// the output, and nothing touches the folder before (prepareOutput
// waits). Its stamps, tens of thousands, are taken while the sources are
// read.
func (jr *journalRun) checkOutputs(prev *statJournal, dest string) {
	jr.outsChecked = make(chan struct{})
	go func() {
		defer close(jr.outsChecked)
		jr.outsSame = outputsUnchanged(prev, dest)
	}()
}

func (r *run) journalPath() string {
	abs, _ := filepath.Abs(r.opts.Dest)
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(r.opts.CacheDir, "journal-"+hex.EncodeToString(sum[:8])+".bin")
}

// journalKey hashes what every output depends on besides the files.
func (r *run) journalKey() string {
	h := sha256.New()
	o := r.opts
	fmt.Fprintf(h, "kiji %s\n%q %q %q %q %q\n", cacheVersion(), o.Root, o.Source, o.Dest, o.Config, o.CacheDir)
	fmt.Fprintf(h, "%q %v %v %v %q %v\n", o.BaseURL, o.Drafts, o.Offline, o.ZennStrict, o.OnBroken, o.NoGit)
	h.Write(r.cfgRaw)
	return hex.EncodeToString(h.Sum(nil))
}

// sourceRoots are the folders a build reads, besides kiji.yaml.
func (r *run) sourceRoots() []string {
	var roots []string
	for _, d := range contentDirs {
		roots = append(roots, filepath.Join(r.opts.Source, d))
	}
	if r.cfg.Theme != "default" {
		roots = append(roots, filepath.Join(r.opts.Root, "themes", r.cfg.Theme))
	}
	return append(roots, gitFiles(r.opts.Source)...)
}

// gitFiles are the files of the git repository holding dir that change
// with every commit, checkout or reset (dates may come from the history).
func gitFiles(dir string) []string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for d := abs; ; d = filepath.Dir(d) {
		g := filepath.Join(d, ".git")
		if fi, err := os.Stat(g); err == nil {
			if !fi.IsDir() { // a worktree's: "gitdir: PATH"
				b, _ := os.ReadFile(g)
				if p, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: "); ok {
					if !filepath.IsAbs(p) {
						p = filepath.Join(d, p)
					}
					g = p
				}
			}
			return []string{filepath.Join(g, "HEAD"), filepath.Join(g, "logs", "HEAD"), filepath.Join(g, "index")}
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

// upToDate reports whether the output is what this build would write,
// from the journal; when it is, it fills the report. Either way it takes
// the sources' stamps for the journal this build writes.
func (r *run) upToDate() bool {
	if r.b != nil || r.opts.Dev || !stampsSupported {
		return false
	}
	jr := &journalRun{key: r.journalKey(), srcAt: time.Now()}
	r.journal = jr
	prev := readJournal(r.journalPath())
	jr.sources, jr.ok = stampTrees(r.sourceRoots(), prev)
	if !jr.ok || prev == nil || prev.Key != jr.key {
		return false
	}
	jr.prev = prev
	// The output as the last build left it spares this build a walk of
	// the output folder (journal_outputs.go), whatever else changed.
	due := prev.Due != 0 && !r.opts.Now.Before(time.Unix(0, prev.Due)) // a scheduled article is due
	if !trustedSources(prev) || due || !sameSlice(prev.Sources, jr.sources) {
		jr.checkOutputs(prev, r.opts.Dest)
		return false
	}
	jr.outsSame = outputsUnchanged(prev, r.opts.Dest)
	if !jr.outsSame {
		return false
	}
	r.replay(&prev.Report)
	return true
}

func sameSlice(a, b []pathStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Path != b[i].Path || a[i].stamp != b[i].stamp {
			return false
		}
	}
	return true
}

// replay makes r's report the saved one of the build that left the output.
func (r *run) replay(saved *Report) {
	rep := r.report
	rep.Articles, rep.Topics, rep.Books, rep.Pages, rep.Images = saved.Articles, saved.Topics, saved.Books, saved.Pages, saved.Images
	rep.Unchanged = saved.Written + saved.Unchanged
	rep.Published = true
	r.probs.Add(saved.Problems...)
}

// nothingToDo finishes the report of a build the journal found up to date.
func (r *run) nothingToDo(start time.Time) *Report {
	r.report.Steps = append(r.report.Steps, StepTime{"nothing changed", time.Since(start)})
	r.fillReport(start)
	return r.report
}

// writeJournal records, after a successful build, what the next build
// compares; after any other, it removes the journal (the next build is a
// full one).
func (r *run) writeJournal(err error) {
	jr := r.journal
	if jr == nil {
		return
	}
	jr.outputsSame() // a build that failed early may not have waited
	p := r.journalPath()
	os.Remove(p)
	if err != nil || !jr.ok || r.report.Errors > 0 || !r.report.Published || r.out == nil || r.site == nil {
		return
	}
	j := &statJournal{Key: jr.key, Sources: jr.sources, SrcAt: jr.srcAt.UnixNano(), Dest: r.out.dest, Report: *r.report}
	j.Report.Changed, j.Report.Steps, j.Report.PageOf = nil, nil, nil
	j.Due = r.firstDue()
	// The snapshot is written meanwhile: it is of use only beside a
	// journal of the same SrcAt.
	snapped := make(chan struct{})
	go func() { r.writeSnapshot(j.SrcAt); close(snapped) }()
	defer func() { <-snapped }()
	outsAt := time.Now()
	prevOuts, touched := jr.keptStamps(r.out)
	outs, ok := stampOutputs(r.out, prevOuts, touched)
	if ok {
		j.Outs, j.OutsAt = outs, outsAt.UnixNano()
		ok = saveJournal(r.opts.CacheDir, p, j) == nil
	}
	if !ok {
		<-snapped
		os.Remove(r.snapshotPath())
	}
}

// firstDue is the time of the first scheduled article (UnixNano; 0 for
// none). With --drafts a scheduled article is among the site's articles,
// else among its drafts: both are looked at.
func (r *run) firstDue() int64 {
	var due int64
	for _, as := range [][]*content.Article{r.site.Articles, r.site.Drafts} {
		for _, a := range as {
			if a.Scheduled && !a.Date.IsZero() && (due == 0 || a.Date.UnixNano() < due) {
				due = a.Date.UnixNano()
			}
		}
	}
	return due
}

// saveJournal writes j to p atomically.
func saveJournal(dir, p string, j *statJournal) error {
	return writeSummed(dir, "journal-*.tmp", p, encodeJournal(j))
}

// writeSummed writes body and its checksum (checksum.go) to p atomically, through a
// temporary file named by pattern in dir (the journal and the content
// snapshot are such files).
func writeSummed(dir, pattern, p string, body []byte) error {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	_, err = tmp.Write(appendSum(body, body))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readJournal reads the journal at p; nil when there is none or it is
// damaged.
func readJournal(p string) *statJournal {
	b, err := readCacheFile(p)
	if err != nil {
		return nil
	}
	body, ok := splitSummed(b)
	if !ok {
		return nil
	}
	j, err := decodeJournal(body)
	if err != nil {
		return nil
	}
	return j
}
