package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiji-ssg/kiji/site/build"
	"github.com/kiji-ssg/kiji/site/mediatype"
)

var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func article(title, body string, published bool) string {
	return fmt.Sprintf("---\ntitle: %q\nemoji: \"🐳\"\ntype: \"tech\"\ntopics: [\"go\"]\npublished: %v\npublished_at: 2024-03-01\n---\n\n%s", title, published, body)
}

// project writes a small site into a temp dir and returns its root.
func project(t testing.TB, kijiYAML string) string {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	write := func(rel, s string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("content/articles/one.md", article("One", "## Start\n\nThe first article. ![pic](/images/a.png)\n", true))
	write("content/articles/draft.md", article("Draft", "Not published yet.\n", false))
	write("content/images/a.png", string(tinyPNG))
	write("kiji.yaml", kijiYAML)
	write("secret.txt", "TOP-SECRET")
	return root
}

func buildOpts(root string) build.Options {
	return build.Options{Root: root, Offline: true}
}

// built returns a server whose site has been built once, and its handler
// on a test HTTP server.
func built(t *testing.T, kijiYAML string) (*Server, *httptest.Server, string) {
	t.Helper()
	root := project(t, kijiYAML)
	s, err := New(Options{Build: buildOpts(root)})
	if err != nil {
		t.Fatal(err)
	}
	s.rebuild(context.Background(), Batch{All: true}, true)
	if s.problems != nil {
		t.Fatalf("the build failed: %v", s.problems)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, root
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// asset finds the output path of a fingerprinted theme asset.
func asset(t *testing.T, s *Server, prefix, ext string) string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.dest, "assets"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix+".") && strings.HasSuffix(e.Name(), ext) {
			return "assets/" + e.Name()
		}
	}
	t.Fatalf("no asset %s*%s", prefix, ext)
	return ""
}

func TestContentTypes(t *testing.T) {
	s, ts, _ := built(t, "title: Test\n")
	cases := []struct {
		path, want string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/articles/one/", "text/html; charset=utf-8"},
		{"/" + asset(t, s, "style", ".css"), "text/css; charset=utf-8"},
		{"/" + asset(t, s, "main", ".js"), "text/javascript; charset=utf-8"},
		{"/" + asset(t, s, "favicon", ".svg"), "image/svg+xml; charset=utf-8"},
		{"/images/a.png", "image/png"},
		{"/feed.xml", "application/atom+xml; charset=utf-8"},
		{"/sitemap.xml", "application/xml; charset=utf-8"},
		{"/robots.txt", "text/plain; charset=utf-8"},
		{"/_kiji/live.js", "text/javascript; charset=utf-8"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			resp, _ := get(t, ts.URL+c.path)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := resp.Header.Get("Content-Type")
			if got != c.want {
				t.Errorf("Content-Type = %q, want %q", got, c.want)
			}
			if c.path != "/_kiji/live.js" && got != mediatype.ContentType(strings.TrimSuffix(c.path, "/")+map[bool]string{true: "/index.html"}[strings.HasSuffix(c.path, "/")]) {
				t.Errorf("Content-Type %q is not mediatype.ContentType's", got)
			}
		})
	}
}

