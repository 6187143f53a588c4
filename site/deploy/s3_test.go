package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/kiji-ssg/kiji/site/mediatype"
)

// These tests run kiji's deploy against a real S3-compatible server,
// versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0).

const (
	testAccessKey = "kijitestaccess"
	testSecretKey = "kijitestsecret0123456789"
	testBucket    = "site"
)

// versitygwBinary finds versitygw on PATH or in $(go env GOPATH)/bin. When
// it is missing the test fails under CI=true and is skipped otherwise.
func versitygwBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		gopath = strings.TrimSpace(string(out))
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	const msg = "versitygw (an S3-compatible server) is not installed; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// A gateway is a versitygw process serving a temporary folder.
type gateway struct {
	bin, root, addr string
	cmd             *exec.Cmd
	exited          chan struct{}
	log             bytes.Buffer
}

func startGateway(t testing.TB) *gateway {
	t.Helper()
	g := &gateway{bin: versitygwBinary(t), root: t.TempDir()}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.addr = l.Addr().String()
	l.Close()
	g.start(t)
	t.Cleanup(g.stop)
	return g
}

func (g *gateway) endpoint() string { return "http://" + g.addr }

func (g *gateway) start(t testing.TB) {
	t.Helper()
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
}

// run starts the server and waits until it listens; it may be called from
// any goroutine.
func (g *gateway) run() error {
	g.log.Reset()
	cmd := exec.Command(g.bin, "--port", g.addr, "--quiet", "posix", g.root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+testAccessKey, "ROOT_SECRET_KEY="+testSecretKey)
	cmd.Stdout = &g.log
	cmd.Stderr = &g.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting versitygw: %w", err)
	}
	g.cmd = cmd
	g.exited = make(chan struct{})
	go func() { cmd.Wait(); close(g.exited) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", g.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-g.exited:
			return fmt.Errorf("versitygw exited at start:\n%s", g.log.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw did not listen on %s within 15s:\n%s", g.addr, g.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop kills the server (no graceful shutdown: in-flight requests fail).
func (g *gateway) stop() {
	if g.cmd == nil {
		return
	}
	g.cmd.Process.Kill()
	<-g.exited
	g.cmd = nil
}

// useTestCredentials puts the gateway's credentials where the standard AWS
// chain finds them (the environment) and hides any other configuration.
func useTestCredentials(t testing.TB) {
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func newTestClient(t testing.TB, g *gateway, o ClientOptions) *Client {
	t.Helper()
	o.Endpoint = g.endpoint()
	c, err := NewClient(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustCreateBucket(t testing.TB, c *Client, bucket string) {
	t.Helper()
	if _, err := c.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating bucket %s: %v", bucket, err)
	}
}

func mustPut(t *testing.T, c *Client, key, body string) {
	t.Helper()
	_, err := c.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String(key), Body: strings.NewReader(body),
		ContentType: aws.String("text/plain"),
	})
	if err != nil {
		t.Fatalf("putting %s: %v", key, err)
	}
}

// objectState is everything about one object that a deploy may change.
type objectState struct {
	MD5, ContentType, CacheControl, ContentEncoding, MetaMD5 string
}

// snapshot reads every object of the bucket but deploy states: its body's
// MD5 (as stored) and headers.
func snapshot(t *testing.T, c *Client) map[string]objectState {
	t.Helper()
	ctx := context.Background()
	out := map[string]objectState{}
	p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(testBucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if path.Base(key) == StateName {
				continue
			}
			g, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("getting %s: %v", key, err)
			}
			b, err := io.ReadAll(g.Body)
			g.Body.Close()
			if err != nil {
				t.Fatalf("reading %s: %v", key, err)
			}
			sum := md5.Sum(b)
			out[key] = objectState{
				MD5:             hex.EncodeToString(sum[:]),
				ContentType:     aws.ToString(g.ContentType),
				CacheControl:    aws.ToString(g.CacheControl),
				ContentEncoding: aws.ToString(g.ContentEncoding),
				MetaMD5:         g.Metadata[MetadataMD5],
			}
		}
	}
	return out
}

