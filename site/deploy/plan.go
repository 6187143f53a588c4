package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kiji-ssg/kiji/site/mediatype"
)

// A RemoteObject is an object already in the bucket, as listed (and, for
// objects that match a local file, with its headers from the deploy state or,
// when the state has no valid record of it, as read with HEAD).
type RemoteObject struct {
	Key  string
	Size int64
	// ETag as S3 reports it (with or without its quotes). For a single-part
	// upload without SSE-KMS it is the MD5 of the stored bytes; for a
	// multipart upload it is "<md5 of the part MD5s>-<parts>", not an MD5
	// of the content.
	ETag string
	// MD5 is the x-amz-meta-md5 metadata kiji writes on every upload: the
	// hex MD5 of the file before compression. "" when absent.
	MD5             string
	ContentType     string
	CacheControl    string
	ContentEncoding string
	// Recorded says the headers and MD5 came from the deploy state (no HEAD
	// was needed).
	Recorded bool
}

// MetadataMD5 is the user-metadata key (x-amz-meta-md5) that holds the hex
// MD5 of the uncompressed file.
const MetadataMD5 = "md5"

// A Reason says why a file is uploaded.
type Reason string

// The reasons for an upload.
const (
	ReasonNew          Reason = "new"
	ReasonSize         Reason = "size changed"
	ReasonContent      Reason = "content changed"
	ReasonUnknown      Reason = "content not comparable (multipart or encrypted ETag and no md5 metadata)"
	ReasonContentType  Reason = "content-type changed"
	ReasonCacheControl Reason = "cache-control changed"
	ReasonEncoding     Reason = "content-encoding changed"
)

// A Stage is a step of Apply; a stage starts only when the previous one has
// fully succeeded.
type Stage int

// The stages, in the order Apply runs them. Assets (CSS, JS, images, …) go
// first so that no page ever points at a file that is not there yet; pages
// next; feeds, the sitemap and robots.txt (which point at pages) after them;
// stale objects are deleted last, once nothing new links to them.
const (
	StageAssets Stage = iota
	StagePages
	StageIndexes
)

