package build

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestZennDeepLinkLandsWithoutJS opens an article in Chromium with scripts
// off, at a fragment copied from zenn.dev (Zenn's id keeps punctuation:
// "#付録：aws-…", percent-encoded as the address bar copies it, and as
// typed), and checks the heading is scrolled to the top. A link to kiji's
// own id and a missing id are the controls.
func TestZennDeepLinkLandsWithoutJS(t *testing.T) {
	exe := chromiumPath(t)
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
	ctx := headless(t, exe)
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

// chromiumPath finds Chromium; without one the test is skipped, except
// under CI=true, where that is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("KIJI_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); name != "" && err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found: the browser test must run in CI; install the chromium package")
	}
	t.Skip("no Chromium found; install it (apt-get install chromium) or set KIJI_CHROMIUM")
	return ""
}

// headless starts a headless Chromium with a fresh profile.
func headless(t *testing.T, exe string) context.Context {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 700))
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}
