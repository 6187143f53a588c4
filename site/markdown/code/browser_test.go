package code

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
)

// browserDoc has one block of each kind; the page-level tests below run it
// in a real browser when one is installed.
const browserDoc = "```go:main.go\npackage main\n\n// main says hello.\nfunc main() { fmt.Println(\"hi\", 42) }\n```\n\n" +
	"```diff ts:src/sum.ts\n export function sum(a: number, b: number) {\n-  return a - b; // old\n+  return a + b;\n }\n```\n\n" +
	"```yaml\n# comment\nkey: \"value\" # trailing\nlist: [1, 2]\n```\n\n" +
	"```bash\n#!/bin/sh\necho \"$HOME\" | wc -c # count\n```\n\n" +
	"```diff python\n< print(self.old)\n> print(\"new\")  # comment\n```\n\n" +
	"```html\n<!-- c --><script>alert(\"x\")</script>\n```\n\n" +
	"```\nplain <text>\n```\n"

// findBrowser returns a Chrome or Chromium binary: without one the test is
// skipped, or fails under CI=true (browsertest.Chromium).
func findBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	return browsertest.Chromium(t)
}

// browserPage serves the rendered browserDoc with CSS() and CopyScript on
// 127.0.0.1 (a secure context, so navigator.clipboard exists). The page
// replaces the clipboard's writeText with a recorder before CopyScript runs.
func browserPage(t *testing.T) (url string) {
	t.Helper()
	body := render(t, newMD(), browserDoc)
	page := `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>code</title><style>` + string(CSS()) +
		`</style></head><body>` +
		`<script>window.copied = []; if (navigator.clipboard) navigator.clipboard.writeText = function (s) { window.copied.push(s); return Promise.resolve(); };</script>` +
		body + `<script>` + CopyScript + `</script></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := findBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// TestCopyScriptInBrowser clicks the copy button of the diff block and checks
// what reached the clipboard: the code without the diff prefixes.
func TestCopyScriptInBrowser(t *testing.T) {
	ctx := browserContext(t)
	url := browserPage(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	blocks, shown := eval(`document.querySelectorAll(".code-block").length`), eval(`document.querySelectorAll(".code-block > .copy-code:not([hidden])").length`)
	if blocks != float64(7) || shown != blocks {
		t.Errorf("%v of %v copy buttons shown, want all of 7", shown, blocks)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`body > div.code-block:nth-of-type(2) > button.copy-code`))); err != nil {
		t.Fatalf("click: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.copied.length > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("nothing was copied: %v", err)
	}
	want := "export function sum(a: number, b: number) {\n  return a - b; // old\n  return a + b;\n}\n"
	if got := eval(`window.copied`); fmt.Sprint(got) != fmt.Sprint([]any{want}) {
		t.Errorf("copied %q, want [%q]", got, want)
	}
	label := eval(`document.querySelectorAll(".code-block")[1].querySelector(".copy-code").textContent`)
	aria := eval(`document.querySelectorAll(".code-block")[1].querySelector(".copy-code").getAttribute("aria-label")`)
	if label != "コピーしました" || aria != "コピーしました" {
		t.Errorf("button after copying says %q (aria-label %q), want コピーしました", label, aria)
	}
}

// TestContrastInBrowser measures, as a browser renders it, the contrast of
// every piece of text in the blocks against the background behind it, in
// the light and the dark colour scheme: all must reach WCAG AA (4.5:1).
func TestContrastInBrowser(t *testing.T) {
	ctx := browserContext(t)
	url := browserPage(t)
	const measure = `(() => {
  const parse = (c) => { const p = c.match(/rgba?\(([^)]+)\)/)[1].split(",").map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bgOf = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor); if (c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const pre = document.querySelector("pre.chroma");
  const out = {n: 0, bad: [], preBg: getComputedStyle(pre).backgroundColor, tabIndex: pre.tabIndex};
  document.querySelectorAll(".code-block, .code-block *").forEach((el) => {
    const text = [...el.childNodes].filter((x) => x.nodeType === 3 && x.textContent.trim() !== "").map((x) => x.textContent).join("");
    if (!text) return;
    out.n++;
    const l1 = lum(parse(getComputedStyle(el).color)), l2 = lum(bgOf(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) out.bad.push(el.tagName + "." + el.className + " " + JSON.stringify(text) + " " + ratio.toFixed(2));
  });
  return out;
})()`
	type result struct {
		N        int      `json:"n"`
		Bad      []string `json:"bad"`
		PreBg    string   `json:"preBg"`
		TabIndex int      `json:"tabIndex"`
	}
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		}); err != nil {
			t.Fatalf("%s: emulate: %v", scheme, err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s: browser: %v", scheme, err)
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[result](measure))
		if err != nil {
			t.Fatalf("%s: measure: %v", scheme, err)
		}
		if r.N < 50 {
			t.Errorf("%s: only %d text elements measured", scheme, r.N)
		}
		if len(r.Bad) > 0 {
			t.Errorf("%s: text below 4.5:1:\n%s", scheme, strings.Join(r.Bad, "\n"))
		} else {
			t.Logf("%s: %d text elements, all at 4.5:1 or more", scheme, r.N)
		}
		wantBg := map[string]string{"light": "rgb(247, 247, 247)", "dark": "rgb(13, 17, 23)"}[scheme]
		if r.PreBg != wantBg {
			t.Errorf("%s: block background %s, want %s", scheme, r.PreBg, wantBg)
		}
		if r.TabIndex != 0 {
			t.Errorf("%s: <pre> tabIndex %d, want 0 (keyboard users scroll it)", scheme, r.TabIndex)
		}
	}
}