func TestNotFoundPage(t *testing.T) {
	_, ts, _ := built(t, "title: Test\n")
	for _, p := range []string{"/nope", "/articles/nope/", "/images/nope.png"} {
		resp, body := get(t, ts.URL+p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if !strings.Contains(body, `class="wrap notfound"`) {
			t.Errorf("%s: not the site's 404 page:\n%s", p, body)
		}
		if !strings.Contains(body, "/_kiji/live.js") {
			t.Errorf("%s: the 404 page has no live-reload script", p)
		}
	}
}

func TestDraftsShownAndMarked(t *testing.T) {
	_, ts, _ := built(t, "title: Test\n")
	resp, body := get(t, ts.URL+"/articles/draft/")
	if resp.StatusCode != 200 {
		t.Fatalf("the draft is not served: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<p class="draft-label">下書き</p>`) {
		t.Error("the draft is not marked 下書き")
	}
	_, home := get(t, ts.URL+"/")
	if !strings.Contains(home, "/articles/draft/") || !strings.Contains(home, `draft-label`) {
		t.Error("the home page does not list the draft with its label")
	}
}

// rawGet sends a request line as written (no client-side cleaning).
func rawGet(t *testing.T, hostport, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", hostport)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, hostport)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTraversal(t *testing.T) {
	s, ts, root := built(t, "title: Test\n")
	// Symbolic links inside the output that point out of it.
	if err := os.Symlink(filepath.Join(root, "secret.txt"), filepath.Join(s.dest, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(s.dest, "up")); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	cases := []struct{ name, target string }{
		{"dot dot", "/../secret.txt"},
		{"dot dot deep", "/articles/../../secret.txt"},
		{"many dot dots", "/../../../../../../etc/passwd"},
		{"encoded dots", "/%2e%2e/secret.txt"},
		{"encoded dots upper", "/%2E%2E/%2E%2E/secret.txt"},
		{"encoded slash", "/..%2fsecret.txt"},
		{"encoded dots and slash", "/%2e%2e%2fsecret.txt"},
		{"backslash", "/..\\secret.txt"},
		{"encoded backslash", "/..%5csecret.txt"},
		{"double encoded", "/%252e%252e/secret.txt"},
		{"NUL", "/index.html%00.txt"},
		{"symlink to a file outside", "/leak.txt"},
		{"symlink to a folder outside", "/up/secret.txt"},
		{"absolute form", "http://" + host + "/../secret.txt"},
		{"manifest", "/.kiji-manifest"},
		{"staging folder", "/../.serve.kiji-tmp-1/x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := rawGet(t, host, c.target)
			if strings.Contains(body, "TOP-SECRET") || strings.Contains(body, "root:") {
				t.Fatalf("%s leaked a file outside the site", c.target)
			}
			if code != http.StatusBadRequest && code != http.StatusNotFound {
				t.Errorf("%s: status %d, want 400 or 404", c.target, code)
			}
		})
	}
}

func TestBasePath(t *testing.T) {
	_, ts, _ := built(t, "title: Test\nbase_url: https://example.com/repo/\n")
	cases := []struct {
		path     string
		status   int
		location string
	}{
		{"/", http.StatusFound, "/repo/"},
		{"/repo", http.StatusFound, "/repo/"},
		{"/repo/", http.StatusOK, ""},
		{"/repo/articles/one/", http.StatusOK, ""},
		{"/repo/articles/one", http.StatusFound, "/repo/articles/one/"},
		{"/articles/one/", http.StatusNotFound, ""},
		{"/other/", http.StatusNotFound, ""},
	}
	for _, c := range cases {
		resp, body := get(t, ts.URL+c.path)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
		}
		if loc := resp.Header.Get("Location"); loc != c.location {
			t.Errorf("%s: Location %q, want %q", c.path, loc, c.location)
		}
		if c.status == http.StatusOK && !strings.Contains(body, `href="/repo/articles/one/"`) && c.path == "/repo/" {
			t.Errorf("%s: the page does not link under the base path", c.path)
		}
	}
}

func TestScriptOnlyInHTML(t *testing.T) {
	s, ts, _ := built(t, "title: Test\n")
	for _, p := range []string{"/", "/articles/one/", "/nope"} {
		_, body := get(t, ts.URL+p)
		if strings.Count(body, `<script id="kiji-live">`) != 1 {
			t.Errorf("%s: want the live script once", p)
		}
		if i, j := strings.Index(body, `<script id="kiji-live">`), strings.LastIndex(body, "</body>"); i < 0 || j < i {
			t.Errorf("%s: the script is not just before </body>", p)
		}
	}
	for _, p := range []string{"/" + asset(t, s, "style", ".css"), "/" + asset(t, s, "main", ".js"), "/feed.xml", "/sitemap.xml", "/robots.txt", "/images/a.png"} {
		_, body := get(t, ts.URL+p)
		if strings.Contains(body, "__kijiLive") || strings.Contains(body, "/_kiji/") {
			t.Errorf("%s: the live script was injected into a non-HTML response", p)
		}
	}
	// The files on disk are the build's, untouched.
	filepath.WalkDir(s.dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "__kijiLive") || strings.Contains(string(b), "/_kiji/") {
			t.Errorf("%s holds the live script", p)
		}
		return nil
	})
}

