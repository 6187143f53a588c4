package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// countingTransport counts the requests a client sends, by method.
type countingTransport struct {
	mu   sync.Mutex
	seen map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.seen == nil {
		c.seen = map[string]int{}
	}
	c.seen[r.Method]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// take returns the counts since the last call and resets them.
func (c *countingTransport) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.seen
	c.seen = nil
	if out == nil {
		out = map[string]int{}
	}
	return out
}

func manyFiles(n int) map[string]string {
	files := map[string]string{}
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			files[fmt.Sprintf("articles/a%03d/index.html", i)] = fmt.Sprintf("<p>article %d</p>", i)
		case 1:
			files[fmt.Sprintf("assets/s%03d.%08x.css", i, i)] = fmt.Sprintf("p{margin:%dpx}", i)
		default:
			files[fmt.Sprintf("images/p%03d.png", i)] = fmt.Sprintf("\x89PNG %d", i)
		}
	}
	return files
}

// TestNoChangeDeployReadsNoHeaders: a deploy with nothing to do decides
// from the listing, without one request per file.
func TestNoChangeDeployReadsNoHeaders(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	ct := &countingTransport{}
	c := newTestClient(t, g, ClientOptions{HTTPClient: &http.Client{Transport: ct}})
	mustCreateBucket(t, c, testBucket)
	tg := Target{Bucket: testBucket, Prefix: "blog"}
	files := manyFiles(60)
	dir := filepath.Join(t.TempDir(), "public")
	writeSite(t, dir, files)
	if _, err := deployOnce(t, c, tg, dir, false, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	ct.take()
	cs, err := deployOnce(t, c, tg, dir, false, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Empty() || cs.Unchanged != len(files) {
		t.Errorf("plan %+v, %d unchanged; want nothing to do and %d unchanged", summarize(cs), cs.Unchanged, len(files))
	}
	// One listing page and the deploy state.
	if diff := cmp.Diff(map[string]int{"GET": 2}, ct.take()); diff != "" {
		t.Errorf("requests of a no-change deploy of %d files (-want +got):\n%s", len(files), diff)
	}
}

// failingStateTransport answers every PUT of the deploy state that comes
// after an upload with 403 AccessDenied (the state written at the end of a
// deploy), and passes every other request on.
type failingStateTransport struct {
	uploaded atomic.Bool
}

func (f *failingStateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	isState := strings.HasSuffix(r.URL.Path, "/"+StateName)
	if r.Method == http.MethodPut && !isState {
		f.uploaded.Store(true)
	}
	if r.Method == http.MethodPut && isState && f.uploaded.Load() {
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
		return &http.Response{
			StatusCode: http.StatusForbidden, Status: "403 Forbidden", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/xml"}, "Content-Length": {strconv.Itoa(len(body))}},
			Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
		}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestDeployState: what the deploy state spares (HEAD requests) never hides
// a change.
func TestDeployState(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	c := newTestClient(t, g, ClientOptions{})
	mustCreateBucket(t, c, testBucket)
	tg := Target{Bucket: testBucket, Prefix: "blog"}
	files := manyFiles(30)
	dir := filepath.Join(t.TempDir(), "public")
	writeSite(t, dir, files)
	ctx := context.Background()

	// plan walks dir, lets edit change what kiji wants (as a kiji upgrade
	// with other header rules would) and plans against the bucket.
	plan := func(t *testing.T, c *Client, gz bool, edit func(*LocalFile)) (Changeset, Online) {
		t.Helper()
		local, err := Walk(dir, WalkOptions{Gzip: gz})
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			for i := range local {
				edit(&local[i])
			}
		}
		on, err := c.Remote(ctx, tg, local, 4)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := Plan(local, on.Objects, PlanOptions{Prefix: tg.Prefix, MaxDeletes: 0, State: on.State})
		if err != nil {
			t.Fatal(err)
		}
		return cs, on
	}
	apply := func(t *testing.T, c *Client, cs Changeset) error {
		t.Helper()
		return c.Apply(ctx, tg, cs, ApplyOptions{Concurrency: 4})
	}
	reasons := func(cs Changeset) map[string]string { return summarize(cs).Uploads }
	pages := func(reason Reason) map[string]string {
		out := map[string]string{}
		for p := range files {
			if isPage(p) {
				out["blog/"+p] = string(reason)
			}
		}
		return out
	}
	oneMinute := func(f *LocalFile) {
		if isPage(f.Path) {
			f.CacheControl = "public, max-age=60"
		}
	}
	nothingToDo := func(t *testing.T, gz bool) {
		t.Helper()
		cs, on := plan(t, c, gz, nil)
		if !cs.Empty() || on.Heads != 0 {
			t.Errorf("plan %+v with %d HEADs; want nothing to do and no HEAD", summarize(cs), on.Heads)
		}
	}

	if _, err := deployOnce(t, c, tg, dir, false, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}

	t.Run("a changed Cache-Control rule re-uploads what it concerns, without HEAD", func(t *testing.T) {
		cs, on := plan(t, c, false, oneMinute)
		if diff := cmp.Diff(pages(ReasonCacheControl), reasons(cs)); diff != "" || on.Heads != 0 {
			t.Errorf("%d HEADs, plan (-want +got):\n%s", on.Heads, diff)
		}
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		// And back.
		cs, _ = plan(t, c, false, nil)
		if diff := cmp.Diff(pages(ReasonCacheControl), reasons(cs)); diff != "" {
			t.Errorf("plan back (-want +got):\n%s", diff)
		}
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		nothingToDo(t, false)
	})

	t.Run("gzip on and off, compared by the original MD5, without HEAD", func(t *testing.T) {
		cs, on := plan(t, c, true, nil)
		for _, u := range cs.Uploads {
			if !u.File.Gzip || u.Why() != string(ReasonEncoding) {
				t.Errorf("upload %s (%s), want only gzip re-uploads for the encoding", u.Key, u.Why())
			}
		}
		if len(cs.Uploads) == 0 || on.Heads != 0 {
			t.Errorf("%d uploads with %d HEADs; want some, and no HEAD", len(cs.Uploads), on.Heads)
		}
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		nothingToDo(t, true)
		cs, _ = plan(t, c, false, nil)
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		nothingToDo(t, false)
	})

	t.Run("an object replaced by another tool is read with HEAD", func(t *testing.T) {
		key := "blog/articles/a000/index.html"
		mustPut(t, c, key, strings.Replace(files["articles/a000/index.html"], "article", "ARTICLE", 1)) // same size
		cs, on := plan(t, c, false, nil)
		if diff := cmp.Diff(map[string]string{key: "content changed, content-type changed, cache-control changed"}, reasons(cs)); diff != "" || on.Heads != 1 {
			t.Errorf("%d HEADs (want 1), plan (-want +got):\n%s", on.Heads, diff)
		}
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		nothingToDo(t, false)
	})

	t.Run("without a state (deleted, or damaged) every object is read with HEAD, then recorded", func(t *testing.T) {
		for _, body := range []string{"", "not a state"} {
			if body == "" {
				if _, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(testBucket), Key: aws.String(tg.Key(StateName))}); err != nil {
					t.Fatal(err)
				}
			} else {
				mustPut(t, c, tg.Key(StateName), body)
			}
			cs, on := plan(t, c, false, nil)
			if !cs.Empty() || on.Heads != len(files) {
				t.Errorf("state %q: plan %+v with %d HEADs; want nothing to do and %d HEADs", body, summarize(cs), on.Heads, len(files))
			}
			if err := apply(t, c, cs); err != nil {
				t.Fatal(err)
			}
			nothingToDo(t, false)
		}
	})

	t.Run("a deploy stopped before its state is recorded, then undone, is not missed", func(t *testing.T) {
		// Only headers change, so the ETags stay the same: only the state
		// can tell. The state write after the uploads fails.
		failing := newTestClient(t, g, ClientOptions{HTTPClient: &http.Client{Transport: &failingStateTransport{}}})
		cs, _ := plan(t, failing, false, oneMinute)
		err := apply(t, failing, cs)
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("Apply with the final state write failing: err = %v, want ErrIncomplete", err)
		}
		// The pages online now have max-age=60; kiji wants the old rule
		// again.
		cs, _ = plan(t, c, false, nil)
		if diff := cmp.Diff(pages(ReasonCacheControl), reasons(cs)); diff != "" {
			t.Errorf("plan after the stopped deploy (-want +got):\n%s", diff)
		}
		if err := apply(t, c, cs); err != nil {
			t.Fatal(err)
		}
		nothingToDo(t, false)
		if diff := cmp.Diff(wantState(files, "blog", nil), snapshot(t, c)); diff != "" {
			t.Errorf("bucket state (-want +got):\n%s", diff)
		}
	})

	t.Run("the state is never deleted nor counted as a delete", func(t *testing.T) {
		if _, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(tg.Key(StateName))}); err != nil {
			t.Fatalf("the deploy state is not in the bucket: %v", err)
		}
		cs, _ := plan(t, c, false, nil) // MaxDeletes 0: fails on any delete
		if len(cs.Deletes) != 0 {
			t.Errorf("deletes %v", summarize(cs).Deletes)
		}
	})
}

