package markdown

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium to drive. Without one the test is skipped,
// except under CI=true, where a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("KIJI_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome; or set KIJI_CHROMIUM): the browser test must run in CI; install the chromium package")
	}
	t.Skip("no Chromium found; install it (apt-get install chromium) or set KIJI_CHROMIUM to run the browser test")
	return ""
}

// browser starts a headless Chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// TestD2ScriptInBrowser puts D2 diagrams that try to run script (a
// <script> and an <img onerror> in Markdown labels, a javascript: link)
// into a page, as the default (untrusted) converter writes them, and
// loads it in Chromium: no script from the content may run, and no link
// may be a javascript: URL.
func TestD2ScriptInBrowser(t *testing.T) {
	ctx := browser(t)
	src := "```d2\na: |md\n  # label\n  <script>window.__kijiPwned = 'script'</script>\n|\n```\n\n" +
		"```d2\nb: |md\n  <img src=\"data:image/png;base64,AAAA\" onerror=\"window.__kijiPwned = 'onerror'\"/>\n|\n```\n\n" +
		"```d2\nc: {link: \"javascript:window.__kijiPwned='link'\"}\n```\n"
	body, _ := convertPage(t, kijiConverter(false), src)
	page := `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>d2</title></head><body>` + body + `</body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	// Navigate returns once the page has loaded: inline scripts have run
	// and every image has loaded or failed (and fired onerror).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	diagrams := evalJS[float64](t, ctx, `document.querySelectorAll("svg.d2").length`)
	pwned := evalJS[string](t, ctx, `String(window.__kijiPwned)`)
	links := evalJS[string](t, ctx, `Array.from(document.querySelectorAll("a")).map(a => (a.getAttribute("href") || "") + " " + (a.getAttributeNS("http://www.w3.org/1999/xlink", "href") || "")).join(" | ")`)
	if diagrams != 3 {
		t.Fatalf("%v diagrams in the page, want 3 (the test must see them)", diagrams)
	}
	if pwned != "undefined" {
		t.Errorf("script from the content ran in the browser: window.__kijiPwned = %q", pwned)
	}
	if strings.Contains(strings.ToLower(links), "javascript:") {
		t.Errorf("a link of the page is a javascript: URL: %s", links)
	}
}

// evalJS evaluates a JavaScript expression in the page.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
