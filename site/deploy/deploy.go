// Package deploy publishes a built site: it compares the built folder with
// what is already online, plans the uploads and deletes, then applies the
// plan.
//
// The steps are separate so the decision can be tested and shown before
// anything changes:
//
//	local, err := deploy.Walk("public", deploy.WalkOptions{Gzip: gz})
//	client, err := deploy.NewClient(ctx, deploy.ClientOptions{Region: region})
//	online, err := client.Remote(ctx, target, local, concurrency)
//	changes, err := deploy.Plan(local, online.Objects, deploy.PlanOptions{Prefix: target.Prefix, MaxDeletes: 100, State: online.State})
//	err = client.Apply(ctx, target, changes, deploy.ApplyOptions{Concurrency: 8})
//	paths := deploy.InvalidationPaths(changes.ChangedPaths(), "", deploy.DefaultInvalidationLimit)
//	id, err := client.Invalidate(ctx, distributionID, paths)
//
// Plan is pure (no I/O); Walk reads the disk; Client talks to S3 and
// CloudFront through the AWS SDK with the standard credential chain.
// Credentials are never printed nor put into errors by this package.
//
// What is online is known from one listing of the prefix (key, size, ETag)
// and the deploy state, a small object of kiji's under the prefix that holds
// what a listing cannot show (headers, the MD5 of gzip-stored files); see
// state.go. A deploy with nothing to do thus costs a listing request per
// 1,000 objects and one GET, not a request per file. Remote is List (which
// needs only the site's paths, so kiji deploy runs it while Describe reads
// the files) then ReadHeaders; Walk is Paths then Describe. A large site's
// listing is split into key ranges listed at once. kiji's own files
// (.kiji-manifest, staging folders, the deploy state) are never uploaded
// from the site folder, and the deploy state is never deleted.
//
// Requests are retried (newRetryer): 6 attempts with waits that reach 10 s,
// so a server restarting or briefly unreachable does not fail a deploy.
//
// GitHub Pages needs none of this: it is deployed by the workflow in
// .github/workflows/pages.yml (see docs/hosting.md).
package deploy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kiji-ssg/kiji/site/mediatype"
)

// A Target is where a site is deployed: a bucket and a key prefix.
type Target struct {
	Bucket string
	// Prefix is the folder inside the bucket, without leading or trailing
	// slashes; "" is the bucket's root.
	Prefix string
}

// ParseTarget parses "s3://bucket" or "s3://bucket/prefix".
func ParseTarget(s string) (Target, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return Target{}, fmt.Errorf("deploy target %q is not an S3 URL: write it as s3://bucket or s3://bucket/prefix", s)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Target{}, fmt.Errorf("deploy target %q has no bucket name: write it as s3://bucket or s3://bucket/prefix", s)
	}
	if !validBucket(bucket) {
		return Target{}, fmt.Errorf("deploy target %q: %q is not a valid bucket name (3-63 characters: lower-case letters, digits, dots and hyphens)", s, bucket)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return Target{}, fmt.Errorf("deploy target %q: the prefix %q has an empty, \".\" or \"..\" segment; write a plain folder path such as s3://%s/blog", s, prefix, bucket)
			}
		}
	}
	return Target{Bucket: bucket, Prefix: prefix}, nil
}