func (s Stage) String() string {
	switch s {
	case StageAssets:
		return "assets"
	case StagePages:
		return "pages"
	case StageIndexes:
		return "feeds and sitemap"
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

func stageOf(p string) Stage {
	if isPage(p) {
		return StagePages
	}
	if mediatype.CacheControl(p) == mediatype.CacheRevalidate {
		return StageIndexes
	}
	return StageAssets
}

// An Upload is one file to put.
type Upload struct {
	File    LocalFile
	Key     string
	Stage   Stage
	Reasons []Reason
}

// New reports whether the object did not exist before.
func (u Upload) New() bool { return len(u.Reasons) == 1 && u.Reasons[0] == ReasonNew }

// Why joins the reasons for display.
func (u Upload) Why() string {
	s := make([]string, len(u.Reasons))
	for i, r := range u.Reasons {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// A Delete is one stale object to remove.
type Delete struct {
	Key  string
	Path string // site path, relative to the prefix
	Size int64
}

// A Changeset is the result of Plan: what Apply will do, in order.
type Changeset struct {
	Prefix    string
	Uploads   []Upload // sorted by stage, then new before changed, then key
	Deletes   []Delete // sorted by key
	Unchanged int

	// prev is the deploy state the plan was made with; keep records the
	// unchanged objects. Apply writes keep plus its uploads as the new
	// state.
	prev, keep State
}

// Empty reports whether there is nothing to do.
func (c Changeset) Empty() bool { return len(c.Uploads) == 0 && len(c.Deletes) == 0 }

// ChangedPaths returns the site paths whose content a cache may hold stale:
// replaced files and deleted ones. New files are left out: nothing was
// cached for them (beyond a briefly cached error).
func (c Changeset) ChangedPaths() []string {
	var ps []string
	for _, u := range c.Uploads {
		if !u.New() {
			ps = append(ps, u.File.Path)
		}
	}
	for _, d := range c.Deletes {
		ps = append(ps, d.Path)
	}
	sort.Strings(ps)
	return ps
}

// PlanOptions configure Plan.
type PlanOptions struct {
	// Prefix is the target's prefix (see Target.Prefix).
	Prefix string
	// MaxDeletes caps the number of deletes; a plan with more fails with
	// ErrTooManyDeletes. A negative value means no cap.
	MaxDeletes int
	// State is the deploy state read with the objects (Online.State).
	State State
}

// ErrTooManyDeletes is returned (wrapped) by Plan when more objects would be
// deleted than PlanOptions.MaxDeletes allows.
var ErrTooManyDeletes = errors.New("too many deletes")

// ErrNothingToDeploy is returned by Plan when the site folder is empty.
var ErrNothingToDeploy = errors.New("nothing to deploy")

var plainMD5 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// remoteMD5 returns the MD5 of the uncompressed content of o, or "" when it
// cannot be known. The md5 metadata kiji writes wins; without it the ETag is
// used only when it is a plain MD5 of stored bytes that are not
// content-encoded. A multipart ETag ("…-N") is not an MD5: such an object
// (uploaded by another tool) is re-uploaded once, after which it carries the
// metadata.
func remoteMD5(o RemoteObject) string {
	if m := strings.ToLower(o.MD5); plainMD5.MatchString(m) {
		return m
	}
	if o.ContentEncoding != "" {
		return ""
	}
	if e := strings.ToLower(strings.Trim(o.ETag, `"`)); plainMD5.MatchString(e) {
		return e
	}
	return ""
}

// Plan compares the built site with the objects online and returns what
// must be uploaded (with the reasons) and deleted. It does no I/O.
//
// Only objects under the prefix are considered: with the prefix "blog",
// "blog/…" objects are compared and may be deleted, while "blog2/…" and
// "other/…" are never touched. Folder markers (keys ending in "/") and the
// deploy state are never deleted. kiji's own local files (.kiji-manifest,
// staging folders) are never uploaded, so a copy that an older kiji
// uploaded is deleted like any stale object.
//
// When more deletes are planned than opts.MaxDeletes, Plan returns the full
// changeset (so it can be shown) and an error wrapping ErrTooManyDeletes.
func Plan(local []LocalFile, remote []RemoteObject, opts PlanOptions) (Changeset, error) {
	cs := Changeset{Prefix: opts.Prefix, prev: opts.State, keep: State{}}
	if len(local) == 0 {
		return cs, fmt.Errorf("%w: the site folder has no files; build the site first (kiji build)", ErrNothingToDeploy)
	}
	byPath := make(map[string]RemoteObject, len(remote))
	for _, o := range remote {
		if p, ok := sitePath(opts.Prefix, o.Key); ok {
			byPath[p] = o
		}
	}
	seen := make(map[string]bool, len(local))
	for _, f := range local {
		if internalPath(f.Path) {
			continue // kiji's own file: never published
		}
		seen[f.Path] = true
		o, ok := byPath[f.Path]
		reasons := []Reason{ReasonNew}
		if ok {
			reasons = compare(f, o)
		}
		if len(reasons) == 0 {
			cs.Unchanged++
			if r, ok := recordOf(f, o.ETag, o.Size); ok {
				cs.keep[keyHash(o.Key)] = r
			}
			continue
		}
		cs.Uploads = append(cs.Uploads, Upload{File: f, Key: keyOf(opts.Prefix, f.Path), Stage: stageOf(f.Path), Reasons: reasons})
	}
	for p, o := range byPath {
		if !seen[p] {
			cs.Deletes = append(cs.Deletes, Delete{Key: o.Key, Path: p, Size: o.Size})
		}
	}
	sortChanges(&cs)
	if opts.MaxDeletes >= 0 && len(cs.Deletes) > opts.MaxDeletes {
		return cs, fmt.Errorf("%w: the plan deletes %d objects under %s but at most %d are allowed; check that the site folder and the target are the right ones, then pass --max-deletes %d (or -1 for no limit)",
			ErrTooManyDeletes, len(cs.Deletes), describePrefix(opts.Prefix), opts.MaxDeletes, len(cs.Deletes))
	}
	return cs, nil
}

// sortChanges orders the uploads by stage, then new before changed, then
// key, and the deletes by key.
func sortChanges(cs *Changeset) {
	sort.Slice(cs.Uploads, func(i, j int) bool {
		a, b := cs.Uploads[i], cs.Uploads[j]
		if a.Stage != b.Stage {
			return a.Stage < b.Stage
		}
		// Within a stage, new files before changed ones: a changed page
		// (say the index) may link to a new one, rarely the reverse.
		if a.New() != b.New() {
			return a.New()
		}
		return a.Key < b.Key
	})
	sort.Slice(cs.Deletes, func(i, j int) bool { return cs.Deletes[i].Key < cs.Deletes[j].Key })
}

func describePrefix(prefix string) string {
	if prefix == "" {
		return "the bucket's root"
	}
	return prefix + "/"
}

// compare returns why f must replace o, or nothing when o is up to date.
func compare(f LocalFile, o RemoteObject) []Reason {
	var rs []Reason
	wantEnc := ""
	if f.Gzip {
		wantEnc = "gzip"
	}
	// The stored size is the compressed one for encoded objects, so sizes
	// are compared only when neither side is encoded.
	if wantEnc == "" && o.ContentEncoding == "" && o.Size != f.Size {
		rs = append(rs, ReasonSize)
	} else if m := remoteMD5(o); m == "" {
		rs = append(rs, ReasonUnknown)
	} else if m != f.MD5 {
		rs = append(rs, ReasonContent)
	}
	if !strings.EqualFold(o.ContentEncoding, wantEnc) {
		rs = append(rs, ReasonEncoding)
	}
	if o.ContentType != f.ContentType {
		rs = append(rs, ReasonContentType)
	}
	if o.CacheControl != f.CacheControl {
		rs = append(rs, ReasonCacheControl)
	}
	return rs
}