// writeSite writes files (path → content) under dir, replacing what was
// there.
func writeSite(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// deployOnce runs Walk, Remote, Plan and (unless dryRun) Apply.
func deployOnce(t testing.TB, c *Client, tg Target, dir string, gz bool, apply ApplyOptions) (Changeset, error) {
	t.Helper()
	ctx := context.Background()
	local, err := Walk(dir, WalkOptions{Gzip: gz})
	if err != nil {
		t.Fatal(err)
	}
	on, err := c.Remote(ctx, tg, local, 4)
	if err != nil {
		return Changeset{}, err
	}
	cs, err := Plan(local, on.Objects, PlanOptions{Prefix: tg.Prefix, MaxDeletes: -1, State: on.State})
	if err != nil {
		return cs, err
	}
	return cs, c.Apply(ctx, tg, cs, apply)
}

type planned struct {
	Uploads map[string]string // key → reasons
	Deletes []string
}

func summarize(cs Changeset) planned {
	p := planned{Uploads: map[string]string{}}
	for _, u := range cs.Uploads {
		p.Uploads[u.Key] = u.Why()
	}
	for _, d := range cs.Deletes {
		p.Deletes = append(p.Deletes, d.Key)
	}
	return p
}

// wantState is the bucket state a site deployed to prefix must give, plus
// the objects outside the prefix.
func wantState(files map[string]string, prefix string, outside map[string]objectState) map[string]objectState {
	out := map[string]objectState{}
	for k, v := range outside {
		out[k] = v
	}
	for p, s := range files {
		sum := md5.Sum([]byte(s))
		h := hex.EncodeToString(sum[:])
		out[prefix+"/"+p] = objectState{MD5: h, ContentType: mediatype.ContentType(p), CacheControl: mediatype.CacheControl(p), MetaMD5: h}
	}
	return out
}

func outsideOf(state map[string]objectState, prefix string) map[string]objectState {
	out := map[string]objectState{}
	for k, v := range state {
		if !strings.HasPrefix(k, prefix+"/") {
			out[k] = v
		}
	}
	return out
}

var site1 = map[string]string{
	"index.html":                "<!doctype html><title>home</title><a href=/articles/a/>a</a>",
	"articles/a/index.html":     "<!doctype html><title>a</title><link rel=stylesheet href=/assets/style.3f2a9c1b.css>",
	"articles/b/index.html":     "<!doctype html><title>b</title>",
	"assets/style.3f2a9c1b.css": "body{color:#222}",
	"assets/app.js":             "console.log('kiji')",
	"images/photo.png":          "\x89PNG\r\n\x1a\nnot really a png",
	"feed.xml":                  "<?xml version=\"1.0\"?><feed/>",
	"sitemap.xml":               "<?xml version=\"1.0\"?><urlset/>",
	"robots.txt":                "User-agent: *\n",
	"data/file.bin":             "\x00\x01\x02",
	"tags/日本語/index.html":       "<!doctype html><title>tag</title>",
}

func copyFiles(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestDeployS3(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	c := newTestClient(t, g, ClientOptions{})
	mustCreateBucket(t, c, testBucket)
	// Neighbours of the prefix that no deploy may touch.
	mustPut(t, c, "other/keep.txt", "keep me")
	mustPut(t, c, "prefix2/index.html", "a sibling site")
	mustPut(t, c, "prefix2/assets/app.js", "sibling js")
	mustPut(t, c, "prefixfile", "a key sharing the prefix's letters")
	outside := snapshot(t, c)

	tg := Target{Bucket: testBucket, Prefix: "prefix"}
	dir := filepath.Join(t.TempDir(), "public")
	files := copyFiles(site1)
	writeSite(t, dir, files)

	check := func(t *testing.T, files map[string]string) {
		t.Helper()
		if diff := cmp.Diff(wantState(files, "prefix", outside), snapshot(t, c)); diff != "" {
			t.Errorf("bucket state (-want +got):\n%s", diff)
		}
	}

	t.Run("first deploy uploads everything", func(t *testing.T) {
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		want := planned{Uploads: map[string]string{}}
		for p := range files {
			want.Uploads["prefix/"+p] = "new"
		}
		if diff := cmp.Diff(want, summarize(cs)); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		check(t, files)
	})

	t.Run("headers round-trip", func(t *testing.T) {
		tests := []struct{ path, ct, cc string }{
			{"index.html", "text/html; charset=utf-8", "public, max-age=0, must-revalidate"},
			{"assets/style.3f2a9c1b.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
			{"assets/app.js", "text/javascript; charset=utf-8", "public, max-age=86400"},
			{"images/photo.png", "image/png", "public, max-age=86400"},
			{"feed.xml", "application/atom+xml; charset=utf-8", "public, max-age=0, must-revalidate"},
			{"data/file.bin", "application/octet-stream", "public, max-age=86400"},
		}
		for _, tt := range tests {
			h, err := c.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("prefix/" + tt.path)})
			if err != nil {
				t.Fatalf("HEAD %s: %v", tt.path, err)
			}
			got := [2]string{aws.ToString(h.ContentType), aws.ToString(h.CacheControl)}
			if diff := cmp.Diff([2]string{tt.ct, tt.cc}, got); diff != "" {
				t.Errorf("HEAD %s [Content-Type, Cache-Control] (-want +got):\n%s", tt.path, diff)
			}
		}
	})

	t.Run("second deploy uploads nothing", func(t *testing.T) {
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !cs.Empty() || cs.Unchanged != len(files) {
			t.Errorf("plan = %+v, unchanged %d; want nothing to do and %d unchanged", summarize(cs), cs.Unchanged, len(files))
		}
	})

	t.Run("an edited file is the only upload", func(t *testing.T) {
		// Same size, different bytes: only the MD5 can tell.
		files["articles/b/index.html"] = "<!doctype html><title>B</title>"
		// Different size.
		files["assets/app.js"] = "console.log('kiji 2')"
		writeSite(t, dir, files)
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := planned{Uploads: map[string]string{
			"prefix/articles/b/index.html": "content changed",
			"prefix/assets/app.js":         "size changed",
		}}
		if diff := cmp.Diff(want, summarize(cs)); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		check(t, files)
	})

	t.Run("a removed file's object is deleted", func(t *testing.T) {
		delete(files, "images/photo.png")
		delete(files, "tags/日本語/index.html")
		writeSite(t, dir, files)
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := planned{Uploads: map[string]string{}, Deletes: []string{"prefix/images/photo.png", "prefix/tags/日本語/index.html"}}
		if diff := cmp.Diff(want, summarize(cs)); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		check(t, files)
	})

	t.Run("max deletes stops the plan", func(t *testing.T) {
		delete(files, "robots.txt")
		delete(files, "data/file.bin")
		writeSite(t, dir, files)
		local, err := Walk(dir, WalkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		on, err := c.Remote(context.Background(), tg, local, 4)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Plan(local, on.Objects, PlanOptions{Prefix: tg.Prefix, MaxDeletes: 1, State: on.State})
		if !errors.Is(err, ErrTooManyDeletes) {
			t.Fatalf("Plan with MaxDeletes 1 and 2 deletes: err = %v, want ErrTooManyDeletes", err)
		}
		if _, err := deployOnce(t, c, tg, dir, false, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		check(t, files)
	})

	// killedDeploy deploys dir with a client that gives up fast, kills the
	// server when kill says so, checks that Apply reports an incomplete
	// deploy, restarts the server and returns the events seen in order.
	killedDeploy := func(t *testing.T, kill func(ev Event) bool) []Event {
		t.Helper()
		fast := newTestClient(t, g, ClientOptions{MaxAttempts: 2, MaxBackoff: 50 * time.Millisecond})
		var events []Event
		killed := false
		_, err := deployOnce(t, fast, tg, dir, false, ApplyOptions{
			Concurrency: 4,
			Progress: func(ev Event) {
				events = append(events, ev)
				if !killed && kill(ev) {
					killed = true
					g.stop()
				}
			},
		})
		if !killed {
			t.Fatalf("the deploy ended (err %v) before the point where the server was to be killed", err)
		}
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("deploy with the server killed: err = %v, want ErrIncomplete", err)
		}
		if h := Hint(err); !strings.Contains(h, "again") {
			t.Errorf("Hint(%v) = %q, want advice to run again", err, h)
		}
		g.start(t)
		return events
	}
	converge := func(t *testing.T) {
		t.Helper()
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil {
			t.Fatalf("rerun: %v", err)
		}
		if cs.Empty() {
			t.Errorf("the rerun had nothing to do; the killed run was not interrupted")
		}
		check(t, files)
		cs, err = deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil || !cs.Empty() {
			t.Errorf("run after the rerun: plan %+v, err %v; want nothing to do", summarize(cs), err)
		}
	}
	newVersion := func(first, n int) []string {
		var added []string
		for i := first; i < first+n; i++ {
			p := fmt.Sprintf("assets/chunk%02d.%08x.js", i, i)
			files[p] = strings.Repeat(fmt.Sprintf("/*%d*/", i), 2000)
			added = append(added, "prefix/"+p)
		}
		for p := range files {
			if strings.HasSuffix(p, ".html") {
				files[p] += fmt.Sprintf("<script src=/assets/chunk%02d.%08x.js></script>", first, first)
			}
		}
		return added
	}

	t.Run("a server killed while uploading assets, then a rerun, converge", func(t *testing.T) {
		newVersion(0, 40)
		writeSite(t, dir, files)
		before := snapshot(t, c)
		uploads := 0
		killedDeploy(t, func(ev Event) bool {
			if ev.Upload != nil && ev.Err == nil {
				uploads++
			}
			return uploads == 5
		})
		// Nothing broken is served: the server died during the assets
		// stage, so every page is still the old one.
		mid := snapshot(t, c)
		for k, v := range mid {
			if strings.HasSuffix(k, ".html") && v != before[k] {
				t.Errorf("%s changed although the assets it needs were not all uploaded", k)
			}
		}
		converge(t)
	})

	t.Run("a server killed while uploading pages, then a rerun, converge", func(t *testing.T) {
		added := newVersion(40, 20)
		files["assets/app.js"] = "console.log('kiji 3')"
		delete(files, "articles/b/index.html")
		for i := 0; i < 12; i++ {
			files[fmt.Sprintf("notes/%d/index.html", i)] = fmt.Sprintf("<p>note %d<script src=/assets/chunk40.00000028.js></script>", i)
		}
		writeSite(t, dir, files)
		pages := 0
		events := killedDeploy(t, func(ev Event) bool {
			if ev.Upload != nil && ev.Err == nil && isPage(ev.Upload.Key) {
				pages++
			}
			return pages == 2
		})
		// Every asset finished before any page, and nothing was deleted.
		sawPage := false
		for _, ev := range events {
			switch {
			case ev.Delete != nil:
				t.Errorf("deleted %s before every upload had succeeded", ev.Delete.Key)
			case isPage(ev.Upload.Key):
				sawPage = true
			case sawPage && ev.Upload.Stage == StageAssets:
				t.Errorf("asset %s was uploaded after a page", ev.Upload.Key)
			}
		}
		// And the bucket shows it: the new pages online have every new
		// asset, and the stale page is still there.
		mid := snapshot(t, c)
		for _, k := range added {
			if _, ok := mid[k]; !ok {
				t.Errorf("%s is missing while new pages are online", k)
			}
		}
		if _, ok := mid["prefix/articles/b/index.html"]; !ok {
			t.Errorf("the stale page was deleted before the deploy finished")
		}
		converge(t)
	})

	t.Run("transient errors are retried", func(t *testing.T) {
		ft := &flakyTransport{every: 3}
		flaky := newTestClient(t, g, ClientOptions{MaxBackoff: 20 * time.Millisecond, HTTPClient: &http.Client{Transport: ft}})
		files["assets/new.css"] = "p{margin:0}"
		files["index.html"] += "<!-- v3 -->"
		files["articles/a/index.html"] += "<!-- v3 -->"
		writeSite(t, dir, files)
		if _, err := deployOnce(t, flaky, tg, dir, false, ApplyOptions{Concurrency: 2}); err != nil {
			t.Fatalf("deploy through a transport failing every 3rd request: %v", err)
		}
		if ft.failed.Load() == 0 {
			t.Fatal("the flaky transport injected no failure")
		}
		check(t, files)
	})

	t.Run("gzip", func(t *testing.T) {
		cs, err := deployOnce(t, c, tg, dir, true, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Compressible files are re-uploaded (encoding changed), images and
		// binaries are not.
		for _, u := range cs.Uploads {
			if !u.File.Gzip || !strings.Contains(u.Why(), string(ReasonEncoding)) {
				t.Errorf("upload %s (%s), gzip %v; want only gzip re-uploads for the encoding", u.Key, u.Why(), u.File.Gzip)
			}
		}
		h, err := c.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("prefix/index.html")})
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]string{aws.ToString(h.ContentType), aws.ToString(h.ContentEncoding)}; got != [2]string{"text/html; charset=utf-8", "gzip"} {
			t.Errorf("HEAD index.html [Content-Type, Content-Encoding] = %q, want text/html with gzip", got)
		}
		raw, err := c.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("prefix/index.html")})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(raw.Body)
		raw.Body.Close()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("stored index.html is not gzip: %v", err)
		}
		plain, _ := io.ReadAll(zr)
		if diff := cmp.Diff(files["index.html"], string(plain)); diff != "" {
			t.Errorf("gunzipped index.html (-want +got):\n%s", diff)
		}
		cs, err = deployOnce(t, c, tg, dir, true, ApplyOptions{})
		if err != nil || !cs.Empty() {
			t.Errorf("second gzip deploy: plan %+v, err %v; want nothing (the MD5 of the uncompressed file matches)", summarize(cs), err)
		}
		// And back to plain files.
		if _, err := deployOnce(t, c, tg, dir, false, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		check(t, files)
	})

	t.Run("a multipart object without md5 metadata is re-uploaded once", func(t *testing.T) {
		ctx := context.Background()
		key := "prefix/assets/app.js"
		body := []byte(files["assets/app.js"])
		mp, err := c.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket: aws.String(testBucket), Key: aws.String(key),
			ContentType: aws.String(mediatype.ContentType("assets/app.js")), CacheControl: aws.String(mediatype.CacheControl("assets/app.js")),
		})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(testBucket), Key: aws.String(key), UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: aws.String(testBucket), Key: aws.String(key), UploadId: mp.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := planned{Uploads: map[string]string{key: string(ReasonUnknown)}}
		if diff := cmp.Diff(want, summarize(cs)); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
		cs, err = deployOnce(t, c, tg, dir, false, ApplyOptions{})
		if err != nil || !cs.Empty() {
			t.Errorf("after the re-upload: plan %+v, err %v; want nothing", summarize(cs), err)
		}
	})

	t.Run("the bucket root as target", func(t *testing.T) {
		// A separate bucket: the root target owns every key in it.
		mustCreateBucket(t, c, "rootsite")
		root := Target{Bucket: "rootsite"}
		small := map[string]string{"index.html": "<p>root</p>", "a/index.html": "<p>a</p>"}
		rdir := filepath.Join(t.TempDir(), "public")
		writeSite(t, rdir, small)
		if _, err := deployOnce(t, c, root, rdir, false, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		delete(small, "a/index.html")
		writeSite(t, rdir, small)
		cs, err := deployOnce(t, c, root, rdir, false, ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(planned{Uploads: map[string]string{}, Deletes: []string{"a/index.html"}}, summarize(cs)); diff != "" {
			t.Errorf("plan (-want +got):\n%s", diff)
		}
	})

	// Whatever happened above, the neighbours are untouched.
	if diff := cmp.Diff(outside, outsideOf(snapshot(t, c), "prefix")); diff != "" {
		t.Errorf("objects outside the prefix changed (-want +got):\n%s", diff)
	}
}

// flakyTransport answers every n-th request with a 503 SlowDown (which S3
// sends when overloaded) or, alternately, a dropped connection, without
// reaching the server.
type flakyTransport struct {
	every  int32
	n      atomic.Int32
	failed atomic.Int32
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.n.Add(1)
	if n%f.every == 0 {
		f.failed.Add(1)
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		if (n/f.every)%2 == 0 {
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
		}
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
		return &http.Response{
			StatusCode:    http.StatusServiceUnavailable,
			Status:        "503 Service Unavailable",
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        http.Header{"Content-Type": {"application/xml"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:          io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)),
			Request:       r,
		}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestRemoteSkipsOtherPrefixes(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	c := newTestClient(t, g, ClientOptions{})
	mustCreateBucket(t, c, testBucket)
	for _, k := range []string{"blog/index.html", "blog/a/index.html", "blog2/index.html", "blogindex.html", "other/blog/index.html"} {
		mustPut(t, c, k, "x")
	}
	on, err := c.Remote(context.Background(), Target{Bucket: testBucket, Prefix: "blog"}, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range on.Objects {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"blog/a/index.html", "blog/index.html"}, keys); diff != "" {
		t.Errorf("listed keys (-want +got):\n%s", diff)
	}
}
