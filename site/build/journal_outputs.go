package build

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// When the output folder holds exactly what the last build's journal
// recorded (every file and folder with its stamp; see outputsUnchanged),
// a one-off build that must run trusts it as a dev server's Builder
// trusts the output its last build left:
//
//   - the files kiji did not write are the journal's: the folder is not
//     walked (a file added to a folder changes the folder's stamp);
//   - a file the manifest lists is kept when its hash is the one wanted,
//     without looking at it again;
//   - the journal it writes takes again only the stamps of what it changed
//     (the files it put in place and their folders, the folders of the
//     files it removed, the manifest, the folder itself).
//
// One thing stamps cannot see: a file put in a folder that held nothing
// (a folder is stamped only when it holds a file). Before a build puts a
// file where the last build had none, it looks there: a file kiji did
// not write is never replaced (checkNew).

// trustOutput sets up a one-off build's output from the journal, when the
// output folder is as it recorded.
func (r *run) trustOutput() {
	jr := r.journal
	if r.b != nil || jr == nil || !jr.outputsSame() {
		return
	}
	o := r.out
	if o.fresh {
		return
	}
	if o.prev == nil {
		o.startWalk() // the folder changed since: walk it after all
		return
	}
	var unknown []string
	for _, p := range jr.prev.Outs {
		if _, listed := o.prev[p.Path]; listed || p.Path == manifestName || fs.FileMode(p.Mode).IsDir() {
			continue
		}
		unknown = append(unknown, p.Path)
	}
	o.unknown, o.walkErr = unknown, nil
	o.walked = make(chan struct{})
	close(o.walked)
	o.knownDest = true
	o.checkNew = true
}

// keptStamps returns the stamps of the last journal (sorted by path) and
// the paths whose stamps this build may have changed: the others' are
// taken as they are. It returns nil when the output was not trusted.
func (jr *journalRun) keptStamps(o *output) ([]pathStamp, map[string]bool) {
	if jr == nil || !jr.outputsSame() || !o.knownDest {
		return nil, nil
	}
	touched := map[string]bool{".": true, manifestName: true}
	mark := func(rel string, self bool) {
		if self {
			touched[rel] = true
		}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			touched[d] = true
		}
	}
	for _, rel := range o.stagedNames() {
		mark(rel, true)
	}
	for _, rel := range o.goneNames() {
		mark(rel, true)
	}
	return jr.prev.Outs, touched
}

// newInTheWay returns, of the files this build puts where the last build
// had none, those where a file kiji did not write stands (or stands where
// one of their folders goes).
func (o *output) newInTheWay() []string {
	var bad []string
	full := func(rel string) string { return filepath.Join(o.dest, filepath.FromSlash(rel)) }
	for _, rel := range o.stagedNames() {
		if _, ok := o.prev[rel]; ok || o.jrn != nil && o.jrn.put[rel] {
			continue // listed, or put in place by this build already
		}
		if _, err := os.Lstat(full(rel)); err == nil {
			bad = append(bad, full(rel))
			continue
		}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			fi, err := os.Lstat(full(d))
			if err != nil {
				continue // not there: look further up
			}
			if _, ours := o.prev[d]; !fi.IsDir() && !ours {
				bad = append(bad, full(rel))
			}
			break
		}
	}
	return bad
}
