package markdown

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
)

// browser starts a headless Chromium with a fresh profile
// (browsertest.Start) and bounds the test's use of it to 90 s.
func browser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 90*time.Second)
	t.Cleanup(cancel)
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