func validBucket(b string) bool {
	// Lenient on purpose: legacy AWS buckets and S3-compatible servers allow
	// more than today's AWS rules; this only rejects what cannot be a name.
	if len(b) < 3 || len(b) > 255 {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (t Target) String() string {
	if t.Prefix == "" {
		return "s3://" + t.Bucket
	}
	return "s3://" + t.Bucket + "/" + t.Prefix
}

// Key returns the object key of the site path p ("articles/x/index.html").
func (t Target) Key(p string) string { return keyOf(t.Prefix, p) }

func keyOf(prefix, p string) string {
	if prefix == "" {
		return p
	}
	return prefix + "/" + p
}

// listPrefix is the key prefix that holds the site: "blog/" for the prefix
// "blog" (so "blog2/…" never matches), "" for the bucket root.
func listPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return prefix + "/"
}

// A LocalFile is one file of the built site as it should be online.
type LocalFile struct {
	// Path is the slash-separated path relative to the site root, e.g.
	// "articles/hello/index.html".
	Path string
	// Source is the file on disk.
	Source string
	// Size is the size on disk and MD5 the hex MD5 of the bytes on disk
	// (before any compression).
	Size int64
	MD5  string
	// The headers the object must have.
	ContentType  string
	CacheControl string
	// Gzip says the object is stored gzip-compressed with
	// Content-Encoding: gzip (and the original Content-Type).
	Gzip bool
}

// WalkOptions says how Walk describes the files.
type WalkOptions struct {
	// Gzip stores compressible files (text, SVG, JSON, wasm, …)
	// gzip-compressed; images, fonts and PDFs are already compressed and
	// are stored as they are.
	Gzip bool
}

// Paths returns the site paths ("articles/x/index.html") of the regular
// files under dir, sorted, without reading them. Symlinks and devices are
// left out (following a link could publish a file from outside the
// folder), and so are kiji's own files: the build's .kiji-manifest, which
// lists every file, and staging folders left by a killed build.
func Paths(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("the site folder %s does not exist: build the site first (kiji build) or pass --dir: %w", dir, err)
		}
		return nil, fmt.Errorf("reading the site folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder: pass the built site's folder with --dir", dir)
	}
	var paths []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p != dir && internal(d.Name()) && d.IsDir():
			return filepath.SkipDir
		case p == dir || internal(d.Name()) || !d.Type().IsRegular():
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !utf8.ValidString(rel) {
			return fmt.Errorf("%s: the file name is not valid UTF-8, so it cannot be an S3 key; rename the file", p)
		}
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the site folder %s: %w", dir, err)
	}
	sort.Strings(paths)
	return paths, nil
}

// Describe reads the files of dir at the site paths given (as Paths
// returns them) and describes them as Walk does, in the same order.
// Reading and hashing the files is most of a deploy with nothing to do, so
// it is done a few files at a time.
func Describe(dir string, paths []string, opts WalkOptions) ([]LocalFile, error) {
	files := make([]LocalFile, len(paths))
	err := parallel(context.Background(), 2*runtime.GOMAXPROCS(0), len(paths), func(_ context.Context, i int) error {
		var err error
		files[i], err = describe(dir, paths[i], opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the site folder %s: %w", dir, err)
	}
	return files, nil
}

// describe reads the file at the site path rel of the site folder dir.
func describe(dir, rel string, opts WalkOptions) (LocalFile, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	size, sum, err := md5File(p)
	if err != nil {
		return LocalFile{}, err
	}
	ct := mediatype.ContentType(rel)
	return LocalFile{
		Path:         rel,
		Source:       p,
		Size:         size,
		MD5:          sum,
		ContentType:  ct,
		CacheControl: mediatype.CacheControl(rel),
		Gzip:         opts.Gzip && compressible(ct),
	}, nil
}

func md5File(name string) (int64, string, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := md5.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("reading %s: %w", name, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// compressible reports whether gzip is worth it for a content type: text
// and text-like formats are; images, fonts, video and PDFs are compressed
// already.
func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+json"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/wasm", "image/x-icon", "font/ttf", "font/otf":
		return true
	}
	return false
}

// sitePath returns the site path of key under prefix, or ok=false when key
// is outside the prefix, is a folder marker or is a deploy state (which no
// deploy deletes, not even a nested site's).
func sitePath(prefix, key string) (string, bool) {
	rel, ok := strings.CutPrefix(key, listPrefix(prefix))
	if !ok || rel == "" || strings.HasSuffix(rel, "/") || path.Base(rel) == StateName {
		return "", false
	}
	return rel, true
}

// internal reports whether a file or folder name is kiji's own and never
// published: a name that starts with ".kiji-" (the build's .kiji-manifest,
// the deploy state) or holds ".kiji-tmp-" (a build's staging folder,
// .public.kiji-tmp-*).
func internal(name string) bool {
	return strings.HasPrefix(name, ".kiji-") || strings.Contains(name, ".kiji-tmp-")
}

// internalPath reports whether any segment of a site path is internal.
func internalPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if internal(seg) {
			return true
		}
	}
	return false
}

// isPage reports whether a site path is an HTML page.
func isPage(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".html", ".htm":
		return true
	}
	return false
}
