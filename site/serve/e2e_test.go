package serve

import (
	"context"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
	defaulttheme "github.com/kiji-ssg/kiji/themes/default"
)

// browser starts a headless Chromium with a fresh profile
// (browsertest.Start) that keeps timers and rendering running in the
// background, in a 1000×700 window.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browsertest.Start(t,
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1000, 700))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitJS waits until expr is true in the page, across reloads (an
// evaluation during a reload fails and is retried).
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, _ := chromedp.Run(c, chromedp.Evaluate[string](`JSON.stringify({url: location.href, events: window.__kijiLiveLog, links: Array.from(document.querySelectorAll("link")).map(l => l.outerHTML), head: document.head.innerHTML.slice(0, 3000)})`))
	t.Fatalf("%s: not true within 30s: %s (last error: %v)\npage state: %s", what, expr, last, state)
}

func TestBrowser(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before building
	root := project(t, "title: E2E\ntheme: mine\n")
	// The theme overrides the default stylesheet with its own copy.
	base, err := fs.ReadFile(defaulttheme.FS, "assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	cssPath := filepath.Join(root, "themes/mine/assets/style.css")
	writeCSS := func(color string) {
		mustWrite(t, cssPath, string(base)+"\n.article-body p { color: "+color+"; }\n")
	}
	writeCSS("rgb(1, 2, 3)")
	art := filepath.Join(root, "content/articles/one.md")
	long := strings.Repeat("A paragraph that makes the page long enough to scroll.\n\n", 150)
	writeArticle := func(marker string) {
		mustWrite(t, art, article("One", "## Start\n\n"+marker+"\n\n"+long, true))
	}
	writeArticle("ORIGINAL-MARKER")

	url, _, stop := startServer(t, root, "127.0.0.1:0", 50*time.Millisecond)
	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate(url+"articles/one/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	waitJS(t, ctx, "the page is served with its live script", `window.__kijiLiveConnected === true && document.body.innerText.includes("ORIGINAL-MARKER")`)
	if got := eval[string](t, ctx, `getComputedStyle(document.querySelector(".article-body p")).color`); got != "rgb(1, 2, 3)" {
		t.Fatalf("the theme's stylesheet is not applied: color %s", got)
	}

	// 1. Edit the Markdown: the page shows the new text by itself.
	eval[bool](t, ctx, `(window.__kijiMark = "before-edit", true)`)
	writeArticle("EDITED-MARKER")
	waitJS(t, ctx, "the edit appears without a manual reload", `document.body.innerText.includes("EDITED-MARKER")`)
	waitJS(t, ctx, "the live script reconnects after the reload", `window.__kijiLiveConnected === true`)

	// 2. Edit the stylesheet: restyled in place, no reload, scroll kept.
	const styleCount = `document.querySelectorAll('style, link[rel~="stylesheet"]').length`
	styles := eval[int](t, ctx, styleCount)
	eval[bool](t, ctx, `(window.scrollTo(0, 1500), window.__kijiMark = "before-css", true)`)
	waitJS(t, ctx, "scrolled", `Math.abs(window.scrollY - 1500) < 2`)
	writeCSS("rgb(10, 20, 30)")
	waitJS(t, ctx, "the new style applies", `getComputedStyle(document.querySelector(".article-body p")).color === "rgb(10, 20, 30)"`)
	if mark := eval[string](t, ctx, `String(window.__kijiMark)`); mark != "before-css" {
		t.Errorf("the page reloaded for a stylesheet change (mark %q)", mark)
	}
	if y := eval[float64](t, ctx, `window.scrollY`); math.Abs(y-1500) > 2 {
		t.Errorf("scroll position after the stylesheet swap = %v, want 1500", y)
	}
	if n := eval[int](t, ctx, styleCount); n != styles {
		t.Errorf("%d style and stylesheet elements after the swap, want %d as before", n, styles)
	}

	// 3. A reload keeps the scroll position.
	eval[bool](t, ctx, `(window.scrollTo(0, 1200), window.__kijiMark = "before-reload", true)`)
	waitJS(t, ctx, "scrolled", `Math.abs(window.scrollY - 1200) < 2`)
	writeArticle("SECOND-EDIT-MARKER")
	waitJS(t, ctx, "the second edit appears", `document.body.innerText.includes("SECOND-EDIT-MARKER")`)
	if mark := eval[string](t, ctx, `String(window.__kijiMark)`); mark == "before-reload" {
		t.Error("the page did not reload for a content change")
	}
	waitJS(t, ctx, "the scroll position is restored after the reload", `Math.abs(window.scrollY - 1200) < 2`)
	waitJS(t, ctx, "the live script reconnects after the reload", `window.__kijiLiveConnected === true`)

	// 4. Break the front matter: an overlay names the file, line and
	// column; the last good page stays.
	mustWrite(t, art, "---\ntitle: \"One\nemoji: \"🐳\"\n---\n\nbroken\n")
	waitJS(t, ctx, "the overlay appears", `document.getElementById("kiji-overlay") !== null`)
	overlay := eval[string](t, ctx, `document.getElementById("kiji-overlay").innerText`)
	if !strings.Contains(overlay, "content/articles/one.md:") {
		t.Errorf("the overlay does not name file:line:col:\n%s", overlay)
	}
	if !eval[bool](t, ctx, `document.body.innerText.includes("SECOND-EDIT-MARKER")`) {
		t.Error("the last good page is not shown under the overlay")
	}

	// 5. Fix it: the overlay goes and the page shows the fix.
	writeArticle("FIXED-MARKER")
	waitJS(t, ctx, "the overlay goes and the fix shows", `document.getElementById("kiji-overlay") === null && document.body.innerText.includes("FIXED-MARKER")`)

	// 6. The server restarts: the page reconnects, and reloads only if
	// the site changed meanwhile.
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	eval[bool](t, ctx, `(window.__kijiMark = "before-restart", window.__kijiLiveConnected = false, true)`)
	stop()
	_, _, stop = startServer(t, root, addr, 50*time.Millisecond)
	waitJS(t, ctx, "the page reconnects to the restarted server", `window.__kijiLiveConnected === true`)
	if mark := eval[string](t, ctx, `String(window.__kijiMark)`); mark != "before-restart" {
		t.Errorf("the page reloaded after a restart with nothing changed (mark %q)", mark)
	}
	stop()
	writeArticle("CHANGED-WHILE-DOWN")
	_, _, stop = startServer(t, root, addr, 50*time.Millisecond)
	waitJS(t, ctx, "the page reloads after reconnecting to a server whose build changed", `document.body.innerText.includes("CHANGED-WHILE-DOWN")`)

	// 7. Drafts are shown, marked.
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"articles/draft/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	if label := eval[string](t, ctx, `(document.querySelector(".draft-label") || {}).textContent || ""`); label != "下書き" {
		t.Errorf("draft label %q, want 下書き", label)
	}
}
