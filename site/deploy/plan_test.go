package deploy

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/mediatype"
)

// lf describes a local file the way Walk would.
func lf(p, sum string, size int64) LocalFile {
	return LocalFile{Path: p, Source: "public/" + p, Size: size, MD5: sum, ContentType: mediatype.ContentType(p), CacheControl: mediatype.CacheControl(p)}
}

// ro describes the object kiji would have uploaded for f under prefix.
func ro(prefix string, f LocalFile) RemoteObject {
	return RemoteObject{Key: keyOf(prefix, f.Path), Size: f.Size, ETag: `"` + f.MD5 + `"`, MD5: f.MD5, ContentType: f.ContentType, CacheControl: f.CacheControl}
}

const (
	md5A = "0cc175b9c0f1b6a831c399e269772661"
	md5B = "92eb5ffee6ae2fec3ad71c777531578f"
	md5C = "4a8a08f09d37b73795649038408b5f33"
)

type planStep struct {
	Key     string
	Stage   Stage
	Reasons []Reason
}

type planResult struct {
	Uploads   []planStep
	Deletes   []string
	Unchanged int
	Err       string
}

func result(cs Changeset, err error) planResult {
	r := planResult{Unchanged: cs.Unchanged}
	for _, u := range cs.Uploads {
		r.Uploads = append(r.Uploads, planStep{u.Key, u.Stage, u.Reasons})
	}
	for _, d := range cs.Deletes {
		r.Deletes = append(r.Deletes, d.Key)
	}
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func TestPlan(t *testing.T) {
	index := lf("index.html", md5A, 10)
	page := lf("articles/x/index.html", md5B, 20)
	css := lf("assets/style.3f2a9c1b.css", md5C, 30)
	png := lf("images/p.png", md5A, 40)
	feed := lf("feed.xml", md5B, 50)
	gz := index
	gz.Gzip = true

	with := func(o RemoteObject, f func(*RemoteObject)) RemoteObject { f(&o); return o }

	tests := []struct {
		name   string
		local  []LocalFile
		remote []RemoteObject
		opts   PlanOptions
		want   planResult
	}{
		{
			name:  "empty bucket: everything new, assets then pages then feeds, new before changed",
			local: []LocalFile{feed, index, page, png, css},
			opts:  PlanOptions{Prefix: "blog", MaxDeletes: -1},
			want: planResult{Uploads: []planStep{
				{"blog/assets/style.3f2a9c1b.css", StageAssets, []Reason{ReasonNew}},
				{"blog/images/p.png", StageAssets, []Reason{ReasonNew}},
				{"blog/articles/x/index.html", StagePages, []Reason{ReasonNew}},
				{"blog/index.html", StagePages, []Reason{ReasonNew}},
				{"blog/feed.xml", StageIndexes, []Reason{ReasonNew}},
			}},
		},
		{
			name:   "up to date",
			local:  []LocalFile{index, css},
			remote: []RemoteObject{ro("blog", index), ro("blog", css)},
			opts:   PlanOptions{Prefix: "blog", MaxDeletes: -1},
			want:   planResult{Unchanged: 2},
		},
		{
			name:   "size changed",
			local:  []LocalFile{index},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) { o.Size = 11 })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonSize}}}},
		},
		{
			name:   "same size, content changed (metadata MD5)",
			local:  []LocalFile{index},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) { o.MD5, o.ETag = md5B, `"`+md5B+`"` })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonContent}}}},
		},
		{
			name:   "no metadata: a plain ETag is the MD5",
			local:  []LocalFile{index, css},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) { o.MD5 = "" }), with(ro("", css), func(o *RemoteObject) { o.MD5, o.ETag = "", md5A })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Unchanged: 1, Uploads: []planStep{{"assets/style.3f2a9c1b.css", StageAssets, []Reason{ReasonContent}}}},
		},
		{
			name:   "multipart ETag without metadata is not an MD5: re-upload",
			local:  []LocalFile{png},
			remote: []RemoteObject{with(ro("", png), func(o *RemoteObject) { o.MD5, o.ETag = "", `"`+md5A+`-3"` })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Uploads: []planStep{{"images/p.png", StageAssets, []Reason{ReasonUnknown}}}},
		},
		{
			name:   "multipart ETag with metadata MD5: compared by the metadata",
			local:  []LocalFile{png},
			remote: []RemoteObject{with(ro("", png), func(o *RemoteObject) { o.ETag = `"` + md5C + `-3"` })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Unchanged: 1},
		},
		{
			name:   "upper-case ETag and metadata",
			local:  []LocalFile{png},
			remote: []RemoteObject{with(ro("", png), func(o *RemoteObject) { o.MD5, o.ETag = strings.ToUpper(md5A), strings.ToUpper(md5A) })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Unchanged: 1},
		},
		{
			name:  "content-type and cache-control changed",
			local: []LocalFile{css},
			remote: []RemoteObject{with(ro("", css), func(o *RemoteObject) {
				o.ContentType, o.CacheControl = "text/css", "max-age=60"
			})},
			opts: PlanOptions{MaxDeletes: -1},
			want: planResult{Uploads: []planStep{{"assets/style.3f2a9c1b.css", StageAssets, []Reason{ReasonContentType, ReasonCacheControl}}}},
		},
		{
			name:   "gzip wanted, stored plain",
			local:  []LocalFile{gz},
			remote: []RemoteObject{ro("", index)},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonEncoding}}}},
		},
		{
			name:  "gzip stored: compressed size ignored, uncompressed MD5 compared",
			local: []LocalFile{gz},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) {
				o.ContentEncoding, o.Size, o.ETag = "gzip", 7, `"`+md5C+`"`
			})},
			opts: PlanOptions{MaxDeletes: -1},
			want: planResult{Unchanged: 1},
		},
		{
			name:  "gzip stored without metadata: the ETag is of compressed bytes, re-upload",
			local: []LocalFile{gz},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) {
				o.ContentEncoding, o.Size, o.MD5 = "gzip", 7, ""
			})},
			opts: PlanOptions{MaxDeletes: -1},
			want: planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonUnknown}}}},
		},
		{
			name:   "gzip no longer wanted",
			local:  []LocalFile{index},
			remote: []RemoteObject{with(ro("", index), func(o *RemoteObject) { o.ContentEncoding, o.Size = "gzip", 7 })},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonEncoding}}}},
		},
		{
			name:  "deletes only inside the prefix; blog2/ and blog itself are not in blog/",
			local: []LocalFile{index},
			remote: []RemoteObject{
				ro("blog", index),
				ro("blog", page),
				{Key: "blog2/index.html", Size: 1},
				{Key: "blog", Size: 1},
				{Key: "blogx.html", Size: 1},
				{Key: "other/blog/a.html", Size: 1},
				{Key: "blog/", Size: 0},        // folder marker
				{Key: "blog/old/", Size: 0},    // folder marker
				{Key: "blog/old.css", Size: 3}, // stale
			},
			opts: PlanOptions{Prefix: "blog", MaxDeletes: -1},
			want: planResult{Unchanged: 1, Deletes: []string{"blog/articles/x/index.html", "blog/old.css"}},
		},
		{
			name:  "kiji's own files: the manifest and staging leftovers never go up (a leaked one is removed), the deploy state is never deleted",
			local: []LocalFile{index, lf(".kiji-manifest", md5A, 5), lf(".kiji-tmp-1/index.html", md5B, 6), lf(".public.kiji-tmp-2/a.css", md5C, 7)},
			remote: []RemoteObject{
				ro("blog", index),
				{Key: "blog/.kiji-manifest", Size: 5},
				{Key: "blog/.kiji-deploy-state", Size: 9},
			},
			opts: PlanOptions{Prefix: "blog", MaxDeletes: -1},
			want: planResult{Unchanged: 1, Deletes: []string{"blog/.kiji-manifest"}},
		},
		{
			name:   "bucket root: every key is in the prefix",
			local:  []LocalFile{index},
			remote: []RemoteObject{ro("", index), {Key: "blog2/index.html"}, {Key: "x/"}},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Unchanged: 1, Deletes: []string{"blog2/index.html"}},
		},
		{
			name:   "deletes at the cap pass",
			local:  []LocalFile{index},
			remote: []RemoteObject{{Key: "a.html"}, {Key: "b.html"}},
			opts:   PlanOptions{MaxDeletes: 2},
			want:   planResult{Uploads: []planStep{{"index.html", StagePages, []Reason{ReasonNew}}}, Deletes: []string{"a.html", "b.html"}},
		},
		{
			name:   "deletes past the cap fail, with the plan kept",
			local:  []LocalFile{index},
			remote: []RemoteObject{ro("", index), {Key: "a.html"}, {Key: "b.html"}, {Key: "c.html"}},
			opts:   PlanOptions{MaxDeletes: 2},
			want: planResult{Unchanged: 1, Deletes: []string{"a.html", "b.html", "c.html"},
				Err: "too many deletes: the plan deletes 3 objects under the bucket's root but at most 2 are allowed; check that the site folder and the target are the right ones, then pass --max-deletes 3 (or -1 for no limit)"},
		},
		{
			name:   "max deletes 0 and nothing stale",
			local:  []LocalFile{index},
			remote: []RemoteObject{ro("", index)},
			opts:   PlanOptions{MaxDeletes: 0},
			want:   planResult{Unchanged: 1},
		},
		{
			name:   "empty site folder",
			remote: []RemoteObject{ro("", index)},
			opts:   PlanOptions{MaxDeletes: -1},
			want:   planResult{Err: "nothing to deploy: the site folder has no files; build the site first (kiji build)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Plan(tt.local, tt.remote, tt.opts)
			if diff := cmp.Diff(tt.want, result(cs, err)); diff != "" {
				t.Errorf("Plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	_, err := Plan(nil, nil, PlanOptions{})
	if !errors.Is(err, ErrNothingToDeploy) || Hint(err) != "kiji build" {
		t.Errorf("empty folder: err %v, hint %q; want ErrNothingToDeploy with the hint kiji build", err, Hint(err))
	}
	_, err = Plan([]LocalFile{lf("a.html", md5A, 1)}, []RemoteObject{{Key: "b.html"}}, PlanOptions{MaxDeletes: 0})
	if !errors.Is(err, ErrTooManyDeletes) || !strings.Contains(Hint(err), "--dry-run") {
		t.Errorf("too many deletes: err %v, hint %q; want ErrTooManyDeletes and a hint naming --dry-run", err, Hint(err))
	}
}

func TestChangedPaths(t *testing.T) {
	cs, err := Plan(
		[]LocalFile{lf("index.html", md5A, 1), lf("new/index.html", md5A, 1), lf("a.css", md5B, 2)},
		[]RemoteObject{{Key: "s/index.html", MD5: md5B, Size: 1}, {Key: "s/a.css", MD5: md5B, Size: 2, ContentType: "text/css", CacheControl: mediatype.CacheDay}, {Key: "s/gone/index.html"}},
		PlanOptions{Prefix: "s", MaxDeletes: -1},
	)
	if err != nil {
		t.Fatal(err)
	}
	// a.css changed its headers only, new/ is new (nothing cached).
	want := []string{"a.css", "gone/index.html", "index.html"}
	if diff := cmp.Diff(want, cs.ChangedPaths()); diff != "" {
		t.Errorf("ChangedPaths (-want +got):\n%s", diff)
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want Target
		err  string
	}{
		{in: "s3://bucket", want: Target{Bucket: "bucket"}},
		{in: "s3://bucket/", want: Target{Bucket: "bucket"}},
		{in: "s3://my.bucket-1/blog", want: Target{Bucket: "my.bucket-1", Prefix: "blog"}},
		{in: "s3://bucket/blog/", want: Target{Bucket: "bucket", Prefix: "blog"}},
		{in: "s3://bucket/a/b", want: Target{Bucket: "bucket", Prefix: "a/b"}},
		{in: "bucket/blog", err: "is not an S3 URL"},
		{in: "https://bucket.s3.amazonaws.com/", err: "is not an S3 URL"},
		{in: "s3://", err: "has no bucket name"},
		{in: "s3:///blog", err: "has no bucket name"},
		{in: "s3://b", err: "is not a valid bucket name"},
		{in: "s3://bad bucket", err: "is not a valid bucket name"},
		{in: "s3://bucket/a//b", err: "empty"},
		{in: "s3://bucket/../x", err: `".."`},
		{in: "s3://bucket/a/./b", err: `"."`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseTarget(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTarget(%q) (-want +got):\n%s", tt.in, diff)
			}
			if got.String() != strings.TrimSuffix(tt.in, "/") {
				t.Errorf("String() = %q, want %q", got.String(), strings.TrimSuffix(tt.in, "/"))
			}
		})
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"s3://bucket/blog", "s3://b", "s3:///", "s3://bucket/a//b/../", "bucket"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			return
		}
		// A valid target's keys always stay inside its prefix.
		k := tg.Key("x/index.html")
		if _, ok := sitePath(tg.Prefix, k); !ok {
			t.Errorf("%q: key %q is not inside its own prefix %q", s, k, tg.Prefix)
		}
		if strings.HasPrefix(tg.Prefix, "/") || strings.HasSuffix(tg.Prefix, "/") {
			t.Errorf("%q: prefix %q has an outer slash", s, tg.Prefix)
		}
	})
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"index.html":                "<p>hi</p>",
		"assets/style.0123abcd.css": "p{}",
		"images/a.png":              "png",
		".well-known/security.txt":  "Contact: x",
		// kiji's own files are never published: the output manifest (it
		// lists every file) and staging folders left by a killed build.
		".kiji-manifest":                "kiji-manifest v1\n",
		".kiji-tmp-123/index.html":      "<p>staged</p>",
		".public.kiji-tmp-456/feed.xml": "<feed/>",
		"articles/.kiji-tmp-7/x.html":   "<p>staged</p>",
	}
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink is not published (it could point outside the folder).
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
		t.Fatal(err)
	}
	got, err := Walk(dir, WalkOptions{Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].Source = strings.TrimPrefix(filepath.ToSlash(got[i].Source), filepath.ToSlash(dir)+"/")
	}
	want := []LocalFile{
		{Path: ".well-known/security.txt", Source: ".well-known/security.txt", Size: 10, ContentType: "text/plain; charset=utf-8", CacheControl: mediatype.CacheDay, Gzip: true},
		{Path: "assets/style.0123abcd.css", Source: "assets/style.0123abcd.css", Size: 3, ContentType: "text/css; charset=utf-8", CacheControl: mediatype.CacheImmutable, Gzip: true},
		{Path: "images/a.png", Source: "images/a.png", Size: 3, ContentType: "image/png", CacheControl: mediatype.CacheDay, Gzip: false},
		{Path: "index.html", Source: "index.html", Size: 9, ContentType: "text/html; charset=utf-8", CacheControl: mediatype.CacheRevalidate, Gzip: true},
	}
	for i := range want {
		want[i].MD5 = md5Hex(files[want[i].Path])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Walk (-want +got):\n%s", diff)
	}

	if _, err := Walk(filepath.Join(dir, "missing"), WalkOptions{}); err == nil || !strings.Contains(err.Error(), "kiji build") {
		t.Errorf("Walk of a missing folder: err = %v, want one telling to run kiji build", err)
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