func TestHeadAndMethods(t *testing.T) {
	_, ts, _ := built(t, "title: Test\n")
	resp, body := get(t, ts.URL+"/articles/one/")
	head, err := http.Head(ts.URL + "/articles/one/")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 || head.ContentLength != int64(len(body)) || resp.ContentLength != int64(len(body)) {
		t.Errorf("HEAD: status %d, length %d; GET length %d, body %d", head.StatusCode, head.ContentLength, resp.ContentLength, len(body))
	}
	post, err := http.Post(ts.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", post.StatusCode)
	}
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	Name string
	Data map[string]any
}

// sseClient reads an event stream.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
}

func dialSSE(t testing.TB, url string) *sseClient {
	t.Helper()
	resp, err := http.Get(url + "_kiji/events")
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("event stream Content-Type %q", ct)
	}
	c := &sseClient{resp: resp, events: make(chan sseEvent, 64)}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			case line == "" && ev.Name != "":
				c.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return c
}

// next waits for the next event named one of names, skipping others.
func (c *sseClient) next(t testing.TB, timeout time.Duration, names ...string) sseEvent {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			for _, n := range names {
				if ev.Name == n {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", names, timeout)
		}
	}
}

// running starts a server on a free port and waits for its first build.
func running(t testing.TB, root string, quiet time.Duration) (url string, builds chan BuildEvent) {
	t.Helper()
	url, builds, _ = startServer(t, root, "127.0.0.1:0", quiet)
	return url, builds
}

// startServer starts a server on addr and waits for its first build;
// stop stops it (the test's cleanup does too).
func startServer(t testing.TB, root, addr string, quiet time.Duration) (url string, builds chan BuildEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	builds = make(chan BuildEvent, 100)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Build:    buildOpts(root),
			Addr:     addr,
			Quiet:    quiet,
			OnListen: func(u string) { urls <- u },
			OnBuild: func(ev BuildEvent) {
				if _, bench := t.(*testing.B); ev.Report != nil && !bench {
					t.Logf("build: %s after %d changed files; changed %v; err %v", ev.Action, len(ev.Trigger), ev.Report.Changed, ev.Err)
				}
				select {
				case builds <- ev:
				default:
				}
			},
		})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("the server did not stop within 10s of its context being cancelled")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not listen")
	}
	select {
	case ev := <-builds:
		if ev.Err != nil {
			t.Fatalf("first build: %v", ev.Err)
		}
	case <-time.After(10 * time.Minute): // a 1,000-article site on a busy machine
		t.Fatal("no first build")
	}
	return url, builds, stop
}

