// Package gitdates tells when each file of a folder was first published
// and last changed, from the git history, in one pass for the whole
// folder.
//
// Read runs two git commands in the folder, whatever the number of files:
//
//	git log --format=%x01%at --name-only --no-renames -z --relative -- .
//	git status --porcelain -z --untracked-files=all -- .
//
// and gives a Table in which, for every file that git knows:
//
//   - Published is the author date of the oldest commit that touched the
//     file (the one that added it), and Updated the author date of the
//     newest. Author dates, not committer dates: a rebase or a cherry-pick
//     does not make an old article new. Min and max over all the file's
//     commits, so author dates out of commit order do not matter.
//   - A file with changes not yet committed (modified, staged or
//     untracked, as git status says) is Dirty: its Updated is the newer of
//     the commit date and its modification time, and an untracked file has
//     no git dates at all (the caller falls back on the file, see below).
//
// Renames are not followed (--no-renames): a renamed article is a new URL,
// so its page is new from the commit that renamed it. Merge commits list no
// files and count for nothing.
//
// Outside a repository, or without git on the PATH, Read returns an empty
// Table and no error: every file then falls back on its modification time
// (see Table.Of). A shallow clone (CI checks out one commit by default)
// gives every file older than the clone the date of the clone's oldest
// commit: Table.Shallow reports it so that the build can warn; GitHub
// Actions' actions/checkout needs fetch-depth: 0 for true dates.
//
// Table.Of never returns the Unix epoch as a date: a file with neither a
// git date nor a modification time gets the zero time, which callers treat
// as "unknown".
package gitdates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"
)

// Dates are when a file was first published and last changed.
type Dates struct {
	Published, Updated time.Time
	// From says where they came from: "git" or "file" ("" when unknown).
	From string
}

// Table holds the dates git knows of the files of one folder.
type Table struct {
	files map[string]Dates // by path relative to the folder, with slashes
	dirty map[string]bool
	// Repo reports whether the folder is in a git work tree.
	Repo bool
	// Shallow reports whether the repository is a shallow clone, whose
	// oldest dates are wrong.
	Shallow bool
}

// Empty is a Table that knows no file: every file falls back on its
// modification time.
func Empty() *Table { return &Table{files: map[string]Dates{}, dirty: map[string]bool{}} }

// Read reads the dates of every file under dir from git. Not being in a
// repository, or git missing, is not an error (see the package doc); a git
// that fails inside a repository is.
func Read(ctx context.Context, dir string) (*Table, error) {
	t := Empty()
	if _, err := exec.LookPath("git"); err != nil {
		return t, nil
	}
	out, err := git(ctx, dir, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--show-prefix")
	if err != nil {
		return t, nil // not a repository (or one git will not read)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 2 || lines[0] != "true" {
		return t, nil
	}
	t.Repo, t.Shallow = true, lines[1] == "true"
	prefix := ""
	if len(lines) > 2 {
		prefix = lines[2]
	}
	type result struct {
		out []byte
		err error
	}
	status := make(chan result, 1)
	go func() {
		b, err := git(ctx, dir, "status", "--porcelain", "-z", "--untracked-files=all", "--", ".")
		status <- result{b, err}
	}()
	log, err := git(ctx, dir, "log", "--format=%x01%at", "--name-only", "--no-renames", "-z", "--relative", "--", ".")
	st := <-status
	if err != nil && strings.Contains(err.Error(), "does not have any commits") {
		err, log = nil, nil // a new repository: no history yet
	}
	if err = errors.Join(err, st.err); err != nil {
		return Empty(), fmt.Errorf("reading the dates of %s from git: %w", dir, err)
	}
	t.files = parseLog(log)
	t.dirty = parseStatus(st.out, prefix)
	return t, nil
}

// git runs git in dir and returns its standard output.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	// No fsmonitor hook, no optional locks: reading the history must not
	// run a repository's programs or write to it.
	full := append([]string{"-c", "core.fsmonitor=false", "-c", "core.quotePath=false", "-c", "log.showSignature=false"}, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Dir = dir
	cmd.Env = append(cmd.Environ(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// parseLog reads git log's output: for each commit "\x01<author time>",
// then its files, each ended by NUL (the first after a newline).
func parseLog(b []byte) map[string]Dates {
	files := map[string]Dates{}
	var when time.Time
	for _, tok := range bytes.Split(b, []byte{0}) {
		tok = bytes.TrimLeft(tok, "\n")
		if len(tok) == 0 {
			continue
		}
		if tok[0] == 1 {
			sec, err := strconv.ParseInt(string(tok[1:]), 10, 64)
			when = time.Time{}
			if err == nil && sec > 0 {
				when = time.Unix(sec, 0).UTC()
			}
			continue
		}
		if when.IsZero() {
			continue
		}
		p := string(tok)
		d, ok := files[p]
		if !ok {
			files[p] = Dates{Published: when, Updated: when, From: "git"}
			continue
		}
		if when.Before(d.Published) {
			d.Published = when
		}
		if when.After(d.Updated) {
			d.Updated = when
		}
		files[p] = d
	}
	return files
}

// parseStatus reads git status --porcelain -z: "XY path" entries, a
// rename or copy followed by its source path. Paths are relative to the
// repository's root; prefix is the folder's path in it.
func parseStatus(b []byte, prefix string) map[string]bool {
	dirty := map[string]bool{}
	toks := bytes.Split(b, []byte{0})
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if len(tok) < 4 {
			continue
		}
		if tok[0] == 'R' || tok[0] == 'C' {
			i++ // the source path follows
		}
		if p, ok := strings.CutPrefix(string(tok[3:]), prefix); ok {
			dirty[p] = true
		}
	}
	return dirty
}

// Git returns the dates git knows of the file at p (relative to the
// folder, with slashes), and whether it knows them. A file changed since
// its last commit has the commit's dates here; Of accounts for the change.
func (t *Table) Git(p string) (Dates, bool) {
	d, ok := t.files[path.Clean(p)]
	return d, ok
}

// Dirty reports whether the file at p has changes git has not committed.
func (t *Table) Dirty(p string) bool { return t.dirty[path.Clean(p)] }

// Of returns the dates of the file at p in fsys (the folder the Table was
// read from): git's, with the modification time as Updated when the file
// has uncommitted changes that are newer; else the modification time as
// both dates. Zero dates mean neither is known.
func (t *Table) Of(fsys fs.FS, p string) Dates {
	d, ok := t.Git(p)
	if ok && !t.Dirty(p) {
		return d
	}
	var mtime time.Time
	if fi, err := fs.Stat(fsys, p); err == nil && fi.ModTime().Unix() > 0 {
		mtime = fi.ModTime().UTC().Truncate(time.Second)
	}
	if ok {
		if mtime.After(d.Updated) {
			d.Updated = mtime
		}
		return d
	}
	if mtime.IsZero() {
		return Dates{}
	}
	return Dates{Published: mtime, Updated: mtime, From: "file"}
}
