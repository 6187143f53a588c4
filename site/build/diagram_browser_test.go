package build

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kiji-ssg/kiji/site/browsertest"
)

// TestDiagramStylesInBrowser builds an article with a D2 diagram and
// opens it in Chromium, in light and dark mode: the diagram's shapes take
// the colours of D2's light and dark themes from the shared stylesheet,
// and its labels are set in D2's font, fetched from the font files.
func TestDiagramStylesInBrowser(t *testing.T) {
	browsertest.Chromium(t) // skip (or fail in CI) before building
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "content/articles/d2.md"), "---\ntitle: \"図\"\nemoji: \"📈\"\ntype: \"tech\"\ntopics: [\"d2\"]\npublished: true\n---\n\n"+
		"```d2\ncp: Control plane\ndp: Data plane\ncp -> dp: manages\n```\n")
	dest := filepath.Join(root, "public")
	if _, err := Build(context.Background(), Options{Root: root, Dest: dest, CacheDir: t.TempDir(), Offline: true}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dest)))
	defer srv.Close()
	ctx := browsertest.Start(t)
	type look struct {
		Fill  string `json:"fill"`  // a shape's fill (D2's B6)
		Label string `json:"label"` // a label's fill (D2's N1)
		Font  string `json:"font"`  // the status of D2's bold face for Latin
	}
	const probe = `document.fonts.load('16px "d2-svg-font-bold"', 'Control').then(() => ({
		fill: getComputedStyle(document.querySelector('svg.d2 .shape rect')).fill,
		label: getComputedStyle(document.querySelector('svg.d2 text')).fill,
		font: [...document.fonts].filter(f => f.family == 'd2-svg-font-bold' && f.unicodeRange.startsWith('U+20-')).map(f => f.status).join()}))`
	for _, tc := range []struct {
		scheme string
		want   look
	}{
		{"light", look{Fill: "rgb(247, 248, 254)", Label: "rgb(10, 15, 37)", Font: "loaded"}},
		{"dark", look{Fill: "rgb(49, 50, 68)", Label: "rgb(205, 214, 244)", Font: "loaded"}},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: tc.scheme}}}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/articles/d2/"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
				t.Fatal(err)
			}
			c, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			got, err := chromedp.Run(c, chromedp.Evaluate[look](probe, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("diagram in %s mode: %+v, want %+v", tc.scheme, got, tc.want)
			}
		})
	}
}
