package zenn

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/kiji-ssg/kiji/site/diag"
	"github.com/kiji-ssg/kiji/site/markdown/golden"
)

// result is one conversion.
type result struct {
	html     string
	problems []string
	doc      *diag.Doc
}

// newMD builds a converter like kiji's: GFM, footnotes, line breaks as <br>,
// and this extension.
func newMD(z *Extender) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, Strikethrough{}, extension.TaskList, Linkify{}, extension.Footnote, z),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
}

// blankFrontMatter blanks a leading YAML front matter, keeping its lines,
// as kiji's content stage does.
func blankFrontMatter(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return src
	}
	end := bytes.Index(src[4:], []byte("\n---\n"))
	if end < 0 {
		return src
	}
	out := append([]byte(nil), src...)
	for i := 0; i < 4+end+5; i++ {
		if out[i] != '\n' {
			out[i] = ' '
		}
	}
	return out
}

func convertWith(t testing.TB, md goldmark.Markdown, src string) result {
	t.Helper()
	r := golden.Convert(t, md, "input.md", []byte(src))
	return result{html: r.HTML, problems: r.Problems, doc: r.Doc}
}

// convert renders src offline (no network).
func convert(t testing.TB, src string, opts ...Option) result {
	t.Helper()
	return convertWith(t, newMD(New(append([]Option{WithOffline(true)}, opts...)...)), src)
}

// TestGolden renders testdata/golden/*.txtar: input.md → output.html, with
// the expected problems and the features the page needs. A cache.json
// section seeds the card cache (the conversion is offline).
func TestGolden(t *testing.T) {
	golden.Run(t, "testdata/golden/*.txtar", func(t *testing.T, a *golden.Archive) []golden.Output {
		opts := []Option{WithOffline(true)}
		if cache, ok := a.Section("cache.json"); ok {
			dir := t.TempDir()
			seedCache(t, dir, cache)
			opts = append(opts, WithCardCacheDir(dir))
		}
		res := convertWith(t, newMD(New(opts...)), string(a.Input(t)))
		var needs []string
		for _, f := range []string{"tweet", "math", "mermaid"} {
			if res.doc.Needs(f) {
				needs = append(needs, f)
			}
		}
		return []golden.Output{
			{Name: "output.html", Data: []byte(res.html)},
			{Name: "problems", Data: golden.Lines(res.problems)},
			{Name: "needs", Data: golden.Lines(needs)},
		}
	})
}

// seedCache writes the cards of a JSON array into dir, as a previous build
// would have.
func seedCache(t *testing.T, dir string, data []byte) {
	t.Helper()
	var cards []Card
	if err := json.Unmarshal(data, &cards); err != nil {
		t.Fatalf("cache.json: %v", err)
	}
	s := newCardStore(config{cacheDir: dir})
	for _, c := range cards {
		s.writeCache(c)
	}
}

// TestConcurrentConvert converts the same documents from many goroutines
// with one Extender: the output is the same every time (run with -race).
func TestConcurrentConvert(t *testing.T) {
	srcs := []string{}
	for _, f := range []string{"testdata/zenn/features.md", "testdata/zenn/edge-cases.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(blankFrontMatter(b)))
	}
	md := newMD(New(WithOffline(true)))
	want := make([]string, len(srcs))
	for i, s := range srcs {
		want[i] = convertWith(t, md, s).html
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, s := range srcs {
				if got := convertWith(t, md, s).html; got != want[i] {
					errs <- cmp.Diff(want[i], got)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent conversion differs (-want +got):\n%s", e)
	}
}

// TestNoScriptURLs: whatever the argument, an embed never emits a
// javascript:, data: or vbscript: URL.
func TestNoScriptURLs(t *testing.T) {
	cases := map[string]string{
		"card":        "@[card](javascript:alert(1))",
		"card data":   "@[card](data:text/html;base64,PHNjcmlwdD4=)",
		"unknown":     "@[foo](javascript:alert(1))",
		"youtube":     "@[youtube](javascript:alert(1))",
		"jsfiddle":    "@[jsfiddle](javascript://jsfiddle.net/%0aalert(1))",
		"codepen":     `@[codepen](https://codepen.io/a/pen/x"onload="alert(1))`,
		"stackblitz":  `@[stackblitz](https://stackblitz.com/edit/x?a="><script>)`,
		"github":      "@[github](vbscript:msgbox)",
		"bare":        "javascript:alert(1)",
		"image size":  "![x](javascript:alert(1) =10x10)",
		"tweet quote": `@[tweet](https://x.com/a/status/1"onmouseover="x)`,
		"card quotes": `@[card](https://example.com/"><script>alert(1)</script>)`,
	}
	bad := regexp.MustCompile(`(?i)(src|href)="\s*(javascript|vbscript|data):|<script`)
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			res := convert(t, src+"\n")
			if bad.MatchString(res.html) {
				t.Errorf("unsafe output for %q:\n%s", src, res.html)
			}
		})
	}
}

func TestContainerDepthLimit(t *testing.T) {
	src := strings.Repeat("::::details d\n", maxContainerDepth+2) + "text\n"
	res := convert(t, src)
	if n := strings.Count(res.html, "<details"); n != maxContainerDepth {
		t.Errorf("%d details, want %d", n, maxContainerDepth)
	}
	want := "input.md:33:1: warning: containers nested more than 32 deep are shown as text; close the ::: containers you opened"
	if len(res.problems) == 0 || res.problems[len(res.problems)-1] != want {
		t.Errorf("problems %q, want last %q", res.problems, want)
	}
}
