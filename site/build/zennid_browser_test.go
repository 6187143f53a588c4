package build

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
)

// TestZennDeepLinkLandsWithoutJS opens an article in Chromium with scripts
// off, at a fragment copied from zenn.dev (Zenn's id keeps punctuation:
// "#付録：aws-…", percent-encoded as the address bar copies it, and as
// typed), and checks the heading is scrolled to the top. A link to kiji's
// own id and a missing id are the controls.
func TestZennDeepLinkLandsWithoutJS(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before building
	root := t.TempDir()
	body := strings.Repeat("本文の段落です。\n\n", 60)
	writeFile(t, filepath.Join(root, "content/articles/deep-link.md"), "---\ntitle: \"深いリンク\"\nemoji: \"🔗\"\ntype: \"tech\"\ntopics: [\"zenn\"]\npublished: true\n---\n\n"+
		"## はじめに\n\n"+body+"## 付録：AWS コンテナロードマップ\n\n"+body)
	dest := filepath.Join(root, "public")
	if _, err := Build(context.Background(), Options{Root: root, Dest: dest, CacheDir: t.TempDir(), Offline: true}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dest)))
	defer srv.Close()
	ctx := browsertest.Start(t, chromedp.WindowSize(1000, 700))
	heading := `h2[id="付録aws-コンテナロードマップ"]`
	for _, tc := range []struct {
		name, frag string
		landed     bool
	}{
		{"zenn id encoded", url.PathEscape("付録：aws-コンテナロードマップ"), true},
		{"zenn id as typed", "付録：aws-コンテナロードマップ", true},
		{"kiji id", "付録aws-コンテナロードマップ", true},
		{"no such id", "nowhere", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ctx
			if _, err := chromedp.Call(c, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(c,
				chromedp.Navigate("about:blank"),
				chromedp.Navigate(srv.URL+"/articles/deep-link/#"+tc.frag),
				chromedp.WaitReady(chromedp.CSS("footer")),
			)
			if err != nil {
				t.Fatal(err)
			}
			// The browser scrolls once the layout settles: look until the
			// heading lands (10 s), or for 1.5 s when it must not.
			top, landed := 0.0, false
			for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(200 * time.Millisecond) {
				box, err := chromedp.Run(c, chromedp.Dimensions(chromedp.CSS(heading)))
				if err != nil {
					t.Fatal(err)
				}
				top = box.Border[1] // viewport y of the heading's top
				landed = top > -5 && top < 80
				if landed || !tc.landed && time.Since(start) > 1500*time.Millisecond {
					break
				}
			}
			if landed != tc.landed {
				t.Errorf("heading top at %.0fpx of the viewport: landed %v, want %v", top, landed, tc.landed)
			}
		})
	}
}