// TestListRanges: a listing split into ranges at the expected keys finds
// exactly what one listing from the start finds, whatever is online.
func TestListRanges(t *testing.T) {
	g := startGateway(t)
	useTestCredentials(t)
	c := newTestClient(t, g, ClientOptions{})
	mustCreateBucket(t, c, testBucket)
	online := []string{"a!", "a-c", "a.b", "a/a/x", "a/b", "a/z", "a/ü", "a0", "ab/c", "b", "index.html", "z/1", "z/2", "日本語/index.html"}
	for _, k := range online {
		mustPut(t, c, "blog/"+k, "x")
	}
	mustPut(t, c, "blog2/a", "x")
	mustPut(t, c, "blo", "x")
	defer func(n int) { pageKeys = n }(pageKeys)
	pageKeys = 2
	tg := Target{Bucket: testBucket, Prefix: "blog"}
	ctx := context.Background()
	keys := func(objs []RemoteObject) []string {
		var ks []string
		for _, o := range objs {
			ks = append(ks, o.Key)
		}
		return ks
	}
	want, err := c.list(ctx, tg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(online) {
		t.Fatalf("one listing found %v", keys(want))
	}
	tests := []struct {
		name   string
		expect []string
	}{
		{"expected as online", online},
		{"some expected are not online", append([]string{"0", "a.a", "a/c", "m", "zz"}, online...)},
		{"most online are not expected", []string{"a", "a/", "a0", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "~"}},
		{"none expected online", []string{"0", "1", "2", "3", "4", "5", "6", "7", "8"}},
		{"unsorted", []string{"z/2", "a/b", "b", "a!", "ab/c", "index.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.list(ctx, tg, tt.expect)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(keys(want), keys(got)); diff != "" {
				t.Errorf("listed keys (-want +got):\n%s", diff)
			}
		})
	}
}