func TestEvents(t *testing.T) {
	root := project(t, "title: Test\ntheme: mine\n")
	os.MkdirAll(filepath.Join(root, "themes/mine/assets"), 0o755)
	url, _ := running(t, root, 30*time.Millisecond)
	c := dialSSE(t, url)
	hello := c.next(t, 10*time.Second, "hello")
	if hello.Data["build"] == "" || hello.Data["problems"] != nil {
		t.Fatalf("hello = %v", hello.Data)
	}
	art := filepath.Join(root, "content/articles/one.md")
	step := func(name string, do func(), want string) sseEvent {
		t.Helper()
		do()
		ev := c.next(t, 30*time.Second, "reload", "css", "problems")
		for ev.Name == "reload" && ev.Data["all"] != true && len(ev.Data["files"].([]any)) == 0 {
			// The pages learn the build's name, once it is complete
			// (the search index written after the page was shown).
			ev = c.next(t, 30*time.Second, "reload", "css", "problems")
		}
		if ev.Name != want {
			t.Fatalf("%s: got event %s %v, want %s", name, ev.Name, ev.Data, want)
		}
		return ev
	}

	ev := step("edit", func() { os.WriteFile(art, []byte(article("One", "Edited text.\n", true)), 0o644) }, "reload")
	if files, _ := ev.Data["files"].([]any); !containsAny(files, "/articles/one/index.html") {
		t.Errorf("reload files %v lack the article", ev.Data["files"])
	}
	// The search index changed too: no page shows it, so the other pages
	// stay.
	if ev.Data["all"] == true {
		t.Errorf("reload %v tells every page to reload after an article's edit", ev.Data)
	}
	_, page := get(t, url+"articles/one/")
	if !strings.Contains(page, "Edited text.") {
		t.Error("the page does not show the edit after the reload event")
	}

	ev = step("bad front matter", func() { os.WriteFile(art, []byte("---\ntitle: \"One\nemoji: x\n---\nbody\n"), 0o644) }, "problems")
	probs, _ := ev.Data["problems"].([]any)
	if len(probs) == 0 || !strings.Contains(fmt.Sprint(probs), "content/articles/one.md:") {
		t.Errorf("problems = %v, want one at content/articles/one.md:line:col", probs)
	}
	if resp, page := get(t, url+"articles/one/"); resp.StatusCode != 200 || !strings.Contains(page, "Edited text.") {
		t.Error("the last good page is not served while the build is broken")
	}

	// The pages were published meanwhile (the article as last read): the
	// fix reloads its page, and every page learns there is no problem left.
	ev = step("fixed", func() { os.WriteFile(art, []byte(article("One", "Fixed.\n", true)), 0o644) }, "reload")
	if files, _ := ev.Data["files"].([]any); !containsAny(files, "/articles/one/index.html") || ev.Data["problems"] != nil {
		t.Errorf("after a fix, reload %v should name the page and no problem", ev.Data)
	}

	ev = step("stylesheet", func() {
		os.WriteFile(filepath.Join(root, "themes/mine/assets/style.css"), []byte("body { color: #123456 }\n"), 0o644)
	}, "css")
	if bust, ok := ev.Data["bust"].([]any); !ok || len(bust) != 0 {
		t.Errorf("css event %v: a fingerprinted stylesheet needs no cache busting", ev.Data)
	}

	ev = step("new article", func() {
		os.WriteFile(filepath.Join(root, "content/articles/two.md"), []byte(article("Two two", "Second.\n", true)), 0o644)
	}, "reload")
	if files, _ := ev.Data["files"].([]any); !containsAny(files, "/articles/two/index.html") || !containsAny(files, "/index.html") {
		t.Errorf("reload files %v lack the new page or the home page", ev.Data["files"])
	}
}

func containsAny(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	root := project(t, "title: Test\n")
	err = Run(context.Background(), Options{Build: buildOpts(root), Addr: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("Run on a busy port: %v", err)
	}
}

// TestLearnBuildWaitsForTheManifest: a second showing of one build (the
// changed article first, then the lists) comes before the manifest is
// written; the pages keep the name they learnt, or a page loading then
// would reload again and lose its scroll position (TestBrowser's step 3
// failed about one run in three).
func TestLearnBuildWaitsForTheManifest(t *testing.T) {
	s := &Server{manifest: "old", buildID: "old.1"}
	if action, event, _ := s.learnBuild(); action != "none" || event != "" || s.buildID != "old.1" {
		t.Errorf("before the manifest: learnBuild = %q %q, build %q; want none, no event, old.1", action, event, s.buildID)
	}
	s.manifest = "new"
	if _, event, ev := s.learnBuild(); event != "reload" || s.buildID != "new" || s.was != "old.1" || ev["build"] != "new" {
		t.Errorf("after the manifest: event %q %v, build %q, was %q; want reload naming new, was old.1", event, ev, s.buildID, s.was)
	}
}
